"""Calling conventions of the whole-model exercises: `forward_and_backward(inp, targ)` and `Model(w1, b1, w2, b2)`.

Both read the notebook's globals `w1, b1, w2, b2` (the lesson's do): the case's tensors are put in the namespace
the learner's code reads its globals from. On a case of kind "unit" the pieces the code is built from — the
learner's own `lin_grad` (and `relu_grad`, `mse_grad` when defined), or the classes of `Model.layers` and
`Model.loss` — are first run alone, their gradients recorded as `"<piece>: inp.g"`, so a wrong piece is named
before the model it breaks.
"""
from __future__ import annotations

import inspect
import types
from typing import Any, Callable

import torch

from ..cases import Case, model_inputs, unit_inputs
from .probe import WrongSignature, call_in_order
from .repeat import model_again, small, step_again

PARAMS = ("w1", "b1", "w2", "b2")
MODEL_GRADS = ("x.g", "w1.g", "b1.g", "w2.g", "b2.g")
UPSTREAM = "upstream gradients"  # key of `named` holding the out.g tensors the harness set (not learner output)
RETURNED = ": returned"  # "<piece>: returned": what a piece returned, to diagnose a gradient returned, not stored

# piece name -> (the exercise that judges it, its unit, the values checked when it runs alone)
FUNCTION_PIECES = {"lin_grad": ("lin_grad", "linear", ("inp.g", "w.g", "b.g")),
                   "relu_grad": ("relu", "relu", ("inp.g",)),
                   "mse_grad": ("mse", "mse", ("inp.g",))}
CLASS_PIECES = {"Lin": ("lin", "linear", ("out", "inp.g", "w.g", "b.g")),
                "Relu": ("relu", "relu", ("out", "inp.g")),
                "Mse": ("mse", "mse", ("loss", "inp.g"))}


class ForwardError(Exception):
    """Learner code that is not filled in, or not built like the lesson's (no `layers`, `...` left)."""


def pieces(style: str) -> dict[str, tuple[str, str, tuple[str, ...]]]:
    """The pieces a whole-model exercise of this style is built from."""
    return FUNCTION_PIECES if style == "function" else CLASS_PIECES


def split(name: str) -> tuple[str, str]:
    """`"lin_grad: w.g"` → ("lin_grad", "w.g"); a model value like `"w1.g"` → ("", "w1.g")."""
    piece, sep, rest = name.partition(": ")
    return (piece, rest) if sep else ("", name)


def expected(style: str, case: Case, forward: str) -> tuple[str, ...]:
    """Every value that may be checked on a case: the pieces' alone (only those the code has), or the model's."""
    if case.kind == "unit":
        return tuple(f"{piece}: {v}" for piece, (_, _, values) in pieces(style).items() for v in values)
    return ((forward,) if forward else ()) + MODEL_GRADS


def inputs(case: Case, copy: bool = True) -> dict[str, torch.Tensor]:
    """The model's tensors, and on a "unit" case each piece's own (`"linear:inp"`, `"relu:up"`, ...)."""
    t = model_inputs(case, copy)
    if case.kind == "unit":
        for unit in ("linear", "relu", "mse"):
            t.update({f"{unit}:{k}": v for k, v in unit_inputs(unit, case, copy).items()})
    return t


def namespace_of(entry: Any) -> dict[str, Any] | None:
    """The globals the learner's definition reads (a function's, or its class's methods')."""
    if isinstance(entry, types.FunctionType):
        return entry.__globals__
    for cls in getattr(entry, "__mro__", ()):
        for v in vars(cls).values():
            v = getattr(v, "__func__", v)
            if isinstance(v, types.FunctionType):
                return v.__globals__
    return None


def call_whole(style: str, entry: Any, t: dict[str, torch.Tensor],
               unit_call: Callable[..., tuple[dict[str, Any], Any]]) -> tuple[dict[str, Any], Any]:
    """Run the pieces alone (a "unit" case) or the whole model (a "model" case); return the tensors by name."""
    params = {k: t[k] for k in PARAMS}
    ns = namespace_of(entry)
    if ns is not None and ns.get("__name__") != "tutor.lesson":  # (the reference Model takes them as arguments)
        ns.update(params)  # the notebook's globals, as the lesson's code reads them
    named: dict[str, Any] = {UPSTREAM: []}
    if style == "function":
        if "linear:inp" in t:
            for piece, (exercise, unit, _) in FUNCTION_PIECES.items():
                fn = ns.get(piece) if ns is not None else None
                if callable(fn):
                    _run_piece(piece, unit, lambda ex, part, tt: _call_function(ex, part, unit, tt), fn, t, named,
                               exercise, unit_call)
            return named, None
        returned = _call_signature(entry, (t["x"], t["y"]), (t["x"], t["y"], *params.values()))
    else:
        model = _call_signature(entry, (), tuple(params.values()), full_first=True)
        if "linear:inp" in t:
            for piece, cls in _model_pieces(model).items():
                exercise, unit, _ = CLASS_PIECES[piece]
                _run_piece(piece, unit, None, cls, t, named, exercise, unit_call)
            return named, None
        returned = model(t["x"], t["y"])
        model.backward()
        named["loss"] = returned
        named[LAYER] = model  # (where a copy of w1 may sit: `self.layers[0].w`)
        if small(t["x"]):  # (batch 1: a model changed by its backward, or adding to .g, shows there as well)
            model_again(model, t, returned, ("x", *PARAMS))
    named.update(x=t["x"], **params)
    return named, None if style == "class" else returned


def _run_piece(piece: str, unit: str, call: Any, part: Any, t: dict[str, torch.Tensor], named: dict[str, Any],
               exercise: str, unit_call: Callable[..., tuple[dict[str, Any], Any]]) -> None:
    from ..exercises import get

    tt = {k.split(":", 1)[1]: v for k, v in t.items() if k.startswith(f"{unit}:")}
    part_named, returned = (call or unit_call)(get(exercise), part, tt)
    named.update({f"{piece}: {k}": v for k, v in part_named.items()})
    named[f"{piece}{RETURNED}"] = returned
    if "up" in tt:
        named[UPSTREAM].append(tt["up"])


def _call_function(ex: Any, fn: Any, unit: str, t: dict[str, torch.Tensor]) -> tuple[dict[str, Any], Any]:
    """The book's functions alone: lin_grad(inp, out, w, b), relu_grad(inp, out), mse_grad(inp, targ)."""
    inp = t["inp"]
    if unit == "linear":
        return call_lin_grad(fn, t)
    if unit == "relu":
        out = inp.clamp_min(0.)
        out.g = t["up"]
        return {"inp": inp, "out": out}, call_in_order(fn, (inp, out), ("inp", "out"), (inp,), "relu_grad(inp, out)",
                                                       (out, t["up"]))
    return {"inp": inp, "targ": t["targ"]}, call_in_order(fn, (inp, t["targ"]), ("inp", "targ"), (inp,),
                                                          "mse_grad(inp, targ)")


def call_lin_grad(fn: Any, t: dict[str, torch.Tensor], signature: str = "lin_grad(inp, out, w, b)"
                  ) -> tuple[dict[str, Any], Any]:
    """`lin_grad(inp, out, w, b)` on fresh tensors, then once more on the same w and b, as a training loop's next
    step calls it (NotRepeatable when their gradients change); return the tensors by name and what it returned."""
    inp, w, b = t["inp"], t["w"], t["b"]
    # For the second step (small cases only): the first may change them in place.
    inp0, up0 = (inp.clone(), t["up"].clone()) if small(inp) else (None, None)
    out = inp @ w + b
    out.g = t["up"]
    returned = call_in_order(fn, (inp, out, w, b), ("inp", "out", "w", "b"), (inp, w, b), signature, (out, t["up"]))

    def again() -> None:
        given = vars(out).get("g", None)  # (None: the first call deleted it, `del out.g` to free memory)
        out.g = up0.clone()
        try:
            fn(inp0.clone(), out, w, b)
        finally:
            if given is None:
                vars(out).pop("g", None)
            else:
                out.g = given  # as the first call left it: what it set is judged
    if inp0 is not None:
        step_again(again, {"w": w, "b": b}, f"a second {signature.partition('(')[0]}(inp, out, w, b) on the same w and b")
    return {"inp": inp, "out": out, "w": w, "b": b}, returned


LAYER = "the layer"  # key of `named` holding the learner's layer or model object: where a copy of w may sit
_SIGNATURE: list[Any] = [None, None]  # (entry, its signature): a run asks on every case, for the same entry


def _signature(entry: Any) -> inspect.Signature:
    if _SIGNATURE[0] is not entry:
        _SIGNATURE[:] = [entry, inspect.signature(entry)]  # (when it raises, nothing is cached)
    return _SIGNATURE[1]


def _call_signature(entry: Any, short: tuple, full: tuple, full_first: bool = False) -> Any:
    """Call with the lesson's arguments (`full_first`: w1, b1, w2, b2 too, as `Model(w1, b1, w2, b2)`; else the
    short ones, as `forward_and_backward(inp, targ)` reading them from the notebook), or else the other ones. One
    that takes neither is named a wrong signature (the notebook's autograd `Model(n_in, nh, n_out)`, say)."""
    for args in ((full, short) if full_first else (short, full)):
        try:
            _signature(entry).bind(*args)
        except TypeError:
            continue
        except ValueError:  # (no signature to read: a builtin)
            return entry(*short)
        return entry(*args)
    given = "inp, targ" if short else ""
    theirs = ", ".join(_signature(entry).parameters)
    name = getattr(entry, "__name__", "it")
    raise WrongSignature(f"the lesson calls {name}({', '.join(filter(None, (given, *PARAMS)))}) (or "
                         f"{name}({given}), reading w1, b1, w2, b2 from the notebook), but yours is "
                         f"{name}({theirs}): it can take neither")


def _model_pieces(model: Any) -> dict[str, type]:
    """The learner's classes in the model: `layers` = [Lin, Relu, Lin], `loss` = Mse (the lesson's layout)."""
    layers, loss = getattr(model, "layers", None), getattr(model, "loss", None)
    if layers is Ellipsis or loss is Ellipsis:
        raise ForwardError(f"Model.{'layers' if layers is Ellipsis else 'loss'} is `...` (not filled in yet)")
    found: dict[str, type] = {}
    if isinstance(layers, (list, tuple)) and len(layers) == 3:
        found = {"Lin": layers[0], "Relu": layers[1]}
    found["Mse"] = loss
    # a piece is an object of the learner's own layer class (a plain function, say `relu`, has no backward to check),
    # or the class itself where the `()` was forgotten (`self.loss = Mse`: the model then fails as in the notebook)
    return {role: obj if isinstance(obj, type) else type(obj) for role, obj in found.items()
            if callable(getattr(obj, "backward", None)) or callable(getattr(obj, "bwd", None))}
