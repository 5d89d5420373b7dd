"""Gradient plots drawn from a report's samples (yours beside the reference); never recomputes a gradient.

Figures are plain `matplotlib.figure.Figure` objects rendered with Agg, never registered with pyplot,
so nothing leaks into a notebook's global figure state. For speed, each figure has at most two axes:
heatmaps and 28×28 tiles are composed into one RGBA `Picture` (picture.py) and labelled with text, since
tick labels are slow to draw.
"""
from __future__ import annotations

import io
import threading

import matplotlib
import numpy as np
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from ..report import CheckReport, GradientSample
from .picture import Picture, as_bytes, colour, key

TILES = 5  # hidden units (or examples) shown as 28×28 images
MAX_POINTS = 5000  # scatter points per gradient
MAX_BARS = 60  # bias entries shown as bars
YOURS, REFERENCE = "#e66101", "#5e3c99"
DIVERGING = matplotlib.colormaps["RdBu_r"].with_extremes(bad="#bbbbbb")
SEQUENTIAL = matplotlib.colormaps["Greys"].with_extremes(bad="#bbbbbb")
# Unhinted glyphs draw about a third faster, and text is most of the time spent.
# Shown at 96 px per inch, a point is 4/3 of a CSS pixel: 9.5 pt (12.7 px) is the smallest text drawn.
FONT = {"text.hinting": "no_hinting", "font.size": 10.5, "axes.titlesize": 10.5, "axes.labelsize": 10.5,
        "xtick.labelsize": 10, "ytick.labelsize": 10}
WIDTH = 8.4  # inches: 806 CSS px as shown (html.PLOT_DPI / 2 = 96 px per inch)
# rc_context swaps matplotlib's global rcParams: two threads (the grader judges in a pool) must not interleave.
_STYLE_LOCK = threading.RLock()


def figures(report: CheckReport) -> list[tuple[str, Figure]]:
    """One (title, Figure) per gradient sample; samples where nothing came back share one panel."""
    failed = {(c.case, c.tensor) for c in report.checks if not c.passed}
    samples = sorted(report.samples, key=lambda s: (s.case, s.tensor) not in failed)  # wrong ones first
    out = []
    with _STYLE_LOCK, matplotlib.rc_context(FONT):
        for sample in samples:
            if sample.learner is not None:
                out.append(gradient_figure(sample))
        missing = [s for s in samples if s.learner is None]
        if missing:
            names = ", ".join(dict.fromkeys(s.tensor for s in missing))
            text = f"Nothing came back for {names} (case {missing[0].case}), so there is nothing to plot."
            out.append((f"{names}: nothing came back", _text_figure(text)[1]))
    return out


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from the PNG header."""
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def png_images(report: CheckReport, dpi: int = 72) -> list[tuple[str, bytes]]:
    """The report's figures as (title, PNG bytes); no figure outlives the call (none is known to pyplot)."""
    images = []
    with _STYLE_LOCK, matplotlib.rc_context(FONT):
        for title, fig in figures(report):
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
            images.append((title, buf.getvalue()))
    return images


def gradient_figure(sample: GradientSample) -> tuple[str, Figure]:
    """The right figure for one sample: shape panel, tiles, heatmaps or bars, each with a scatter."""
    ref = np.asarray(sample.reference, dtype=float)
    raw = np.asarray(sample.learner)
    if raw.dtype.kind not in "biuf":
        return _text_figure(f"{sample.tensor}: what came back is not real numbers (dtype {raw.dtype})")
    yours = raw.astype(float)
    # Beyond ±1e100 nothing is readable anyway, and axis arithmetic would overflow.
    yours = np.where(np.isfinite(yours), np.clip(yours, -1e100, 1e100), yours)
    if yours.shape != ref.shape:
        return _shape_figure(sample, yours.shape, ref.shape)
    if sample.unit and sample.inputs:
        from .piece_plots import piece_figure  # imports this module

        own = piece_figure(sample, yours, ref)
        if own is not None:
            return own
    if ref.ndim == 2 and sample.image_shape and 784 in ref.shape:
        return _tiles_figure(sample, yours, ref)
    if ref.ndim == 2 and min(ref.shape) > 1:
        return _heatmap_figure(sample, yours, ref)
    return _bars_figure(sample, yours.ravel(), ref.ravel())


def _figure(sample: GradientSample, what: str, height: float) -> Figure:
    fig = Figure(figsize=(WIDTH, height))
    fig.text(0.01, 0.98, f"{sample.tensor} — {what}", fontsize=11.5, fontweight="bold", va="top")
    fig.text(0.01, 0.98 - 0.21 / height, sample.case, fontsize=10, color="#555555", va="top")
    return fig


def common_scale(*arrays: np.ndarray) -> float:
    """Largest finite |value| over the arrays (1.0 when all are zero): one colour scale for all of them."""
    peaks = [np.abs(a[np.isfinite(a)]).max() for a in arrays if np.isfinite(a).any()]
    return float(max(peaks, default=0.0)) or 1.0


def _difference(yours: np.ndarray, ref: np.ndarray, scale: float) -> tuple[np.ndarray, float]:
    """|yours − reference| and the top of its own scale, never below 1% of the values' scale.

    The floor keeps the rounding noise of a right gradient from being stretched into a loud pattern.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.abs(yours - ref)
    top = float(diff[np.isfinite(diff)].max()) if np.isfinite(diff).any() else 0.0
    return diff, max(top, 0.01 * scale)


AGREE = "yours and the reference agree everywhere (difference < 1% of the scale)"


def _agree(diff: np.ndarray, scale: float) -> bool:
    """Every |yours − reference| finite and below 1% of the values' scale: its panel would be blank."""
    return bool(np.isfinite(diff).all() and np.max(diff, initial=0.0) < 0.01 * scale)


def scatter_points(yours: np.ndarray, ref: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """(reference, yours, how many non-finite left out): finite pairs, evenly subsampled to MAX_POINTS."""
    x, y = ref.ravel(), yours.ravel()
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size > MAX_POINTS:
        keep = np.linspace(0, x.size - 1, MAX_POINTS).astype(int)
        x, y = x[keep], y[keep]
    return x, y, int((~ok).sum())


def _scatter(fig: Figure, rect: list[float], yours: np.ndarray, ref: np.ndarray) -> None:
    """Yours against the reference, entry by entry: a right gradient lies on the dashed y = x."""
    ax = fig.add_axes(rect)
    x, y, skipped = scatter_points(yours, ref)
    lim = 1.08 * common_scale(x, y)
    ax.axline((0, 0), slope=1, color="#777777", lw=0.8, ls="--", zorder=1)
    ax.axhline(0, color="#dddddd", lw=0.6, zorder=0)
    ax.axvline(0, color="#dddddd", lw=0.6, zorder=0)
    ax.plot(x, y, ".", ms=3 if x.size > 100 else 6, alpha=0.6, color=YOURS, zorder=2, gid="scatter")
    ax.set(xlim=(-lim, lim), ylim=(-lim, lim), xticks=[], yticks=[])
    ax.set_aspect("equal", adjustable="box")
    # Axis names and extent written as text instead of tick labels: ticks are slow to draw.
    ax.text(0.5, -0.03, "reference", ha="center", va="top", fontsize=10, transform=ax.transAxes)
    ax.text(-0.03, 0.5, "yours", ha="right", va="center", rotation=90, fontsize=10, transform=ax.transAxes)
    ax.text(0.98, 0.02, f"axes ±{lim:.3g}", ha="right", va="bottom", fontsize=9.5, color="#555555",
            transform=ax.transAxes)
    note = f"; {skipped} non-finite not shown" if skipped else ""
    if skipped:
        fig.text(0.99, 0.01, "grey cells: NaN or inf", ha="right", va="bottom", fontsize=10, color="#555555")
    ax.set_title(f"one dot per entry{note}\nright ⇔ on the dashed y = x", fontsize=10)


def _picture_axes(fig: Figure, rect: list[float], picture: Picture) -> None:
    """Draw a composed picture with its text labels on a tickless axes."""
    ax = fig.add_axes(rect)
    ax.imshow(as_bytes(picture.pixels), interpolation="nearest", aspect=picture.aspect, gid="picture")
    ax.set_axis_off()
    for x, y, text, style in picture.labels:
        ax.text(x, y, text, clip_on=False, **style)


def _pick(yours: np.ndarray, ref: np.ndarray, k: int) -> np.ndarray:
    """The k rows carrying the most gradient (reference plus difference), in index order."""
    with np.errstate(invalid="ignore", over="ignore"):
        weight = np.nan_to_num(np.abs(ref).sum(1) + np.abs(yours - ref).sum(1), nan=np.inf)
    return np.sort(np.argsort(-weight, kind="stable")[:k])


def _tiles_figure(sample: GradientSample, yours: np.ndarray, ref: np.ndarray) -> tuple[str, Figure]:
    """A 784-pixel gradient as 28×28 tiles: yours above the reference above |difference|, plus a scatter."""
    per_unit = ref.shape[0] == 784  # w1.g (784, k): one image per hidden unit; x.g (n, 784): per example
    rows_y, rows_r = (yours.T, ref.T) if per_unit else (yours, ref)
    picked = _pick(rows_y, rows_r, min(TILES, len(rows_r)))
    what = "unit" if per_unit else "example"
    scale = common_scale(yours, ref)
    diff, top = _difference(rows_y[picked], rows_r[picked], scale)
    h, w = sample.image_shape
    signed, unsigned = Normalize(-scale, scale, clip=True), Normalize(0, top, clip=True)
    pic = Picture()
    panels = [("yours", rows_y[picked], DIVERGING, signed, 2), ("reference", rows_r[picked], DIVERGING, signed, 5)]
    if not _agree(diff, scale):  # a blank |difference| row looks like an image that failed to load
        panels.append(("|yours − ref|\nown scale", diff, SEQUENTIAL, unsigned, 0))
    for label, rows, cmap, norm, gap in panels:
        top_row = pic.height
        for j, row in enumerate(rows):
            pic.framed(colour(row.reshape(h, w), cmap, norm), top_row, j * (w + 3))
        pic.label(-2, top_row + h / 2 + 1, label, ha="right", va="center", fontsize=10.5)
        pic.grow(gap)
    for j, unit in enumerate(picked):
        pic.label(j * (w + 3) + w / 2 + 1, -1.5, f"{what} {unit}", ha="center", va="bottom", fontsize=10)
    right = len(picked) * (w + 3) + 1
    key(pic, DIVERGING, signed, 0, 2 * h + 6, right)
    if len(panels) == 3:
        key(pic, SEQUENTIAL, unsigned, 2 * h + 11, h + 2, right)
    else:
        pic.label(0, pic.height + 1, AGREE,
                  ha="left", va="top", fontsize=10)
    fig = _figure(sample, f"each {what} as a {h}×{w} image; yours and the reference on one colour scale", 3.7)
    _picture_axes(fig, [0.12, 0.03, 0.5, 0.8], pic)
    _scatter(fig, [0.74, 0.13, 0.22, 0.64], yours, ref)
    return f"{sample.tensor}: {what}s as {h}×{w} images", fig


def _heatmap_figure(sample: GradientSample, yours: np.ndarray, ref: np.ndarray) -> tuple[str, Figure]:
    """A 2-D gradient as heatmaps: yours, reference (one scale), |difference| (own scale), plus a scatter."""
    scale = common_scale(yours, ref)
    diff, top = _difference(yours, ref, scale)
    signed, unsigned = Normalize(-scale, scale, clip=True), Normalize(0, top, clip=True)
    # Blow cells up to whole pixels (~120 across) so frames and gaps stay thin next to the cells.
    grow_y, grow_x = max(1, 120 // ref.shape[0]), max(1, 120 // ref.shape[1])
    rows, cols = ref.shape[0] * grow_y, ref.shape[1] * grow_x
    gap, bar = max(2, cols // 10), max(3, rows // 14)
    pic = Picture(aspect="auto")
    panels = [("yours", yours, DIVERGING, signed), ("reference", ref, DIVERGING, signed)]
    agree = _agree(diff, scale)
    if not agree:  # a blank |difference| panel looks like an image that failed to load
        panels.append(("|yours − ref|, own scale", diff, SEQUENTIAL, unsigned))
    for i, (label, values, cmap, norm) in enumerate(panels):
        left = i * (cols + 2 + gap) + (2 * gap if i == 2 else 0)
        cells = np.repeat(np.repeat(values, grow_y, 0), grow_x, 1)
        pic.framed(colour(cells, cmap, norm), 0, left)
        pic.label(left + cols / 2, -1, label, ha="center", va="bottom", fontsize=10.5)
    key(pic, DIVERGING, signed, rows + 2 + bar, 2 * cols + gap + 4, 0, width=bar, across=True)
    if not agree:
        key(pic, SEQUENTIAL, unsigned, rows + 2 + bar, cols + 2, 2 * (cols + 2 + gap) + 2 * gap, width=bar,
            across=True)
    pic.grow(2 * bar)
    if agree:
        pic.label(0, pic.height + 1, AGREE, ha="left", va="top", fontsize=10)
    fig = _figure(sample, f"shape {ref.shape}; yours and the reference on one colour scale", 3.0)
    _picture_axes(fig, [0.1, 0.06, 0.56, 0.7], pic)
    _scatter(fig, [0.75, 0.15, 0.22, 0.6], yours, ref)
    return f"{sample.tensor}: heatmaps", fig


def _bars_figure(sample: GradientSample, yours: np.ndarray, ref: np.ndarray) -> tuple[str, Figure]:
    """A vector gradient (a bias, or a one-column weight) as bars, yours beside the reference, plus a scatter."""
    shown = min(MAX_BARS, ref.size)
    fig = _figure(sample, f"shape {sample.reference.shape}, yours beside the reference, entry by entry", 2.8)
    ax = fig.add_axes([0.07, 0.16, 0.6, 0.6])
    index = np.arange(shown)
    # Bars as thick vertical lines: one collection instead of one patch per bar, several times faster.
    points_per_entry = 0.6 * WIDTH * 72 / (shown + 0.4)
    for offset, values, color in ((-0.2, yours, YOURS), (0.2, ref, REFERENCE)):
        ax.vlines(index + offset, 0, np.nan_to_num(values[:shown], posinf=0, neginf=0), color=color,
                  lw=min(0.4 * points_per_entry, 30), capstyle="butt")
    ax.set_xlim(-0.7, shown - 0.3)
    ax.text(0, 1.03, "■ yours", color=YOURS, fontsize=10.5, transform=ax.transAxes)
    ax.text(0.16, 1.03, "■ reference", color=REFERENCE, fontsize=10.5, transform=ax.transAxes)
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xlabel("entry" + (f" (first {shown} of {ref.size})" if shown < ref.size else ""))
    if shown <= 6:
        ax.set_xticks(index)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(3))
    _scatter(fig, [0.75, 0.17, 0.22, 0.58], yours, ref)
    return f"{sample.tensor}: bars", fig


def _box(shape: tuple) -> tuple[float, float]:
    """(width, height) of a shape drawn as a rectangle: columns across, rows (all leading axes) down."""
    if len(shape) == 0:
        return 1.0, 1.0
    return float(shape[-1]), float(np.prod(shape[:-1])) if len(shape) > 1 else 1.0


def _shape_figure(sample: GradientSample, got: tuple, expected: tuple) -> tuple[str, Figure]:
    """Yours and the expected shape as two rectangles drawn to one scale, instead of values."""
    fig = _figure(sample, f"shape {got}, expected {expected}: the values cannot be compared", 2.4)
    ax = fig.add_axes([0.02, 0.02, 0.96, 0.74], gid="shapes")
    named = {shape: f"{shape}" + (", a single number" if shape == () else "") for shape in (got, expected)}
    boxes = [(f"expected {named[expected]}", _box(expected), REFERENCE), (f"yours {named[got]}", _box(got), YOURS)]
    unit = 1.0 / max(1.0, *(max(w, h) for _, (w, h), _ in boxes))
    x = 0.0
    for label, (w, h), color in boxes:
        w, h = max(w * unit, 0.04), max(h * unit, 0.04)  # a (1,) still shows as a visible square
        ax.add_patch(Rectangle((x, 1 - h), w, h, facecolor=color, alpha=0.35, edgecolor=color, lw=1.5))
        ax.text(x, -0.06, label, color=color, va="top", fontsize=11.5, fontweight="bold")
        x += max(w, 0.9) + 0.3
    size_got, size_expected = int(np.prod(got)), int(np.prod(expected))
    notes = ["drawn to one scale: columns across, rows down",
             f"expected {size_expected} number{'s' * (size_expected != 1)}, yours has {size_got}"]
    if len(got) > 1 and tuple(reversed(got)) == tuple(expected):
        notes.append("yours is the expected shape reversed")
    if size_got == size_expected:
        notes.append("same number of entries, arranged differently")
    ax.text(x, 1.0, "\n".join(notes), va="top", fontsize=10.5, color="#444444")
    ax.set(xlim=(-0.05, x + 2.2), ylim=(-0.3, 1.05))
    ax.set_aspect("equal", adjustable="box", anchor="W")
    ax.set_axis_off()
    return f"{sample.tensor}: shape {got}, expected {expected}", fig


def _text_figure(text: str) -> tuple[str, Figure]:
    """A panel with one message instead of a plot."""
    fig = Figure(figsize=(WIDTH, 0.6), facecolor="#f6f8fa")
    fig.text(0.01, 0.5, text, va="center", fontsize=11.5)
    return text, fig
