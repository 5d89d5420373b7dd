"""Probes that run only after learner code failed, to name the mistake by running it: `wrong-signature`.

A definition whose parameters come in another order than the lesson calls them (`lin_grad(inp, w, b, out)`)
raises when called the lesson's way. Called again with the same tensors in each other order, on the same
inputs, it runs and sets every gradient with the right shape: that order is what it expects. Nothing here
reads source text: only the call's outcome and the parameter list (`inspect.signature`).
"""
from __future__ import annotations

import inspect
import itertools
from typing import Any, Callable, Sequence

import torch


PROBE_SIZE = 200_000  # elements of all arguments together: the small cases are probed, the batch of 1000 is not


class WrongSignature(Exception):
    """Learner code that takes its arguments in another order, or another number, than the lesson passes them."""


class WrongAttribute(Exception):
    """Learner code that reads the upstream gradient from `out.grad` (PyTorch's name) instead of `out.g`."""


def explain_grad(call: Callable[[], Any], upstream: tuple[Any, Any] | None, targets: Sequence[Any],
                 error: Exception) -> None:
    """After a call raised: put the upstream gradient in `out.grad` too and call again. When it then runs, it read
    `.grad` where the lesson keeps `.g`: raise WrongAttribute (saying where it stored its own gradients)."""
    out, up = upstream or (None, None)
    if not isinstance(out, torch.Tensor) or not isinstance(error, (TypeError, AttributeError)):
        return
    try:
        out.grad = up
    except Exception:  # noqa: BLE001 - an odd tensor: the probe is only a help
        return
    try:
        call()
    except Exception:  # noqa: BLE001 - not the reason, then
        return
    finally:
        out.grad = None
    stored = all(isinstance(vars(t).get("g"), torch.Tensor) for t in targets if isinstance(t, torch.Tensor))
    raise WrongAttribute("your code reads `out.grad`, which the lesson never sets: the gradient flowing in from "
                         "above is in `out.g`" + ("" if stored else ", and the lesson reads the gradients you set "
                                                  "from `.g` too, not `.grad`"))


def call_in_order(fn: Callable[..., Any], args: Sequence[Any], names: Sequence[str], targets: Sequence[Any],
                  expected: str, upstream: tuple[Any, Any] | None = None) -> Any:
    """`fn(*args)`; when that raises, `explain` it (WrongSignature when another order or number is the reason,
    WrongAttribute when it reads the `upstream` = (out, out.g) gradient from `out.grad`)."""
    try:
        result = fn(*args)
    except Exception as e:
        explain(fn, args, names, targets, expected, e)
        explain_grad(lambda: fn(*args), upstream, targets, e)
        raise
    check_set(fn, args, names, targets, expected)
    return result


def check_set(fn: Callable[..., Any], args: Sequence[Any], names: Sequence[str], targets: Sequence[Any],
              expected: str) -> None:
    """After `fn(*args)` ran: when a target got no `.g` but another order of the arguments sets them all (say
    `mse_grad(targ, inp)`, which sets targ.g), raise WrongSignature; else leave every `.g` as the call set it."""
    if all(isinstance(vars(t).get("g"), torch.Tensor) for t in targets if isinstance(t, torch.Tensor)):
        return
    after = [(a, dict(vars(a))) for a in args if isinstance(a, torch.Tensor)]
    try:
        explain(fn, args, names, targets, expected, None)
    finally:
        for a, attrs in after:
            vars(a).clear()
            vars(a).update(attrs)


def explain(fn: Callable[..., Any], args: Sequence[Any], names: Sequence[str], targets: Sequence[Any],
            expected: str, error: Exception | None) -> None:
    """After `fn(*args)` raised `error`: raise WrongSignature when `fn` cannot take that many arguments, or when
    some other order of them runs and sets `.g` of its shape on every target; else return (the caller re-raises)."""
    if isinstance(error, MemoryError):  # calling again would only fill the memory limit again
        return
    params = _params(fn)
    if params is not None and inspect.ismethod(fn):
        params = ["self", *params]
    theirs = f"{_name(fn)}({', '.join(params)})" if params is not None else _name(fn)
    if params is not None and error is not None and not _binds(fn, len(args)):
        owner = type(getattr(fn, "__self__", None))
        if inspect.ismethod(fn) and fn.__name__ not in vars(owner):  # inherited: the base class's placeholder
            raise WrongSignature(f"your {owner.__name__} has no {fn.__name__} of its own: the lesson calls "
                                 f"{expected}, and the {theirs} it inherits from its base class is only a "
                                 f"placeholder. Define {fn.__name__} in {owner.__name__}") from None
        raise WrongSignature(f"the lesson calls {expected}, with {len(args)} arguments, but yours is {theirs}: "
                             "it cannot take them") from None
    if params is not None and [p for p in params if p != "self"] == list(names):
        return  # the lesson's own parameters in the lesson's order: the body misuses one (`out.shape[0]` in Mse.bwd)
    order = _other_order(fn, args, targets)
    if order is not None:
        as_called = ", ".join(names[i] for i in order)
        what = f"it raised {type(error).__name__}" if error is not None else "it set no gradient on some of them"
        raise WrongSignature(f"the lesson calls {expected}, but your {theirs} takes the arguments in another "
                             f"order: called the lesson's way {what}; given them as ({as_called}) it runs and "
                             "sets every gradient") from None


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _params(fn: Any) -> list[str] | None:
    try:
        return [p for p in inspect.signature(fn).parameters]
    except (TypeError, ValueError):
        return None


def _binds(fn: Any, n: int) -> bool:
    try:
        inspect.signature(fn).bind(*range(n))
        return True
    except TypeError:
        return False
    except ValueError:
        return True


def _other_order(fn: Callable[..., Any], args: Sequence[Any], targets: Sequence[Any]) -> tuple[int, ...] | None:
    """An order of `args` (not the given one) with which `fn` runs and sets `.g` of every target's shape."""
    if len(args) > 4 or sum(a.numel() for a in args if isinstance(a, torch.Tensor)) > PROBE_SIZE:
        return None  # (on the small cases only: re-running slow learner code 23 times must not time out)
    saved = [(a, dict(vars(a))) for a in args if isinstance(a, torch.Tensor)]
    for order in itertools.permutations(range(len(args))):
        if order == tuple(range(len(args))):
            continue
        for a, attrs in saved:  # every try starts from the attributes the harness set (out.g)
            vars(a).clear()
            vars(a).update(attrs)
        try:
            fn(*(args[i] for i in order))
        except Exception:  # noqa: BLE001 - this order does not fit either
            continue
        if all(isinstance(getattr(t, "g", None), torch.Tensor) and t.g.shape == t.shape for t in targets):
            return order
    return None
