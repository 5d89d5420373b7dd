"""The diagnoses found on every case, put in the order a learner should read them.

A piece's mistakes come before the model's; a mistake seen on a batch of more than one example is named before
(and instead of) what batch 1 alone suggests, where a sum over the batch and a reshape look alike; and a scale
that changes from case to case as n/K is one mistake, a batch size hard-coded as K (`batch-scale`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..cases import TOLERANCE, Case
from ..report import Diagnosis
from ..run.result import CaseRun
from .compare import best_scale, scale_estimate
from .diagnose import OWN_DTYPE


@dataclass
class Item:
    """One diagnosis, with the case it came from and (for a value off by a factor) what came back."""

    diagnosis: Diagnosis
    case: Case
    piece: str
    got: np.ndarray | None = None
    expected: np.ndarray | None = None


class Found:
    """Diagnoses collected case by case; `ordered()` gives them back in reading order."""

    def __init__(self) -> None:
        self.items: list[Item] = []

    def adder(self, case: Case, piece: str, crun: CaseRun,
              dtype: tuple[str, str] | None = None) -> Callable[..., None]:
        """A function adding a diagnosis made on `case` (for a piece run alone: said as "your lin_grad: ...").
        With `dtype` (name, problem): a value of the wrong dtype whose numbers are only imprecise is `wrong-dtype`."""
        def add(d: Diagnosis, got: Any = None, expected: Any = None) -> None:
            if dtype is not None and d.code == "wrong-value":
                d = Diagnosis("wrong-dtype", f"{dtype[0]} is {dtype[1]}: a gradient has the dtype of its tensor, "
                              "and the lost precision shows in its numbers (the checker runs float64 cases as well as "
                              f"the lesson's float32). Look for a `.half()`, `.float()` or {OWN_DTYPE}.", dtype[0])
            if piece:
                d.message = f"your {piece}: {d.message}"
                d.tensor = f"{piece}: {d.tensor}" if d.tensor else piece
            self.items.append(Item(d, case, piece, got, expected))
        return add

    def ordered(self, run: Any = None) -> list[Diagnosis]:
        """Pieces first, then bigger batches first; batch-1 guesses dropped where a bigger batch named the tensor."""
        items = [_one_entry(it) for it in _hard_coded_batch(self.items)]
        bigger = {it.diagnosis.tensor for it in items if it.case.n > 1 and it.diagnosis.severity == "error"}
        items = [it for it in items if not (it.case.n == 1 and it.diagnosis.tensor in bigger)]
        if any(it.diagnosis.code == "wrong-signature" for it in items):  # where it was not probed (a big batch)
            items = [it for it in items if it.diagnosis.code != "raises"]
        items.sort(key=lambda it: (not it.piece, it.case.n == 1))
        return [it.diagnosis for it in items]


def _hard_coded_batch(items: list[Item]) -> list[Item]:
    """A tensor off by c = n/K (or K/n) on every failing case, with one K for batches of different sizes n:
    the batch size was written as the number K. One `batch-scale` diagnosis replaces the per-case scales."""
    groups: dict[str, list[Item]] = {}
    for it in items:
        if it.diagnosis.code in ("scale", "batch-scale") and it.got is not None and it.expected is not None:
            groups.setdefault(it.diagnosis.tensor, []).append(it)
    replaced: dict[int, Item | None] = {}
    for tensor, group in groups.items():
        guesses = {it.case.n: scale_estimate(it.got, it.expected) for it in group}
        if any(c is None or c <= 0 for c in guesses.values()) or \
                (not _constant(guesses) and _constant_k(guesses) is None):  # (guesses are exact where it matters)
            continue  # not one factor on every batch size: nothing to replace (best_scale would say so, slower)
        factors = {}
        for it in group:
            c = best_scale(it.got, it.expected, TOLERANCE[it.case.dtype])
            if c is None or c <= 0:
                break
            factors[it.case.n] = c
        else:
            if _constant(factors):  # one factor on every batch size: a constant, even where it happens to be 1/n
                c = next(iter(factors.values()))
                message = (f"{tensor.split(': ', 1)[-1]} is {c:.4g}× the expected gradient on every batch size "
                           f"({', '.join(map(str, sorted(factors)))}): a constant factor is missing or extra "
                           "somewhere in the derivative.")
                first = group[0]
                if first.piece:
                    message = f"your {first.piece}: {message}"
                replaced[id(first)] = Item(Diagnosis("scale", message, tensor), first.case, first.piece)
                replaced.update({id(it): None for it in group[1:]})
                continue
            found = _constant_k(factors)
            if found is None:
                continue
            k, inverse = found
            said = ", ".join(f"{c:.4g}× on a batch of {n}" for n, c in sorted(factors.items()))
            how = f"{k:g}/n" if inverse else f"n/{k:g}"
            first = group[0]
            name = tensor.split(": ", 1)[-1]
            message = (f"{name} is off by a factor that follows the batch size n: {said} — {how} every time, so the "
                       f"batch size seems to be written as the number {k:g}. Use the size of the batch you are "
                       "given (e.g. inp.shape[0]), not a fixed number.")
            if k == 2:  # no number written at all: the 2 of the square and the 1/n of the mean, both missing
                message = (f"{name} is off by a factor that follows the batch size n: {said} — {how} every time: "
                           + ("a factor 2/n is missing, as in the derivative of a mean of squares (the 2 from the "
                              "square, the 1/n from the mean)." if not inverse else
                              "there is a factor 2/n too many (a mean over the batch and a 2?)."))
            if first.piece:
                message = f"your {first.piece}: {message}"
            d = Diagnosis("batch-scale", message, tensor)
            replaced[id(first)] = Item(d, first.case, first.piece)
            for it in group[1:]:
                replaced[id(it)] = None
    out = []
    for it in items:
        new = replaced.get(id(it), it)
        if new is not None:
            out.append(new)
    return out


def _one_entry(it: Item) -> Item:
    """A one-entry gradient (b.g of a width-1 layer) off by some factor on one case: any two numbers differ by a
    factor, so it names no constant unless the same one came back on every batch size (`_hard_coded_batch`)."""
    if it.diagnosis.code != "scale" or it.got is None or it.expected is None or np.size(it.got) != 1:
        return it
    name = it.diagnosis.tensor.split(": ", 1)[-1]
    got, expected = np.asarray(it.got).item(), np.asarray(it.expected).item()
    message = (f"{name} is {got:.6g} where {expected:.6g} was expected (its only entry): compare your derivation "
               "with the statement's, one factor at a time.")
    if it.piece:
        message = f"your {it.piece}: {message}"
    return Item(Diagnosis("wrong-value", message, it.diagnosis.tensor), it.case, it.piece, it.got, it.expected)


def _constant(factors: dict[int, float]) -> bool:
    """The same factor on at least two batch sizes."""
    cs = list(factors.values())
    return len(cs) >= 2 and all(abs(c - cs[0]) <= 1e-3 * abs(cs[0]) for c in cs)


def _constant_k(factors: dict[int, float]) -> tuple[float, bool] | None:
    """(K, inverse) when every factor is n/K (inverse=False) or K/n (inverse=True), one K ≠ 1, ≥ 2 batch sizes."""
    if len(factors) < 2:
        return None
    for inverse in (False, True):
        ks = [c * n if inverse else n / c for n, c in factors.items()]
        k = ks[0]
        if all(abs(x - k) <= 1e-3 * k for x in ks) and abs(k - 1) > 1e-3:
            return round(k, 6), inverse
    return None
