"""Pictures made of pixels: heatmaps and 28×28 tiles pasted on one RGBA canvas, with text labels and colour keys.

Drawing one composed image instead of one matplotlib axes per tile keeps a figure to a couple of axes,
which is what keeps the gradient plots fast.
"""
from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib.colors import Normalize

FRAME = np.array(matplotlib.colors.to_rgba("#b0b0b0"))


class Picture:
    """A white RGBA canvas that grows as blocks are pasted in, plus text labels in its pixel coordinates."""

    def __init__(self, aspect: str = "equal") -> None:
        self.pixels = np.ones((0, 0, 4))
        self.labels: list[tuple[float, float, str, dict]] = []
        self.aspect = aspect

    @property
    def height(self) -> int:
        """Rows used so far."""
        return self.pixels.shape[0]

    def paste(self, block: np.ndarray, top: int, left: int) -> None:
        """Put an (h, w, 4) block at (top, left), growing the canvas as needed."""
        h, w = block.shape[:2]
        size = (max(self.height, top + h), max(self.pixels.shape[1], left + w))
        if size != self.pixels.shape[:2]:
            grown = np.ones((*size, 4))
            grown[:self.height, :self.pixels.shape[1]] = self.pixels
            self.pixels = grown
        self.pixels[top:top + h, left:left + w] = block

    def framed(self, block: np.ndarray, top: int, left: int) -> None:
        """Paste a block inside a one-pixel grey frame whose corner is at (top, left)."""
        h, w = block.shape[:2]
        self.paste(np.broadcast_to(FRAME, (h + 2, w + 2, 4)), top, left)
        self.paste(block, top + 1, left + 1)

    def grow(self, rows: int) -> None:
        """Add blank rows at the bottom."""
        self.paste(np.ones((rows, max(self.pixels.shape[1], 1), 4)), self.height, 0)

    def label(self, x: float, y: float, text: str, **style) -> None:
        """Text at pixel coordinates (column x, row y)."""
        self.labels.append((x, y, text, style))


def colour(values: np.ndarray, cmap, norm: Normalize) -> np.ndarray:
    """Values as RGBA through a colormap; NaN and ±inf get the colormap's 'bad' grey."""
    with np.errstate(over="ignore", invalid="ignore"):
        return cmap(norm(np.ma.masked_invalid(values)))


def as_bytes(rgba: np.ndarray) -> np.ndarray:
    """Float RGBA in [0, 1] as uint8, which matplotlib resamples faster."""
    return np.round(rgba * 255).astype(np.uint8)


def key(pic: Picture, cmap, norm: Normalize, top: int, length: int, left: int, width: int = 2,
        across: bool = False) -> None:
    """A colour key (a colorbar made of pixels) with its end values, upright or lying across."""
    ramp = np.linspace(norm.vmax, norm.vmin, length)
    strip = colour(np.repeat((ramp[::-1] if across else ramp)[:, None], width, 1), cmap, norm)
    ends = [(norm.vmin, 0), (norm.vmax, 1)] + ([(0.0, 0.5)] if norm.vmin < 0 else [])
    if across:
        pic.paste(strip.transpose(1, 0, 2), top, left)
        for value, at in ends:
            pic.label(left + at * (length - 1), top + width, f"{value:.3g}", ha="center", va="top", fontsize=10)
    else:
        pic.paste(strip, top, left)
        for value, at in ends:
            pic.label(left + width, top + (1 - at) * (length - 1), f" {value:.3g}", ha="left", va="center",
                      fontsize=10)
