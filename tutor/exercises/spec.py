"""What an exercise is: statement, stub, reference, hints and the known wrong variants it diagnoses."""
from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Variant:
    """A known mistake: wrong source that makes it, the code it is named by, and how to explain it."""

    code: str
    source: str
    message: str  # "{tensor}" is filled in; explain the cause without handing over the answer


# Hint ladders for mistakes every exercise can make (an exercise's own ladder for a code comes first).
COMMON_HINTS = {
    "wrong-signature": ("Compare your parameter list with the call the statement shows: the lesson passes the "
                        "arguments in exactly that order.",),
    "wrong-dtype": ("A gradient has the dtype of its tensor: look for a `.double()`, `.half()`, `.long()`, or a "
                    "constant tensor made with a dtype of its own.",),
    "not-a-tensor": ("Stay in torch: `.numpy()`, `.tolist()` and `.item()` leave it, and the layer before needs "
                     "a tensor.",),
}


@dataclass(frozen=True)
class Exercise:
    """One exercise of the lesson (one file per exercise under tutor/exercises/)."""

    name: str  # lin_grad | forward_and_backward | relu | mse | lin | model | cross_entropy
    title: str
    entry: str  # the name the learner defines: lin_grad, Relu, Mse, Lin
    unit: str  # which piece of the network alone: linear | relu | mse | cross_entropy; "model": the whole model
    style: str  # function | class
    statement: str  # Markdown with LaTeX
    stub: str
    reference: Any  # the live reference object from tutor.lesson
    reference_source: str
    hints: tuple[str, ...]
    variants: tuple[Variant, ...] = ()
    forward: str = ""  # name of the forward output checked for classes ("out" or "loss")
    trapped: tuple[Any, ...] = field(default=())  # more reference objects learner code must not call
    # A hint ladder per diagnosis code (the widget shows the ladder of the mistake made; `hints` otherwise).
    # Each rung nudges a little further, none gives the formula away.
    hints_by_code: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    provided: tuple[str, ...] = ()  # the notebook's globals the code may read (w1, b1, w2, b2): the harness sets them
    signature: str = ""  # how the lesson calls it, for `wrong-signature`: "lin_grad(inp, out, w, b)"

    def __post_init__(self) -> None:
        object.__setattr__(self, "hints_by_code", {**COMMON_HINTS, **self.hints_by_code})

    @property
    def grads(self) -> tuple[str, ...]:
        """Gradients checked when the piece runs alone."""
        return {"linear": ("inp.g", "w.g", "b.g"), "relu": ("inp.g",), "mse": ("inp.g",),
                "cross_entropy": ("inp.g",), "model": ("x.g", "w1.g", "b1.g", "w2.g", "b2.g")}[self.unit]

    def reference_codes(self) -> frozenset[types.CodeType]:
        """Code objects of this exercise's reference that learner code must not call."""
        codes = set()
        for obj in (self.reference, *self.trapped):
            funcs = vars(obj).values() if isinstance(obj, type) else [obj]
            codes.update(f.__code__ for f in funcs if isinstance(f, types.FunctionType))
        return frozenset(codes)
