"""Which of a report's gradient samples the widget draws, and the PNGs of the last ones drawn."""
from __future__ import annotations

import hashlib

import ipywidgets as W
import numpy as np

from ..render.focus import plotted
from ..report import CheckReport


def report_digest(report: CheckReport) -> str:
    """A digest of what the plots draw: the verdict and every sample's arrays."""
    h = hashlib.blake2b(report.summary_line().encode(), digest_size=16)
    for s in report.samples:
        h.update(f"{s.tensor}|{s.case}|{s.image_shape}".encode())
        for a in (s.reference, s.learner):
            arr = np.asarray(a) if a is not None else np.zeros(0)
            h.update(f"{arr.dtype}{arr.shape}".encode())
            h.update(np.ascontiguousarray(arr).tobytes() if arr.dtype != object else repr(a).encode())
    return h.hexdigest()


class PlotImages:
    """PNGs of the focused plots of a report; the last ones are reused when the same data comes back
    (Check again on unchanged code, the plots toggle switched off and on)."""

    def __init__(self) -> None:
        self._key = ""
        self._images: list[tuple[str, bytes]] = []

    def __call__(self, report: CheckReport) -> list[tuple[str, bytes]]:
        """(title, PNG bytes) for each figure drawn for `report`."""
        from ..render.html import PLOT_DPI
        from ..render.plots import png_images

        focused = plotted(report)
        key = report_digest(focused)
        if key != self._key:
            self._key, self._images = key, png_images(focused, dpi=PLOT_DPI)
        return self._images


def image_widgets(images: list[tuple[str, bytes]]) -> tuple[W.Image, ...]:
    """One Image per figure: 2x pixels drawn at half size (the img's own width: a flex width gets squeezed)."""
    from ..render.plots import png_size

    return tuple(W.Image(value=png, format="png", width=png_size(png)[0] // 2,
                         layout=W.Layout(max_width="100%", height="auto", flex="0 0 auto"))
                 for _title, png in images)
