"""A second step, as a training loop takes it: gradients that come out differently the second time are wrong.

The lesson's training loop runs forward and backward again and again on the same weights and steps with
`w -= lr * w.g`, never clearing `.g`. Code that adds to `.g` instead of setting it, or whose backward changes
the model (reverses `self.layers` in place), is right once and wrong from the next step on.
"""
from __future__ import annotations

from typing import Any, Callable

import torch

ADDS_UP = ("does a backward add to .g (or keep what the last one left there) instead of setting it? The training "
           "loop never clears .g")
MODEL_CHANGED = ("a training loop calls the model again and again, so backward() has to leave it as it found it. "
                 "Does it change self.layers (reverse or pop it in place, or replace it) or another attribute?")


SMALL = 20_000  # a second step only where the input has at most this many entries: the cheap cases say it as well


def small(inp: Any) -> bool:
    """Whether a case is small enough for a second step (adding to .g shows on every case; the big ones cost)."""
    return isinstance(inp, torch.Tensor) and inp.numel() <= SMALL


class NotRepeatable(Exception):
    """Learner code whose second forward and backward, on the same tensors, raise or give other gradients."""


def same(got: Any, first: torch.Tensor) -> bool:
    """Whether `got` is a tensor equal to `first` (to float tolerance)."""
    return isinstance(got, torch.Tensor) and got.shape == first.shape and got.dtype == first.dtype and \
        torch.allclose(got, first, rtol=1e-5, atol=1e-8, equal_nan=True)


def grads_of(tensors: dict[str, Any]) -> dict[str, torch.Tensor]:
    """A copy of each tensor's `.g` that is a tensor (the first step's gradients)."""
    return {k: v.g.clone() for k, v in tensors.items() if isinstance(getattr(v, "g", None), torch.Tensor)}


def _changed(first: dict[str, torch.Tensor], tensors: dict[str, Any]) -> tuple[list[str], bool]:
    """The .g that changed since `first`, and whether every one of them doubled."""
    changed = {k: getattr(tensors[k], "g", None) for k, g in first.items() if not same(getattr(tensors[k], "g", None), g)}
    doubled = bool(changed) and all(same(now, 2 * first[k]) for k, now in changed.items())
    return [f"{k}.g" for k in changed], doubled


def _first_line(e: Exception) -> str:
    return f"{type(e).__name__}: {str(e).splitlines()[0][:300] if str(e) else ''}"


def step_again(again: Callable[[], Any], params: dict[str, Any], what: str) -> None:
    """Run `again()` (a second forward and backward on the same `params`): NotRepeatable when it raises or their
    gradients change. `what` names the second step, e.g. "a second backward on the same w and b"."""
    first = grads_of(params)
    if not first:
        return  # no gradient set the first time: that is said already
    try:
        again()
    except Exception as e:  # noqa: BLE001 - learner code: said as the mistake it is
        raise NotRepeatable(f"{what}, as the next step of a training loop, raised {_first_line(e)}: the gradients "
                            "have to come out the same every time") from None
    changed, doubled = _changed(first, params)
    if changed:
        raise NotRepeatable(_changed_message(f"{what}, as the next step of a training loop,", changed, doubled,
                                             "the gradients have to come out the same every time"))


def _changed_message(step: str, changed: list[str], doubled: bool, otherwise: str) -> str:
    names = ", ".join(changed[:3])
    return f"{step} gave {names} twice what the first gave: {ADDS_UP}" if doubled else \
        f"{step} changed {names}: {otherwise}"


def model_again(model: Any, t: dict[str, torch.Tensor], loss: Any, names: tuple[str, ...]) -> None:
    """Run the model's forward and backward once more on the same inputs: NotRepeatable when it raises, or when
    the loss or a gradient changes."""
    first = grads_of({k: t[k] for k in names})
    first_loss = loss.clone() if isinstance(loss, torch.Tensor) else loss
    what = "a second forward and backward on the same Model, with the same inputs"
    try:
        again = model(t["x"], t["y"])
        model.backward()
    except Exception as e:  # noqa: BLE001 - learner code: said as the mistake it is
        raise NotRepeatable(f"{what}, raised {_first_line(e)}: {MODEL_CHANGED}") from None
    changed, doubled = _changed(first, t)
    if isinstance(first_loss, torch.Tensor) and not same(again, first_loss):
        changed, doubled = ["the loss", *changed], False
    if changed:
        raise NotRepeatable(_changed_message(f"{what},", changed, doubled, MODEL_CHANGED))
