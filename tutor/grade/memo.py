"""Judge each distinct run result once: runs that handed back the same data get the same verdict and plots.

Cases are fixed, so students who make the same mistake (or the same fix) in different words hand back
byte-identical arrays. The verdict and its plots are pure functions of that data, the exercise, the limits
and the plots setting, so they are memoised under a SHA-256 of all of them (collisions are out of reach
even for learner-chosen arrays). Only the per-submission part (the run's time) is filled in afresh.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict

from ..report import CheckReport
from ..sandbox.protocol import Limits, Outcome


class VerdictMemo:
    """A bounded map from a run's result to (its report without plot data, its plots as an HTML fragment)."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.items: OrderedDict[bytes, tuple[CheckReport, str]] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(exercise: str, out: Outcome, limits: Limits, plots: str) -> bytes:
        """SHA-256 of everything the verdict and its page depend on, save the run's time."""
        head = [exercise, out.status, out.detail, out.output_cut, limits.to_dict(), plots]
        h = hashlib.sha256(json.dumps(head, sort_keys=True).encode())
        h.update(b"\0")
        h.update(out.payload)
        return h.digest()

    def get(self, key: bytes) -> tuple[CheckReport, str] | None:
        """A fresh copy of the stored report (safe to fill in) and its plots fragment, or None."""
        with self.lock:
            hit = self.items.get(key)
            if hit is None:
                self.misses += 1
                return None
            self.items.move_to_end(key)
            self.hits += 1
        report, figures = hit
        return dataclasses.replace(report), figures

    def put(self, key: bytes, report: CheckReport, figures: str) -> None:
        """Remember a verdict (its sample arrays dropped: they can be megabytes and are drawn already)."""
        with self.lock:
            self.items[key] = (dataclasses.replace(report, samples=[]), figures)
            while len(self.items) > self.size:
                self.items.popitem(last=False)
