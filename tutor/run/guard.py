"""Tripwires while learner code runs: autograd calls and calls into the shipped reference."""
from __future__ import annotations

import sys
import types
from contextlib import contextmanager
from typing import Any, Iterator

import torch


class AutogradUsed(BaseException):
    """Learner code asked torch autograd for a gradient (BaseException: a bare `except Exception` can't hide it)."""


def _tripwire(what: str):
    def fail(*args: Any, **kwargs: Any) -> None:
        raise AutogradUsed(f"{what} was called: compute the gradient by hand, without autograd")
    return fail


_AUTOGRAD = [(torch.Tensor, "backward", "Tensor.backward()"),
             (torch.autograd, "backward", "torch.autograd.backward()"),
             (torch.autograd, "grad", "torch.autograd.grad()"),
             (torch.func, "grad", "torch.func.grad()"),
             (torch.func, "vjp", "torch.func.vjp()"),
             (torch.autograd.functional, "vjp", "torch.autograd.functional.vjp()"),
             (torch.autograd.functional, "jacobian", "torch.autograd.functional.jacobian()")]


@contextmanager
def guarded(reference_codes: frozenset[types.CodeType]) -> Iterator[list[str]]:
    """Make autograd entry points raise, and list calls into the given reference code objects."""
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in _AUTOGRAD]
    for owner, name, what in _AUTOGRAD:
        setattr(owner, name, _tripwire(what))

    hits: list[str] = []

    def profile(frame: types.FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code in reference_codes:
            hits.append(frame.f_code.co_qualname)

    old_profile = sys.getprofile()
    sys.setprofile(profile if reference_codes else old_profile)
    try:
        yield hits
    finally:
        sys.setprofile(old_profile)
        for owner, name, value in saved:
            setattr(owner, name, value)
