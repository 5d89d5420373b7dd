"""torch's own derivative formulas made unreachable in a sandbox child: the aten `*_backward` operators (at the
dispatcher, however they are reached: `torch.ops.aten`, `torch._C`, an operator handle) and the Python formulas of
`torch._decomp`. `aten.threshold_backward(out.g, inp, 0)` is ReLU's gradient, written by torch, not by the learner.
"""
from __future__ import annotations

import builtins
import sys
import warnings
from typing import Any, Callable

import torch

_KEYS = ("CompositeImplicitAutograd", "CompositeExplicitAutograd", "CompositeExplicitAutogradNonFunctional")
_PY_MODULES = ("torch._decomp", "torch._refs", "torch.nn.grad")
_LIBRARY: list[Any] = []  # the registrations live as long as the process


def _cpu_keys() -> tuple[str, ...]:
    """Every backend a CPU tensor can take, each with kernels of its own: dense `CPU`, `SparseCPU`, `SparseCsrCPU`,
    `NestedTensorCPU`, `QuantizedCPU` (torch's enum names them) and `MkldnnCPU` (a tensor after `.to_mkldnn()`,
    which the enum does not name)."""
    named = {k for k in dir(torch._C.DispatchKey) if k.endswith("CPU") and not k.startswith(("Autograd", "Autocast"))}
    keys = []
    for key in sorted(named | {"MkldnnCPU"}):
        try:  # (a key this torch does not know: nothing to lock)
            torch._C._dispatch_has_kernel_for_dispatch_key("aten::threshold_backward", key)
        except (RuntimeError, TypeError, ValueError):
            continue
        keys.append(key)
    return tuple(keys)


def _formula_used(*args: Any, **kwargs: Any) -> None:
    """The code every Python formula runs instead of its own (it sees only builtins: its globals are torch's)."""
    __tutor_formula_used__()  # type: ignore[name-defined]  # noqa: F821  (put in builtins by lock_formulas)


def _numerical_used(*args: Any, **kwargs: Any) -> None:
    """The code torch's numerical differentiation runs instead of its own (gradcheck's finite differences)."""
    __tutor_numerical_used__()  # type: ignore[name-defined]  # noqa: F821  (put in builtins by lock_formulas)


def lock_formulas(trap: Callable[[str], Callable[..., Any]]) -> int:
    """Make every aten backward operator and every Python backward formula of torch call `trap(what)`'s function;
    return how many were locked. For a process that never computes a gradient with torch again."""
    from torch.library import Library

    lib = Library("aten", "IMPL")
    _LIBRARY.append(lib)
    count, backends = 0, _cpu_keys()
    for full in torch._C._dispatch_get_all_op_names():
        if not full.startswith("aten::") or "backward" not in full:
            continue
        keys = [k for k in backends + _KEYS if torch._C._dispatch_has_kernel_for_dispatch_key(full, k)]
        if "CompositeImplicitAutograd" in keys:
            keys.append("AutogradCPU")  # (a composite kernel also answers the autograd key: take that too)
        for key in keys:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "overriding a previously registered kernel": that is the point
                try:
                    lib.impl(full[6:], trap(f"torch's derivative formula {full}"), key)
                except RuntimeError:  # (a torch release that refuses one registration: lock the others)
                    continue
            count += 1
    return count + _lock_python_formulas(trap)


def _lock_python_formulas(trap: Callable[[str], Callable[..., Any]]) -> int:
    """The Python formulas (torch._decomp's `threshold_backward`, ...): their code raises wherever they are held;
    the decomposition tables and module namespaces are rewritten too (for wrappers with closures)."""
    import torch._decomp as decomp

    formula = trap("torch's derivative formulas (torch._decomp)")
    builtins.__tutor_formula_used__ = formula  # type: ignore[attr-defined]
    numerical = _lock_numerical(trap)
    swaps: dict[int, Any] = {}
    tables = [decomp.decomposition_table, *decomp.global_decomposition_table.values()]
    for table in tables:
        for op, fn in list(table.items()):
            if "backward" in str(op):
                swaps[id(fn)] = fn
                table[op] = formula
    for name, module in list(sys.modules.items()):
        if not name.startswith(_PY_MODULES):
            continue
        for key, value in list(vars(module).items()):
            if "backward" in key and callable(value) and not isinstance(value, type):
                swaps[id(value)] = value
                setattr(module, key, formula)
    _make_raise(swaps.values(), _formula_used)
    return len(swaps) + numerical


def _lock_numerical(trap: Callable[[str], Callable[..., Any]]) -> int:
    """torch's numerical differentiation (`torch.autograd.gradcheck.get_numerical_jacobian` and its helpers: finite
    differences, exact for a quadratic such as the mse at any step): differentiating for the learner, like mpmath."""
    import torch.autograd.gradcheck  # noqa: F401  (as an attribute, torch.autograd.gradcheck is the function)

    gradcheck = sys.modules["torch.autograd.gradcheck"]
    builtins.__tutor_numerical_used__ = trap(  # type: ignore[attr-defined]
        "torch's numerical differentiation (torch.autograd.gradcheck)")
    found = [v for k, v in vars(gradcheck).items() if "numerical" in k and callable(v) and not isinstance(v, type)]
    _make_raise(found, _numerical_used)
    return len(found)


def _make_raise(functions: Any, stand_in: Callable[..., None]) -> None:
    """Give every function, and each one down its decorator chain, `stand_in`'s code: held anywhere, it raises."""
    for fn in functions:
        while fn is not None:
            code = getattr(fn, "__code__", None)
            if code is not None and not code.co_freevars:
                fn.__code__ = stand_in.__code__
            fn = getattr(fn, "__wrapped__", None)
