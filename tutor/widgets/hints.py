"""Which hints to offer: the ladder for the mistake the report names, else the exercise's general ladder."""
from __future__ import annotations

from typing import Any

from ..exercises import Exercise


class HintLadder:
    """The rungs for the mistake shown and how many are out; a new mistake starts its own ladder."""

    def __init__(self, exercise: Exercise) -> None:
        self.exercise = exercise
        self.key: str | None = None  # the diagnosis code whose ladder is shown ("" for the general one)
        self.rungs: tuple[str, ...] = exercise.hints
        self.shown = 0
        self.used = 0  # hints revealed in this view, over every ladder (what the progress store counts)

    def follow(self, report: Any) -> bool:
        """Switch to the ladder of the report's first named mistake; True when it changed (start over)."""
        codes = [d.code for d in report.errors]
        by_code = self.exercise.hints_by_code
        key = next((code for code in codes if code in by_code), "")
        if key == self.key:
            return False
        self.key, self.rungs, self.shown = key, by_code.get(key) or self.exercise.hints, 0
        return True

    def next(self) -> str | None:
        """The next rung, or None when every one is out."""
        if self.shown >= len(self.rungs):
            return None
        self.shown += 1
        self.used += 1
        return self.rungs[self.shown - 1]
