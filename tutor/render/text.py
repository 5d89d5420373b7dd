"""A `CheckReport` as plain text, for terminals and `text/plain` outputs (the report's own `text()`)."""
from __future__ import annotations

from ..report import CheckReport


def render_text(report: CheckReport, max_checks: int = 40) -> str:
    """First line `NAME: PASS` or `NAME: FAIL [codes]`, then checks and diagnoses."""
    return report.text(max_checks)
