"""Learner-facing options: solutions on or off, after how many failed checks, plots on or off."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass
class Settings:
    """What `configure()` set; None means "as the environment says" (TUTOR_SOLUTIONS, TUTOR_PLOTS)."""

    solutions: bool | None = None
    solution_after: int = 3
    plots: bool | None = None

    @property
    def solutions_enabled(self) -> bool:
        """Whether a solution may be revealed at all (off for graded use: TUTOR_SOLUTIONS=0)."""
        return self.solutions if self.solutions is not None else _env_flag("TUTOR_SOLUTIONS")

    @property
    def plots_enabled(self) -> bool:
        """Whether new widgets start with plots shown (TUTOR_PLOTS=0 starts them hidden)."""
        return self.plots if self.plots is not None else _env_flag("TUTOR_PLOTS")


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "1").strip().lower() not in ("0", "false", "no", "off")


SETTINGS = Settings()


def configure(solutions: bool | None = None, solution_after: int | None = None,
              plots: bool | None = None) -> Settings:
    """Set widget options: `configure(solutions=False)` for graded use, `solution_after=5`, `plots=False`."""
    if solutions is not None:
        SETTINGS.solutions = bool(solutions)
    if solution_after is not None:
        if int(solution_after) < 0:
            raise ValueError(f"solution_after must be 0 or more, not {solution_after!r}")
        SETTINGS.solution_after = int(solution_after)
    if plots is not None:
        SETTINGS.plots = bool(plots)
    return SETTINGS
