"""Tripwires while learner code runs: torch autograd (at its engine and every way in) and the shipped reference.

In a sandbox child, `lock_autograd()` makes autograd unreachable for good: grad mode is off and cannot be turned
on, torch's backward engine is replaced, and every public entry point (reverse and forward mode, `torch.func`)
raises `AutogradUsed` wherever its name was imported. In-process (no fork: Windows), `guarded()` does what can be
undone afterwards.
"""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import torch


class AutogradUsed(BaseException):
    """Learner code asked torch autograd for a gradient (BaseException: a bare `except Exception` can't hide it)."""


# What learner code did each time it reached a tripwire ("used torch autograd (Tensor.backward())"), kept even
# when it swallowed the exception.
TRIPPED: list[str] = []


def trip(deed: str) -> None:
    """Record that learner code did ``deed`` (it used something that differentiates for it) and stop it there."""
    TRIPPED.append(deed)
    raise AutogradUsed(f"your code {deed}: compute the gradient by hand")


def _tripwire(what: str) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        trip(f"used torch autograd ({what})")
    return fail


def imported_traps(namespace: dict[str, Any]) -> list[str]:
    """Names in learner code's namespace bound to an autograd entry point (`from torch.autograd import grad`)."""
    code = _tripwire("").__code__
    return [name for name, value in namespace.items() if getattr(value, "__code__", None) is code]


# (owner, attribute, what the learner is told): public entry points, reverse and forward mode.
def _entry_points() -> list[tuple[Any, str, str]]:
    import torch.autograd.forward_ad as fwad
    import torch.autograd.functional as fn
    import torch.func as func

    points = [(torch.Tensor, "backward", "Tensor.backward()"),
              (torch.autograd, "backward", "torch.autograd.backward()"),
              (torch.autograd, "grad", "torch.autograd.grad()")]
    points += [(fn, n, f"torch.autograd.functional.{n}()") for n in ("vjp", "jvp", "jacobian", "hessian", "hvp", "vhp")]
    points += [(func, n, f"torch.func.{n}()") for n in ("grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd",
                                                        "hessian", "linearize") if hasattr(func, n)]
    # (not unpack_dual: printing a tensor calls it, and without make_dual there is no tangent to unpack)
    points += [(fwad, n, f"torch.autograd.forward_ad.{n}()") for n in ("make_dual", "enter_dual_level")]
    return points


class _TrappedEngine:
    """Stands in for torch's autograd execution engine: every backward pass goes through it, and fails."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return _tripwire(f"torch's autograd engine ({name})")


class _NoGuard:
    """What `torch.inference_mode()` enters in a sandbox child: nothing (no graph is recorded there anyway)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


def _replace_everywhere(swaps: dict[int, tuple[Any, Any]]) -> None:
    """Replace each original object by its stand-in in every loaded module's namespace (imported names too)."""
    for module in list(sys.modules.values()):
        d = getattr(module, "__dict__", None)
        if not isinstance(d, dict):
            continue
        for key, value in list(d.items()):
            hit = swaps.get(id(value))
            if hit is not None and hit[0] is value:
                d[key] = hit[1]


def lock_autograd() -> None:
    """Make autograd unreachable in this process for good (a sandbox child, or the worker before it forks)."""
    import torch.autograd.forward_ad as fwad
    import torch.autograd.variable as variable

    torch._C._set_grad_enabled(False)  # no graph is ever recorded: no grad_fn to call, nothing to backward
    swaps: dict[int, tuple[Any, Any]] = {}

    def swap(original: Any, stand_in: Any) -> None:
        swaps[id(original)] = (original, stand_in)

    turn_on = _tripwire("torch.enable_grad / set_grad_enabled(True)")

    def set_grad_enabled(mode: bool) -> None:
        if mode:
            turn_on()

    trapped_inference = _tripwire("torch.inference_mode(False)")

    def inference(mode: bool = True) -> Any:  # (grad mode is off and no graph is recorded: nothing to do)
        return _NoGuard() if mode else trapped_inference()

    swap(torch._C._set_grad_enabled, set_grad_enabled)
    swap(torch._C._InferenceMode, inference)
    swap(torch._C._ImperativeEngine, _TrappedEngine)
    swap(torch._C._enter_dual_level, _tripwire("forward-mode autograd (dual_level)"))
    swap(torch._C._set_fwd_grad_enabled, _tripwire("forward-mode autograd"))
    for owner, name, what in _entry_points():
        original = getattr(owner, name)
        trap = _tripwire(what)
        swap(original, trap)
        setattr(owner, name, trap)  # class attributes (Tensor.backward) are not in a module namespace
    _replace_everywhere(swaps)
    variable.Variable._execution_engine = _TrappedEngine()
    fwad.dual_level.__enter__ = _tripwire("forward-mode autograd (dual_level)")  # type: ignore[method-assign]
    from .formulas import lock_formulas

    lock_formulas(_tripwire)  # torch's own derivative formulas (aten.threshold_backward, ...) are autograd too
    from .graphless import lock_graph, sever

    swaps.update(lock_graph(_tripwire))  # and no operator records a graph, whatever turns grad mode back on
    sever(swaps)  # the originals, wherever else Python holds them (gc would dig them up)


def skip_debuggers() -> None:
    """In a sandbox child, a left-over `pdb.set_trace()` / `breakpoint()` is skipped with a note in the output
    (there is no one to type at it: it would end the run with BdbQuit)."""
    import bdb

    def skipped(*args: Any, **kwargs: Any) -> None:
        print("[tutor: a debugger breakpoint in your code was skipped]")
    bdb.Bdb.set_trace = skipped  # type: ignore[method-assign]  (pdb, ipdb and IPython's debugger build on it)
    sys.breakpointhook = skipped


_SEALED = [False]  # a sandbox child: autograd locked for good and every reference function made to raise


def seal() -> None:
    """In a sandbox child, once `lock_autograd()` and the child's reference tripwires are in place: `guarded()`
    then has nothing to add (its call profiler would only slow the learner's code down, by up to 10%)."""
    _SEALED[0] = True


@contextmanager
def guarded(reference_codes: frozenset[types.CodeType]) -> Iterator[list[str]]:
    """In-process (no sandbox child): make the autograd entry points raise for a while, and list calls into the
    given reference code objects."""
    if _SEALED[0]:
        yield []
        return
    points = _entry_points()
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in points]
    for owner, name, what in points:
        setattr(owner, name, _tripwire(what))
    hits: list[str] = []

    def profile(frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in reference_codes:
            hits.append(getattr(frame.f_code, "co_qualname", frame.f_code.co_name))  # co_qualname: 3.11+

    old_profile = sys.getprofile()
    sys.setprofile(profile if reference_codes else old_profile)
    try:
        yield hits
    finally:
        sys.setprofile(old_profile)
        for owner, name, value in saved:
            setattr(owner, name, value)
