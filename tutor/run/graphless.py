"""No autograd graph in a sandbox child, however grad mode is turned on.

Turning grad mode back on takes one line that no Python-level trap can catch for good (TorchScript's
`torch.set_grad_enabled`, the JIT operator `torch.ops.aten.set_grad_enabled`, an original function dug out with
`gc`). So the autograd dispatch keys are also excluded for this thread: every operator then skips the kernels that
record a graph, no operator's result gets a `grad_fn` (a learner's own `autograd.Function` still
does: its backward is the learner's code), and `torch.autograd.grad` / `aten::grad` / a `grad_fn` called by hand have
nothing to differentiate. Forward-mode AD lives in the same kernels, so it computes no tangent either. The few
bindings that change a thread's dispatch keys are trapped; new threads (which start with a fresh state) are refused
by the sandbox (`tutor.sandbox.seccomp`).
"""
from __future__ import annotations

from typing import Any, Callable

import torch

_AUTOGRAD_KEYS = ("AutogradFunctionality", "AutogradOther", "AutogradNestedTensor")


def autograd_keys() -> list[Any]:
    """The dispatch keys whose kernels record the autograd graph (and compute forward-mode tangents)."""
    return [getattr(torch._C.DispatchKey, k) for k in _AUTOGRAD_KEYS if hasattr(torch._C.DispatchKey, k)]


def lock_graph(trap: Callable[[str], Callable[..., Any]]) -> dict[int, tuple[Any, Any]]:
    """Exclude the autograd dispatch keys for this thread for good; trap what would include them again and torch's
    autograd operators (`torch.ops.aten.grad`, `backward`, `set_grad_enabled`), so the use is named. Returns the
    {id: (original, stand-in)} still to `sever`."""
    keys = autograd_keys()
    for key in keys:
        torch._C._dispatch_tls_set_dispatch_key_excluded(key, True)
    swaps: dict[int, tuple[Any, Any]] = {}
    for owner, name in _keys_changers():
        original = vars(owner)[name]
        stand_in = trap(f"{getattr(owner, '__name__', owner)}.{name} (autograd turned back on)")
        setattr(owner, name, stand_in)
        swaps[id(original)] = (original, stand_in)
    functorch = getattr(torch._C, "_functorch", None)
    for name in ("_grad_decrement_nesting", "_jvp_decrement_nesting"):  # (nothing to undo: never incremented)
        if functorch is not None and hasattr(functorch, name):
            setattr(functorch, name, trap("torch.func's autograd"))
    turn_on = trap("torch.ops.aten.set_grad_enabled(True)")

    def set_grad_enabled(mode: bool) -> None:
        if mode:
            turn_on()

    swaps.update(_lock_kernels_by_key(trap))  # (every operator's Python view is made here, before the lookup goes)
    # Looking an operator up by name finds nothing new from now on (every one is made already: `hasattr` on
    # `torch.ops.aten` still answers, as torch's own lookup of an unknown name does), so no original is kept in a
    # closure for learner code to dig out (`.__closure__` gave the real `aten::grad` before)
    get_operation = torch._C._jit_get_operation
    refused = {"aten::set_grad_enabled": set_grad_enabled, "aten::grad": trap("torch.ops.aten.grad()"),
               "aten::backward": trap("torch.ops.aten.backward()")}

    def jit_get_operation(name: str) -> Any:
        if name in refused:
            return refused[name], [""]
        raise RuntimeError(f"No such operator {name}")

    torch._C._jit_get_operation = jit_get_operation
    swaps[id(get_operation)] = (get_operation, jit_get_operation)
    swaps.update(_lock_jit_autodiff(trap))
    aten = torch.ops.aten  # (the namespace keeps what it resolved: these answer from now on)
    aten.set_grad_enabled = set_grad_enabled
    aten.grad, aten.backward = trap("torch.ops.aten.grad()"), trap("torch.ops.aten.backward()")
    return swaps


def _lock_jit_autodiff(trap: Callable[[str], Callable[..., Any]]) -> dict[int, tuple[Any, Any]]:
    """TorchScript's own autodiff: its graph executor, when optimizing with grad mode on (which TorchScript can
    turn on itself), differentiates subgraphs symbolically and attaches a `grad_fn` by hand, with no autograd
    dispatch key involved. Unoptimized, neither executor does: so optimizing is turned off, for good, and the
    bindings that differentiate a graph on request are trapped."""
    torch._C._set_graph_executor_optimize(False)
    original = torch._C._set_graph_executor_optimize
    turn_on = trap("TorchScript's autodiff (graph executor optimization turned back on)")

    def set_optimize(mode: bool) -> None:
        if mode:
            turn_on()
    torch._C._set_graph_executor_optimize = set_optimize
    swaps = {id(original): (original, set_optimize)}

    def get_optimize(new_settings: bool | None = None) -> bool:  # (the getter sets it too, given an argument)
        if new_settings:
            turn_on()
        return False

    legacy = trap("TorchScript's autodiff (the legacy executor, which differentiates when optimizing)")

    def set_profiling(mode: bool) -> bool:
        if not mode:
            legacy()
        return True
    for name, stand_in in (("_get_graph_executor_optimize", get_optimize), ("_jit_set_profiling_executor", set_profiling),
                           ("_jit_set_profiling_mode", set_profiling)):
        if hasattr(torch._C, name):
            swaps[id(getattr(torch._C, name))] = (getattr(torch._C, name), stand_in)
            setattr(torch._C, name, stand_in)
    for name in ("_jit_differentiate", "_jit_pass_create_autodiff_subgraphs"):  # the same symbolic autodiff, by hand
        if hasattr(torch._C, name):
            original, stand_in = getattr(torch._C, name), trap(f"TorchScript's autodiff (torch._C.{name})")
            setattr(torch._C, name, stand_in)
            swaps[id(original)] = (original, stand_in)
    return swaps


def _lock_kernels_by_key(trap: Callable[[str], Callable[..., Any]]) -> dict[int, tuple[Any, Any]]:
    """The bindings that call an operator's kernel for a dispatch key of the caller's choosing, skipping the
    thread's excluded keys: `torch.ops.aten.mm.default._op_dk(DispatchKey.Autograd, ...)` and a kernel from
    `_dispatch_get_computed_kernel_for_dispatch_key(...).call_boxed(keyset, ...)` reach autograd's kernel, which
    records a graph once grad mode is on (and TorchScript can turn it on). Every operator overload is made now
    (0.15 s, 7 MB in the worker) and its `_op_dk` trapped; no new one can be made (`_get_operation_overload`
    trapped: a learner's eager code never makes one), so no `_op_dk` with its original kernel call is left."""
    _make_every_overload()
    swaps: dict[int, tuple[Any, Any]] = {}
    op_dk = trap("an operator's kernel called by dispatch key (_op_dk)")
    import gc

    for op in gc.get_objects():  # (by type(): isinstance reads __class__, which warns on deprecated objects)
        if issubclass(type(op), torch._ops.OpOverload) and "_op_dk" in vars(op):
            original = op._op_dk
            op._op_dk = op_dk
            swaps[id(original)] = (original, op_dk)
    for owner, name in ((torch._C, "_get_operation_overload"),
                        (torch._C, "_dispatch_get_computed_kernel_for_dispatch_key"),
                        (getattr(torch._C, "_SafeKernelFunction", None), "call_boxed")):
        if owner is not None and name in vars(owner):
            original, stand_in = vars(owner)[name], trap(f"torch._C.{name} (a kernel called by dispatch key)")
            setattr(owner, name, stand_in)
            swaps[id(original)] = (original, stand_in)
    return swaps


def _make_every_overload() -> None:
    """Create the OpOverload of every operator the dispatcher knows (torch makes them lazily, on first use)."""
    for full in torch._C._dispatch_get_all_op_names():
        namespace, _, name = full.partition("::")
        packet_name, _, overload = name.partition(".")
        try:
            getattr(getattr(getattr(torch.ops, namespace), packet_name), overload or "default")
        except Exception:  # noqa: BLE001 - an operator with no Python view (a schema torch cannot show): no _op_dk
            pass


def _keys_changers() -> list[tuple[Any, str]]:
    """(owner, name): every binding that can take the autograd keys out of a thread's excluded set."""
    functorch = getattr(torch._C, "_functorch", None)
    found = [(torch._C, "_dispatch_tls_set_dispatch_key_excluded")]
    found += [(functorch, n) for n in ("_grad_increment_nesting", "_jvp_increment_nesting", "_func_increment_nesting",
                                       "_set_dynamic_layer_keys_included", "push_dynamic_layer_stack")]
    found += [(getattr(torch._C, n), "__init__") for n in ("_InferenceMode", "_ForceDispatchKeyGuard",
                                                           "_SetExcludeDispatchKeyGuard")]
    # An operator redispatched with a key set of the caller's choosing skips the thread's excluded keys:
    # `torch.ops.aten.mm.default.redispatch(<AutogradCPU | CPU>, ...)` would record a graph.
    found += [(getattr(torch._C, "_DispatchOperatorHandle", None), "redispatch_boxed")]
    return [(owner, name) for owner, name in found if owner is not None and name in vars(owner)]


def sever(swaps: dict[int, tuple[Any, Any]]) -> None:
    """Replace each original by its stand-in wherever Python holds it (dicts, module copies the interpreter keeps
    for re-imports, lists, sets, cells; tuples rebuilt and replaced in turn), so that `gc` digs up no original."""
    import gc
    import types

    frozen = gc.get_freeze_count()
    gc.unfreeze()  # (frozen objects are invisible to get_referrers)
    try:
        for _ in range(4):  # a rebuilt tuple is an original too: its holders are walked on the next round
            rebuilt: dict[int, tuple[Any, Any]] = {}
            ours = {id(swaps), *map(id, swaps.values())}  # (a set: scanning the pairs per holder took 2.4 s)
            for holder in gc.get_referrers(*(orig for orig, _ in swaps.values())):
                if id(holder) in ours:
                    continue
                if isinstance(holder, dict):
                    for k, v in list(holder.items()):
                        if id(v) in swaps and swaps[id(v)][0] is v:
                            holder[k] = swaps[id(v)][1]
                elif isinstance(holder, list):
                    holder[:] = [swaps[id(v)][1] if id(v) in swaps and swaps[id(v)][0] is v else v for v in holder]
                elif isinstance(holder, set):
                    hits = [v for v in holder if id(v) in swaps and swaps[id(v)][0] is v]
                    holder.difference_update(hits)
                    holder.update(swaps[id(v)][1] for v in hits)
                elif isinstance(holder, types.CellType):
                    try:
                        v = holder.cell_contents
                    except ValueError:  # (emptied meanwhile)
                        continue
                    if id(v) in swaps and swaps[id(v)][0] is v:
                        holder.cell_contents = swaps[id(v)][1]
                elif type(holder) is tuple:
                    rebuilt[id(holder)] = (holder, tuple(swaps[id(v)][1] if id(v) in swaps and swaps[id(v)][0] is v
                                                         else v for v in holder))
            if not rebuilt:
                break
            swaps = rebuilt
    finally:
        if frozen:
            gc.freeze()
