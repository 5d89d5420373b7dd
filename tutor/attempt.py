"""`tutor.check` as a learner calls it: the checker's verdict, recorded in a notebook (any IPython) as an attempt (with the
code it checked, for later notebooks to load), shown or not."""
from __future__ import annotations

import sys
from typing import Any

from . import checker
from .progress import ProgressError, store
from .report import CheckReport
from .sandbox.protocol import Limits


def check(exercise: Any, submission: Any = None, limits: Limits | None = None, warm_up: bool = True) -> CheckReport:
    """Check a submission for an exercise: `check("lin_grad", code)`, `check("relu", Relu)`, `check(Relu)` or, in
    a notebook, `check("relu")` (its own `Relu`). In a notebook the attempt is saved as the widget saves it."""
    name, source = checker.resolve(exercise, submission)
    report = checker.check(name, source, limits, warm_up)
    if _in_ipython():
        try:
            store().record_attempt(name, report.passed, report.summary_line(), source)
        except ProgressError as e:
            report.notes.append(f"progress not saved: {e}")
    return report


def _in_ipython() -> bool:
    return "IPython" in sys.modules and sys.modules["IPython"].get_ipython() is not None
