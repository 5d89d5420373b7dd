"""Numbers: how far a returned gradient is from the expected one, under the stated tolerance."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class Closeness:
    """Distance between two same-shape arrays: max abs error, normwise relative error, and where."""

    ok: bool
    max_abs: float
    rel: float
    worst: tuple[int, ...]


def closeness(got: np.ndarray, expected: np.ndarray, tol: float, scale: float | None = None) -> Closeness:
    """Compare same-shape arrays: relative error = max|got - expected| / max|expected|, pass when <= tol.

    `scale` is max|expected| when the caller already knows it (the reference's is fixed per case)."""
    if got.size == 0:
        return Closeness(True, 0.0, 0.0, ())
    with np.errstate(over="ignore", invalid="ignore"):  # (float32 values near its limit: inf, said as such)
        diff = np.subtract(got, expected)  # in the arrays' own (promoted) dtype: float64 copies cost more than they add
    diff = np.abs(diff, out=diff) if isinstance(diff, np.ndarray) else np.abs(np.asarray(diff))  # (0-d: a scalar)
    flat = int(diff.argmax())  # the first nan, when there is one
    max_abs = float(diff.flat[flat])
    # (a gradient is checked dozens of times a run, most of them small: the index is worked out by hand there)
    worst = (flat,) if diff.ndim == 1 else () if diff.ndim == 0 else tuple(map(int, np.unravel_index(flat, diff.shape)))
    if not math.isfinite(max_abs):
        max_abs = math.inf
    if scale is None:
        scale = largest_abs(expected)
    rel = max_abs / max(scale, 1e-12)
    return Closeness(rel <= tol, max_abs, rel, worst)


def close(got: np.ndarray, expected: np.ndarray, tol: float, scale: float | None = None) -> bool:
    """True when shapes are equal and values within tolerance (`scale`: max|expected|, when known)."""
    if got.shape != expected.shape:
        return False
    if got.size > 8192:
        scale = largest_abs(expected) if scale is None else scale
        if _far_on_a_sample(got.ravel(), expected.ravel(), tol, scale):
            return False
    return closeness(got, expected, tol, scale=scale).ok


def largest_abs(a: np.ndarray) -> float:
    """max|a|, without a copy of `a`."""
    return max(float(a.max()), -float(a.min())) if a.size else 0.0


def _far_on_a_sample(got: np.ndarray, expected: np.ndarray, tol: float, scale: float) -> bool:
    """Whether every 64th entry alone already puts the arrays beyond the tolerance (a wrong guess rejected
    without the full pass; False proves nothing)."""
    with np.errstate(all="ignore"):
        gap = float(np.max(np.abs(got[::64] - expected[::64])))
    return gap / max(scale, 1e-12) > tol  # (nan compares False: left to the full pass)


def best_scale(got: np.ndarray, expected: np.ndarray, tol: float) -> float | None:
    """The constant c with got ≈ c·expected (within tolerance), or None when no constant fits."""
    dtype = np.result_type(got, expected, np.float32)  # (BLAS dot products: float32 ones are precise enough)
    g, e = got.astype(dtype, copy=False).ravel(), expected.astype(dtype, copy=False).ravel()
    denom = float(e @ e)
    if g.shape != e.shape or denom == 0.0:
        return None
    c = float(g @ e) / denom
    if c == 0.0:
        return None
    return c if closeness(g, c * e, max(tol, 1e-6)).ok else None


def scale_estimate(got: np.ndarray, expected: np.ndarray) -> float | None:
    """A first guess at best_scale's constant, from at most ~4096 evenly spread entries (exact when `got` is a
    constant times `expected`); None when the shapes differ or the guess is 0."""
    if got.shape != expected.shape:
        return None
    step = max(1, got.size // 4096)
    g, e = got.ravel()[::step].astype(np.float64), expected.ravel()[::step].astype(np.float64)
    denom = float(e @ e)
    if denom == 0.0:  # (every sampled entry 0: read them all)
        g, e = got.astype(np.float64).ravel(), expected.astype(np.float64).ravel()
        denom = float(e @ e)
    c = float(g @ e) / denom if denom else 0.0
    return c or None


def shape_str(shape: tuple) -> str:
    """`(50, 1)`, `(50,)`, `()` — shapes as the learner would type them."""
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
