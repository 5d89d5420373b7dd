"""Name the mistake: match what came back against known wrong variants, then analyse shapes and ratios."""
from __future__ import annotations

import re
from typing import Callable

import numpy as np

from ..cases import Case
from ..exercises import Exercise
from ..report import Diagnosis
from ..run.namespace import NOWHERE, UNIMPORTABLE
from ..run.result import CaseRun, ErrorInfo, SubmissionRun
from .compare import Closeness, best_scale, close, closeness, largest_abs, shape_str

VariantRuns = Callable[[], list[tuple[int, CaseRun]]]
OWN_DTYPE = ("a tensor made with a dtype of its own (`torch.zeros(w.shape)` is float32 whatever w is; "
             "`torch.zeros_like(w)` follows it)")


def owner(name: str) -> str:
    """`w1.g` → `w1`: the tensor a gradient belongs to."""
    return name.split(".")[0]


# What the harness raises about the learner's code (the message says it all: no type name of ours in the report)
HARNESS_ERRORS = {"WrongSignature", "WrongAttribute", "NotRepeatable", "ForwardError", "WrongDtype"}


def raised(err: ErrorInfo) -> str:
    """A check's line for code that raised: `raised TypeError: ...`, or the harness's own finding as it is."""
    if err.type in HARNESS_ERRORS:
        return err.message[:1].upper() + err.message[1:]
    return f"raised {err.type}: {err.message}"


def diagnose_error(err: ErrorInfo, ex: Exercise, variants: VariantRuns, n: int | None = None) -> Diagnosis:
    """A diagnosis for learner code that raised (or tripped a guard) on a batch of n."""
    where = dict(line=err.line, lineno=err.lineno)
    if err.kind == "uses-autograd":
        return Diagnosis("uses-autograd", f"{err.message}.", **where)
    if err.kind == "uses-reference":
        return Diagnosis("uses-reference", err.message + ".", **where)
    if err.kind == "name-error":
        name = re.findall(r"'([^']+)'", err.message)
        missing = f"`{name[0]}`" if name else "a name"
        return Diagnosis("uses-globals", f"your code reads {missing}, which is neither one of its arguments nor "
                         "defined in your code: it only worked in the notebook because of a global there. "
                         "Use the arguments the lesson passes in (or self.…).", **where)
    if err.type == "ForwardError":
        code = "unfinished" if "not filled in" in err.message else "raises"
        return Diagnosis(code, err.message + ".", **where)
    if err.type == "WrongAttribute":
        return Diagnosis("wrong-attribute", err.message[:1].upper() + err.message[1:] + ".", **where)
    if err.type == "NotRepeatable":
        said = err.message[:1].upper() + err.message[1:]
        return Diagnosis("not-repeatable", said if said.endswith(("?", ".")) else said + ".", **where)
    if err.type == "WrongDtype":
        return Diagnosis("wrong-dtype", err.message[:1].upper() + err.message[1:] + ".", **where)
    if err.type == "WrongSignature":
        return Diagnosis("wrong-signature", err.message[:1].upper() + err.message[1:] + ".", **where)
    if err.type == "TypeError" and "'ellipsis'" in err.message:  # a value that is still the stub's `...`
        return Diagnosis("unfinished", f"{err.type}: {err.message}: a value your code uses is still the stub's "
                         "`...`: fill in every TODO line.", **where)
    for i, vrun in variants():  # the very same error as a known wrong variant's, word for word and number for number
        if vrun.error is not None and vrun.error.type == err.type and vrun.error.message == err.message and err.line:
            v = ex.variants[i]
            said = v.message.format(tensor="the gradient")
            return Diagnosis(v.code, f"{err.type}: {err.message}. {said[:1].upper()}{said[1:]}.", **where)
    fixed = _fixed_batch(err, n)
    if fixed:
        return Diagnosis("batch-scale", f"{err.type}: {err.message}: your code indexes {fixed} rows on a batch of "
                         f"{n}, as if the batch size were the number {fixed} (written out, or a notebook constant "
                         f"such as `bs = {fixed}`). Take it from the tensors you are given (`inp.shape[0]`, "
                         "`len(targ)`).", **where)
    if err.type == "AttributeError" and err.message.endswith("has no attribute 'g'"):
        return Diagnosis("raises", f"{err.type}: {err.message}: a `.g` was read before anything set it. Backward "
                         "runs from the loss to the input: each step reads the `.g` that the step after it set.",
                         **where)
    return Diagnosis("raises", f"{err.type}: {err.message}", **where)


def _fixed_batch(err: ErrorInfo, n: int | None) -> int | None:
    """K when indexing broke on index tensors of lengths K and n (the batch): `g[range(K), targ]` with K fixed."""
    found = re.fullmatch(r"shape mismatch: indexing tensors could not be broadcast together with shapes "
                         r"\[(\d+)\], \[(\d+)\]", err.message) if err.type == "IndexError" and n else None
    if not found:
        return None
    sizes = {int(found[1]), int(found[2])}
    return (sizes - {n}).pop() if n in sizes and len(sizes) == 2 else None


def diagnose_problem(name: str, problem: str, ref: np.ndarray, run: CaseRun, tol: float) -> Diagnosis:
    """A value that came back unusable: not filled in, never set, not a tensor, or a tensor of the wrong dtype."""
    if problem.startswith("still"):
        return Diagnosis("unfinished", f"{name} is {problem}.", name)
    if problem == "missing":
        return diagnose_missing(name, ref, run, tol)
    if "dtype" in problem:
        return Diagnosis("wrong-dtype", f"{name} is {problem}: a gradient has the dtype of its tensor, else the next "
                         "layer breaks (`@` of float32 and float64 raises). Look for a `.double()`, `.float()`, "
                         f"`.long()` or {OWN_DTYPE}.", name)
    if not name.endswith(".g"):
        return Diagnosis("not-a-tensor", f"{name} is {problem}: the forward pass returns the tensor it computed "
                         "(the loss of `Model.__call__`, a layer's output), which the rest of the model works with.",
                         name)
    return Diagnosis("not-a-tensor", f"{name} is {problem}: the layers before it compute with it as a torch tensor "
                     f"(`@`, `.t()`), so store a tensor of shape {shape_str(ref.shape)}: stay in torch (no "
                     "`.numpy()`, `.tolist()` or `.item()`).", name)


def diagnose_missing(name: str, ref: np.ndarray, run: CaseRun, tol: float) -> Diagnosis:
    """A gradient that was never set: returned instead, put under another name, or just missing."""
    base = owner(name)
    for key, value in run.extras.items():
        if not close_any(value, ref, tol):
            continue
        if key.startswith("returned"):
            return Diagnosis("returns-instead-of-setting", f"{name} was not set, but your code returned a tensor "
                             f"of shape {shape_str(value.shape)} that holds it: the lesson reads gradients from the "
                             f"`.g` attribute, so store it there instead of returning it.", name)
        if key.startswith("self."):
            held = key[:-2]
            if value.ndim == 2 and value.shape != ref.shape and value.shape == ref.shape[::-1]:
                return Diagnosis("wrong-attribute", f"{name} was not set, but {key} holds it transposed: {held} is a "
                                 f"new tensor made from {base} (`{base}.t()`), not the {base} your layer was given, "
                                 f"and the lesson, like its training loop, reads the gradient from the {base} it "
                                 f"passed in. Keep {base} itself and set its `.g`.", name)
            return Diagnosis("wrong-attribute", f"{name} was not set, but {key} holds what {name} should: {held} is "
                             f"not the {base} your layer was given (a copy, made with `.clone()`, or "
                             f"`nn.Parameter({base})`, which shares its numbers but is another tensor?), and the lesson, "
                             f"like its training loop, reads the gradient from the {base} it passed in.", name)
        return Diagnosis("wrong-attribute", f"{name} was not set, but {key} holds what {name} should: the lesson "
                         f"reads each gradient from `.g` on the tensor it belongs to ({base}).", name)
    for key in run.extras:
        if key.endswith(".grad") or key.startswith(f"{base}.") or key == "out.g":
            return Diagnosis("wrong-attribute", f"{name} was not set, and {key} was: each gradient goes in `.g` "
                             f"on the tensor it belongs to ({base}.g).", name)
    first = ("x.g", "w1.g", "b1.g")
    if name in first and all(run.problems.get(n) == "missing" for n in first) and "w2.g" in run.values:
        return Diagnosis("missing-grad", "x.g, w1.g and b1.g were never set, and w2.g was: the backward of the "
                         "first linear layer (x @ w1 + b1) never ran. Check that the backward pass goes through "
                         "every layer, down to the first.", name)
    return Diagnosis("missing-grad", f"{name} was never set: after backward, {base} has no `.g` attribute. "
                     f"Set {name} to a tensor of {base}'s shape, {shape_str(ref.shape)}.", name)


def diagnose_not_finite(name: str, got: np.ndarray, ex: Exercise, variants: VariantRuns) -> Diagnosis:
    """nan or inf came back: a known overflow variant when it breaks down in exactly the same places, else the
    general causes."""
    bad = ~np.isfinite(got)
    said = f"{name} is {got.item()}" if got.size == 1 else f"{name} holds {int(bad.sum())} nan/inf values"
    if any(v.code == "not-finite" for v in ex.variants):
        for i, vrun in variants():
            v = vrun.values.get(name)
            if ex.variants[i].code == "not-finite" and v is not None and v.shape == got.shape and \
                    np.array_equal(~np.isfinite(v), bad):
                return Diagnosis("not-finite", f"{said}: " + ex.variants[i].message.format(tensor=name) + ".", name)
    return Diagnosis("not-finite", f"{said}: a division by zero or an overflow somewhere in the derivative.", name)


def close_any(value: np.ndarray, ref: np.ndarray, tol: float) -> bool:
    """True when `value` holds `ref`, maybe in a different but equal-sized shape."""
    return value.size == ref.size and close(value.reshape(ref.shape), ref, tol)


def diagnose_value(name: str, got: np.ndarray, ref: np.ndarray, case: Case, ex: Exercise, tol: float,
                   variants: VariantRuns, context: dict[str, np.ndarray],
                   measured: Closeness | None = None) -> Diagnosis:
    """A gradient that came back wrong: a known variant, or what its shape and ratio to the reference say.
    `measured`: how far `got` is from `ref`, when the caller knows it already."""
    base, n = owner(name), case.n
    came = (f"{name} has shape {shape_str(got.shape)} but {base} has shape {shape_str(ref.shape)}"
            if got.shape != ref.shape else "")
    if came and not name.endswith(".g"):  # a forward value (`out`, `loss`): compared with the lesson's own
        came = f"{name} has shape {shape_str(got.shape)} where the lesson's {name} has shape {shape_str(ref.shape)}"
    for i, vrun in variants():
        v = vrun.values.get(name)
        if v is not None and v.shape == got.shape and close(got, v, tol, _variant_scale(vrun, name)):
            variant = ex.variants[i]
            lead = came or f"{name} is off ({_numbers(got, ref, measured)})"
            return Diagnosis(variant.code, f"{lead}: " + variant.message.format(tensor=name) + ".", name)
    if got.shape != ref.shape:
        return _diagnose_shape(name, got, ref, n, tol, came)
    c = best_scale(got, ref, tol)
    off = f"{name} is off ({_numbers(got, ref, measured)})"
    kind = "gradient" if name.endswith(".g") else "value"  # (`out`, `loss`: what the forward pass computed)
    if c is not None and abs(c - 1) < 1e-2:  # no factor to speak of: close, but not within the tolerance
        return Diagnosis("wrong-value", f"{off}: close to the expected {kind} but not within the tolerance — "
                         "precision was lost somewhere (a low-precision dtype, or a small term missing).", name)
    if c is not None and abs(c + 1) < 1e-3:
        if got.size == 1 and not name.endswith(".g"):
            return Diagnosis("sign-flipped", f"{off}: it is exactly minus the expected {name}. Check the sign of "
                             "the formula you wrote down.", name)
        return Diagnosis("sign-flipped", f"{off}: it is exactly minus the expected gradient. "
                         "Check the sign of the derivative you wrote down.", name)
    if c is not None and n > 1 and (abs(c - n) / n < 1e-3 or abs(c * n - 1) < 1e-3):
        how = f"{n}× too large" if c > 1 else f"{n}× too small"
        if not name.endswith(".g"):  # the loss itself, not a gradient: a sum where the mean belongs (or twice /n)
            return Diagnosis("batch-scale", f"{off}: it is {how} on a batch of {n} — off by the batch size. The "
                             "loss is the mean over the batch: divide the sum by n exactly once.", name)
        return Diagnosis("batch-scale", f"{off}: it is {how} on a batch of {n} — off by the batch size. The 1/n of "
                         "the loss's mean belongs in the gradient exactly once.", name)
    if c is not None and got.size == 1 and not name.endswith(".g"):  # any two numbers differ by a factor: a
        # loss off by one names nothing (a one-entry gradient still does, across batch sizes: see found.py)
        return Diagnosis("wrong-value", f"{name} is {got.item():.6g} where {ref.item():.6g} was expected: compare "
                         "your forward pass with the formula in the statement, one step at a time.", name)
    if c is not None:
        return Diagnosis("scale", f"{off}: it is a constant {c:.3g}× the expected gradient — a constant factor "
                         "is missing or extra somewhere in the derivative.", name)
    if ex.unit == "relu" and case.kind == "unit" and "up" in context:
        up = context["up"]
        masked = np.isclose(got, 0, atol=1e-12) | np.isclose(got, up, rtol=1e-5, atol=1e-12)
        if masked.all():
            return Diagnosis("wrong-mask", f"{off}: it passes the upstream gradient through in some places and "
                             "blocks it in others, but not in the right places. Which inputs let it through?", name)
    if kind == "value":
        return Diagnosis("wrong-value", f"{off}: this is what your forward pass computed. Compare it with the "
                         "lesson's formula for the layer, one step at a time.", name)
    return Diagnosis("wrong-value", f"{off}. Compare your derivation with the chain rule one entry at a time.", name)


_VARIANT_SCALES: dict[tuple[int, str], tuple[CaseRun, float]] = {}


def _variant_scale(vrun: CaseRun, name: str) -> float:
    """max|value| of a known variant's value: the variants' runs are made once (judge.variant_run), and a wrong
    answer is compared with each of them on every case, so each one's is computed once too."""
    key = (id(vrun), name)
    if key not in _VARIANT_SCALES:
        if len(_VARIANT_SCALES) > 4096:
            _VARIANT_SCALES.clear()
        _VARIANT_SCALES[key] = (vrun, largest_abs(vrun.values[name]))  # (holding the run: its id stays its own)
    return _VARIANT_SCALES[key][1]


def _diagnose_shape(name: str, got: np.ndarray, ref: np.ndarray, n: int, tol: float, came: str) -> Diagnosis:
    if ref.ndim == 2 and got.shape == ref.shape[::-1] and close(got.T, ref, tol):
        return Diagnosis("transposed", f"{came}: the values are right but transposed.", name)
    if ref.ndim == 2 and ref.shape[1] == 1 and got.shape == (ref.shape[0], ref.shape[0]) and ref.shape[0] > 1:
        return Diagnosis("broadcast-outer", f"{came}: a (n, 1) tensor combined with a (n,) tensor broadcasts to "
                         "(n, n), one entry per pair of examples.", name)
    if got.shape == (n,) + ref.shape and close(got.sum(0), ref, tol):
        return Diagnosis("not-summed-over-batch", f"{came}: it holds one entry per example of the batch; the "
                         f"parameter {owner(name)} is shared by all of them.", name)
    if got.size == ref.size and close(got.reshape(ref.shape), ref, tol):
        return Diagnosis("wrong-shape", f"{came}: the numbers are right, the shape is not. A gradient has "
                         "exactly the shape of its tensor; broadcasting would hide the difference later.", name)
    if got.ndim < ref.ndim or got.size < ref.size:
        return Diagnosis("wrong-reduction", f"{came}: something was summed or averaged away that should not be.",
                         name)
    if not name.endswith(".g") and ref.shape == ():
        return Diagnosis("wrong-shape", f"{came}: the loss is one number, the mean over the batch. Does your forward "
                         "pass end with the loss function and return its value (not the network's output, or one "
                         "loss per example)?", name)
    return Diagnosis("wrong-shape", f"{came}. A gradient has exactly the shape of the tensor it belongs to.", name)


def _numbers(got: np.ndarray, ref: np.ndarray, c: Closeness | None = None) -> str:
    c = c or closeness(got, ref, 0.0)
    return f"max abs error {c.max_abs:.3g} at index {list(c.worst)}, relative error {c.rel:.3g}"


def diagnose_globals(run: SubmissionRun) -> Diagnosis:
    """`uses-globals`: the names the code reads from outside its arguments, each said with where it came from."""
    where = [run.globals_where.get(n, f"your code reads `{n}`") for n in run.globals_used]
    said = "; ".join(where)
    if all(UNIMPORTABLE in w for w in where):  # a library the checker's Python does not have
        return Diagnosis("uses-globals", f"{said}: the check runs your code in the checker's own Python, so a library "
                         "it does not have cannot be used in the checked code: install it there, or leave it out "
                         "(a progress bar or a plot is not part of the gradient).")
    if all(NOWHERE in w for w in where):  # a helper from a cell not run (again, after a restart)?
        return Diagnosis("uses-globals", f"{said}: if it is a function or constant of yours, run the cell that "
                         "defines it (after a restart, the cells above this one); if it is data, use the arguments "
                         "(or self.…) instead.")
    return Diagnosis("uses-globals", f"{said}: a check keeps your functions, classes, imports and constants from every "
                     "cell, but not data, and inside the model your code gets its tensors as arguments. Use the "
                     "arguments (or self.…).")
