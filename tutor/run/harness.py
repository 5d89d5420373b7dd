"""Call learner code the way the lesson does: construct, forward, set `out.g`, backward; collect what came back."""
from __future__ import annotations

import inspect
from typing import Any

import torch

from .. import lesson
from ..cases import Case, model_inputs, unit_inputs
from ..exercises import Exercise
from .probe import WrongAttribute, WrongSignature, check_set, explain, explain_grad
from .repeat import small, step_again
from .misplaced import copies, returned_values
from .result import CaseRun, ErrorInfo, to_array
from .standin import DataStandIn
from .whole import LAYER, MODEL_GRADS, UPSTREAM, ForwardError, call_lin_grad, call_whole, split
from . import whole

_ROLES = {"linear": "Lin", "relu": "Relu", "mse": "Mse", "cross_entropy": "CrossEntropy"}


def forward(obj: Any, *args: Any) -> Any:
    """Run a layer's forward: through its `__call__` when it has one, else like the lesson's Module would."""
    if callable(obj) and "__call__" in {k for c in type(obj).__mro__[:-1] for k in vars(c)}:
        return obj(*args)
    obj.args, obj.inp = args, args[0]
    obj.out = obj.forward(*args)
    return obj.out


def backward(obj: Any, out: Any, *args: Any) -> Any:
    """Run a layer's backward: `backward()` when it has one, else `bwd(out, *args)` directly; return what it returned."""
    if not hasattr(obj, "backward"):
        return obj.bwd(out, *args)
    _takes_nothing(obj.backward)
    returned = []
    if callable(getattr(obj, "bwd", None)):  # Module.backward drops bwd's return value: keep it to diagnose
        original = obj.bwd

        def bwd(*a: Any, **kw: Any) -> Any:
            returned.append(original(*a, **kw))
            return returned[-1]
        obj.bwd = bwd
    result = obj.backward()
    return result if result is not None or not returned else returned[0]


def _takes_nothing(method: Any) -> None:
    """WrongSignature when a layer's `backward` cannot be called as the lesson calls it, with no argument
    (PyTorch's `backward(self, grad)`, say): the gradient flowing in is `self.out.g`."""
    try:
        inspect.signature(method).bind()
    except TypeError:
        theirs = ", ".join(inspect.signature(method).parameters)
        raise WrongSignature(f"the lesson calls backward() with no argument (the gradient flowing in is "
                             f"self.out.g, set by the step after it), but yours is backward({theirs})") from None
    except ValueError:  # (no signature to read)
        pass


def call_unit(ex: Exercise, entry: Any, t: dict[str, torch.Tensor]) -> tuple[dict[str, Any], Any]:
    """Run the piece alone on fresh tensors `t`; return (the tensors involved by name, what the call returned)."""
    if ex.unit == "model":
        return call_whole(ex.style, entry, t, call_unit)
    if ex.unit == "linear":
        inp, w, b = t["inp"], t["w"], t["b"]
        if ex.style == "function":
            return call_lin_grad(entry, t, ex.signature)
        # For the second step (small cases only): the first may change them in place.
        inp0, up0 = (inp.clone(), t["up"].clone()) if small(inp) else (None, None)
        layer = entry(w, b)
        out = _tensor(forward(layer, inp), ex)
        named = {"inp": inp, "out": out, "w": w, "b": b}
        out.g = t["up"]
        returned = _backward(ex, layer, out, (inp,), ("inp",), (inp, w, b), t["up"])

        def again_layer() -> None:
            inp2 = inp0.clone()
            out2 = forward(layer, inp2)
            out2.g = up0.clone()
            backward(layer, out2, inp2)
        if inp0 is not None:
            step_again(again_layer, {"w": w, "b": b}, "a second forward and backward of the same layer")
        named[LAYER] = layer
        return named, returned
    if ex.unit == "relu":
        layer, inp = entry(), t["inp"]
        out = _tensor(forward(layer, inp), ex)
        named = {"inp": inp, "out": out}
        out.g = t["up"]
        return named, _backward(ex, layer, out, (inp,), ("inp",), (inp,), t["up"])
    layer, inp, targ = entry(), t["inp"], t["targ"]
    loss = forward(layer, inp, targ)
    return {"inp": inp, "loss": loss, "targ": targ}, _backward(ex, layer, loss, (inp, targ), ("inp", "targ"), (inp,))


def _backward(ex: Exercise, layer: Any, out: Any, args: tuple, names: tuple[str, ...], targets: tuple,
              up: Any = None) -> Any:
    """`backward(layer, out, *args)`; when it raises, probe `bwd` for arguments in another order (wrong-signature)."""
    bwd = getattr(layer, "bwd", None)
    free = getattr(type(layer), "__wrapped__", None)  # the book's relu_grad(inp, out) / mse_grad(inp, targ)
    try:
        result = backward(layer, out, *args)
        if callable(free):
            fargs, fnames = ((args[0], out), ("inp", "out")) if ex.unit == "relu" else (args, names)
            check_set(free, fargs, fnames, targets, f"{getattr(free, '__name__', 'it')}({', '.join(fnames)})")
        elif callable(bwd) and ex.signature:
            check_set(bwd, (out, *args), ("out", *names), targets, ex.signature)
        return result
    except (WrongSignature, WrongAttribute):
        raise
    except Exception as e:
        explain_grad(lambda: layer.backward() if hasattr(layer, "backward") else layer.bwd(out, *args),
                     (out, up) if up is not None else None, targets, e)
        if callable(free):
            fargs, fnames = ((args[0], out), ("inp", "out")) if ex.unit == "relu" else (args, names)
            explain(free, fargs, fnames, targets, f"{getattr(free, '__name__', 'it')}({', '.join(fnames)})", e)
        elif callable(bwd) and ex.signature and "backward" not in vars(type(layer)):  # (its own backward raised)
            explain(bwd, (out, *args), ("out", *names), targets, ex.signature, e)
        raise


def _tensor(out: Any, ex: Exercise) -> torch.Tensor:
    if isinstance(out, DataStandIn):
        raise out.missing()
    if not isinstance(out, torch.Tensor):
        what = "`...` (not filled in yet)" if out is Ellipsis else f"a {type(out).__name__}"
        if type(out).__module__ == "torch.return_types":  # torch.max(inp, 0) and the like: (values, indices)
            what = f"the pair (values, indices) that torch.{type(out).__name__} gives with a dim"
        raise ForwardError(f"{ex.entry}.forward returned {what}, expected a tensor")
    return out


def call_model(ex: Exercise, entry: Any, t: dict[str, torch.Tensor]) -> tuple[dict[str, Any], Any]:
    """Run the lesson's 784-50-1 model with the learner's piece in its place and the reference elsewhere."""
    if ex.unit == "model":
        return call_whole(ex.style, entry, t, call_unit)
    if ex.style == "function":
        lesson.forward_and_backward(t["x"], t["y"], t["w1"], t["b1"], t["w2"], t["b2"], lin_grad=entry)
        return {k: t[k] for k in ("x", "w1", "b1", "w2", "b2")}, None
    cls = {role: getattr(lesson, role) for role in _ROLES.values()}
    cls[_ROLES[ex.unit]] = entry
    layers = [cls["Lin"](t["w1"], t["b1"]), cls["Relu"](), cls["Lin"](t["w2"], t["b2"])]
    loss_fn = cls["Mse" if t["y"].is_floating_point() else "CrossEntropy"]()  # integer labels: a classifier
    acts = [t["x"]]
    for layer in layers:
        acts.append(forward(layer, acts[-1]))
    loss = forward(loss_fn, acts[-1], t["y"])
    backward(loss_fn, loss, acts[-1], t["y"])
    if type(loss_fn) is entry:
        _handed_on(acts[-1], entry, type(layers[-1]).__name__)
    for i in reversed(range(len(layers))):
        backward(layers[i], acts[i + 1], acts[i])
        if type(layers[i]) is entry and i > 0:
            _handed_on(acts[i], entry, type(layers[i - 1]).__name__)
    return {k: t[k] for k in ("x", "w1", "b1", "w2", "b2")}, None


class WrongDtype(Exception):
    """The learner's piece handed the lesson's next piece a gradient of another dtype than its tensor's."""


def _handed_on(inp: torch.Tensor, piece: type, nxt: str) -> None:
    g = vars(inp).get("g")
    if isinstance(g, torch.Tensor) and g.dtype != inp.dtype:
        raise WrongDtype(f"your {piece.__name__} sets inp.g as {str(g.dtype).replace('torch.', '')} where inp is "
                         f"{str(inp.dtype).replace('torch.', '')}, and the model's {nxt} before it cannot use that "
                         "gradient (`@` of float32 and float64 raises). Look for a `.float()` (of targ, say) or a "
                         "tensor made with a dtype of its own; a 0-d tensor (`inp.squeeze()` at batch 1) takes the "
                         "other tensor's dtype in `inp.squeeze() - targ`")


_PREPARED: dict[tuple[str, Case], dict[str, torch.Tensor]] = {}  # fresh copies made while a sandbox child idles


def prepare_inputs(ex: Exercise, cases: tuple[Case, ...]) -> None:
    """Make the fresh copies one run of `ex` will take, ahead of time (an idle sandbox child: the run is then
    spared a few milliseconds of copying). Each is handed out once."""
    for case in cases:
        _PREPARED[(ex.name, case)] = inputs_for(ex, case)


def inputs_for(ex: Exercise, case: Case, copy: bool = True) -> dict[str, torch.Tensor]:
    """Fresh tensors for one run of the exercise on a case (copy=False: the case's own, to compare against)."""
    if copy and (ex.name, case) in _PREPARED:
        return _PREPARED.pop((ex.name, case))
    if ex.unit == "model":
        return whole.inputs(case, copy)
    return model_inputs(case, copy) if case.kind == "model" else unit_inputs(ex.unit, case, copy)


def expected_names(ex: Exercise, case: Case) -> tuple[str, ...]:
    """The values checked on a case: gradients, and the forward output for classes run alone."""
    if ex.unit == "model":
        return whole.expected(ex.style, case, ex.forward)
    if case.kind == "model":
        return MODEL_GRADS
    return ((ex.forward,) if ex.forward else ()) + ex.grads


def collect(ex: Exercise, case: Case, named: dict[str, Any], returned: Any, up: Any, run: CaseRun) -> None:
    """Read the gradients (and places a gradient may have been put by mistake) into `run`."""
    ups = [up, *named.get(UPSTREAM, ())]
    names = expected_names(ex, case)
    present = {split(k)[0] for k in named}
    for name in names:
        if split(name)[0] not in present:  # a piece the learner's code does not have (relu_grad, say)
            continue
        base, _, attr = name.partition(".")
        obj = named.get(base)
        value = getattr(obj, attr, _MISSING) if attr else obj
        if value is _MISSING:
            run.problems[name] = "missing"
        elif value is Ellipsis:
            run.problems[name] = "still `...`: this line is not filled in yet"
        elif isinstance(value, DataStandIn):  # made from a notebook global that holds data: as if it were missing
            run.error = run.error or ErrorInfo("NameError", str(value.missing()), kind="name-error")
        elif not isinstance(value, torch.Tensor):
            arr = to_array(value)
            run.problems[name] = arr if isinstance(arr, str) else \
                f"a {type(value).__module__}.{type(value).__name__}, not a tensor"
        else:
            arr = to_array(value)
            if isinstance(arr, str):
                run.problems[name] = arr
            else:
                run.values[name] = arr
                if attr == "g" and isinstance(obj, torch.Tensor) and _dtype(value) != _dtype(obj):
                    # kept beside the value: the judge names a wrong value first, else the dtype
                    run.problems[name] = f"a tensor of dtype {_dtype(value)}, but {split(base)[1]} is {_dtype(obj)}"
    for base, obj in named.items():
        if base.endswith(whole.RETURNED):
            returned_values(obj, base, run)
        if base == LAYER or base.endswith(f": {LAYER}"):
            copies(obj, named, run, base[:-len(LAYER)])
        if not isinstance(obj, torch.Tensor):
            continue
        grad = obj.grad
        if grad is not None and not any(grad is u for u in ups):
            arr = to_array(grad)
            if not isinstance(arr, str):
                run.extras[f"{base}.grad"] = arr
        for attr, value in vars(obj).items():
            key = f"{base}.{attr}"
            if attr == "g" and (key in names or any(value is u for u in ups)):
                continue
            arr = to_array(value)
            if not isinstance(arr, str):
                run.extras[key] = arr
    returned_values(returned, "returned", run)


def _dtype(t: torch.Tensor) -> Any:
    return torch.Tensor.dtype.__get__(t)  # (a subclass's own `dtype` does not get a say)


_MISSING = object()


def free_function_layer(unit: str, fn: Any) -> type:
    """The book's free gradient functions as a layer the lesson can call: `relu_grad(inp, out)` (out.g set
    upstream) and `mse_grad(inp, targ)`, around the lesson's own forward."""
    if unit == "relu":
        class Relu:
            def __call__(self, inp: Any) -> Any:
                self.inp, self.out = inp, inp.clamp_min(0.)
                return self.out

            def backward(self) -> Any:
                return fn(self.inp, self.out)
        layer: type = Relu
    else:
        class Mse:
            def __call__(self, inp: Any, targ: Any) -> Any:
                self.inp, self.targ = inp, targ
                self.out = (inp[:, 0] - targ).pow(2).mean()
                return self.out

            def backward(self) -> Any:
                return fn(self.inp, self.targ)
        layer = Mse
    layer.__wrapped__ = fn  # type: ignore[attr-defined]  (what the globals check looks inside)
    return layer
