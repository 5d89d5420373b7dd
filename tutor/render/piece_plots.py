"""Each piece's own picture of its gradient, beside the yours-against-reference scatter.

relu: inp.g ÷ out.g against inp (a step); mse: inp.g against each example's residual (a line through 0);
cross-entropy: inp.g per digit class for a few examples, each example's label marked. They need what the piece
was given (`GradientSample.inputs`, from the judge); without it, or with a wrong shape, the generic plots apply.
"""
from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ..report import GradientSample
from .plots import DIVERGING, REFERENCE, YOURS, _figure, _pick, _scatter, common_scale

SHOWN_EXAMPLES = 8  # rows of the cross-entropy picture
CURVE_POINTS = 2000  # dots per curve: enough to see a step or a line, and each one costs drawing time


def piece_figure(sample: GradientSample, yours: np.ndarray, ref: np.ndarray) -> tuple[str, Figure] | None:
    """The piece's own figure for this sample, or None when it has none (or lacks what it needs)."""
    draw = {"relu": _relu_figure, "mse": _mse_figure, "cross_entropy": _cross_entropy_figure}.get(sample.unit)
    if draw is None or sample.tensor.rpartition(": ")[2] != "inp.g" or yours.shape != ref.shape:  # "Relu: inp.g"
        return None
    try:
        return draw(sample, yours, ref)
    except (KeyError, ValueError):  # inputs missing or of another size than the gradient: the generic plots
        return None


def _even(*arrays: np.ndarray) -> list[np.ndarray]:
    """The same evenly spaced CURVE_POINTS entries of each array (all of them when fewer)."""
    n = arrays[0].size
    keep = np.linspace(0, n - 1, CURVE_POINTS).astype(int) if n > CURVE_POINTS else np.arange(n)
    return [a[keep] for a in arrays]


def _curve_axes(fig: Figure, x: np.ndarray, ref_y: np.ndarray, your_y: np.ndarray, xlabel: str, ylabel: str):
    """The reference as large pale dots, yours as small dots on top, on one axes with a few ticks."""
    ax = fig.add_axes([0.09, 0.17, 0.56, 0.58])
    ax.plot(x, ref_y, "o", ms=7, alpha=0.35, mew=0, color=REFERENCE, gid="reference")
    ax.plot(x, your_y, ".", ms=4, alpha=0.8, color=YOURS, gid="yours")
    both = np.concatenate([ref_y[np.isfinite(ref_y)], your_y[np.isfinite(your_y)]])
    lo, hi = (float(both.min()), float(both.max())) if both.size else (-1.0, 1.0)
    pad = 0.12 * (hi - lo) or 0.5
    ax.set_ylim(lo - pad, hi + pad)
    ax.axhline(0, color="#999999", lw=0.6, zorder=0)
    ax.axvline(0, color="#999999", lw=0.6, zorder=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(4))
    ax.text(0, 1.03, "● yours", color=YOURS, transform=ax.transAxes)
    ax.text(0.18, 1.03, "● reference", color=REFERENCE, transform=ax.transAxes)
    return ax


def _relu_figure(sample: GradientSample, yours: np.ndarray, ref: np.ndarray) -> tuple[str, Figure]:
    """inp.g ÷ out.g against inp: the reference is a step (0 left of 0, 1 right of it)."""
    inp, up = (np.asarray(sample.inputs[k], dtype=float).reshape(ref.shape) for k in ("inp", "up"))
    keep = np.abs(up) > 1e-12 * max(float(np.abs(up).max()), 1e-300)  # out.g of 0 says nothing about the ratio
    x, r, y, u = _even(inp[keep], ref[keep], yours[keep], up[keep])
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ref_ratio, your_ratio = r / u, y / u
    fig = _figure(sample, "divided by out.g, against inp, one dot per entry: the reference is a step", 3.0)
    _curve_axes(fig, x, ref_ratio, your_ratio, "inp (what the ReLU got)", "inp.g ÷ out.g")
    _scatter(fig, [0.75, 0.17, 0.22, 0.58], yours, ref)
    return f"{sample.tensor}: ÷ out.g against inp", fig


def _mse_figure(sample: GradientSample, yours: np.ndarray, ref: np.ndarray) -> tuple[str, Figure]:
    """inp.g against each example's residual inp − targ: the reference is a line through 0."""
    inp, targ = (np.asarray(sample.inputs[k], dtype=float).reshape(-1) for k in ("inp", "targ"))
    residual = (inp - targ).reshape(ref.shape)
    x, r, y = _even(residual.ravel(), ref.ravel(), yours.ravel())
    fig = _figure(sample, "against each example's residual inp − targ, one dot per example", 3.0)
    _curve_axes(fig, x, r, y, "inp − targ (the residual)", "inp.g")
    _scatter(fig, [0.75, 0.17, 0.22, 0.58], yours, ref)
    return f"{sample.tensor}: against the residual", fig


def _cross_entropy_figure(sample: GradientSample, yours: np.ndarray, ref: np.ndarray) -> tuple[str, Figure]:
    """A few examples as rows of 10 digit classes, yours beside the reference, each example's label ringed."""
    targ = np.asarray(sample.inputs["targ"]).reshape(-1).astype(int)
    if ref.ndim != 2 or targ.size != ref.shape[0]:
        raise ValueError("labels and gradient rows differ")
    rows = _pick(yours, ref, min(SHOWN_EXAMPLES, ref.shape[0]))
    scale = common_scale(yours[rows], ref[rows])
    fig = _figure(sample, f"{len(rows)} examples (rows) × {ref.shape[1]} digit classes; ○ the example's label",
                  3.4)
    for left, label, values in ((0.1, "yours", yours), (0.4, "reference", ref)):
        ax = fig.add_axes([left, 0.24, 0.26, 0.52])
        ax.imshow(values[rows], cmap=DIVERGING, vmin=-scale, vmax=scale, interpolation="nearest", aspect="auto",
                  gid=label)
        for edge, width in (("white", 3.2), ("black", 1.4)):  # a ring that shows on dark and light cells
            ax.plot(targ[rows], np.arange(len(rows)), "o", ms=10, mfc="none", mec=edge, mew=width,
                    gid="labels" if edge == "black" else None)
        ax.set_title(label)
        ax.set_xticks(range(ref.shape[1]))
        ax.set_yticks(range(len(rows)), [f"ex. {i}" for i in rows] if left < 0.2 else [])
        ax.tick_params(length=0)
        ax.set_xlabel("class")
    fig.text(0.1, 0.015, f"colour: blue < 0 < red, on one scale ±{scale:.3g}", fontsize=10, va="bottom",
             color="#555555")
    _scatter(fig, [0.75, 0.17, 0.22, 0.58], yours, ref)
    return f"{sample.tensor}: per digit class", fig
