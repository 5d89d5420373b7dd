"""A report's checks gathered into distinct failures: one line per (tensor, stage, kind) with "× N cases".

A single mistake fails the same gradient on every case; listing each case buried the mistake under
8–22 near-identical rows. Every renderer (widget, static HTML, text) reads these groups.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..report import Check, CheckReport

FAILED, NOT_CHECKED, PASSED = "failed", "not checked", "passed"
STAGE_WORDS = {"runs": "raised", "exists": "not set", "shape": "wrong shape", "finite": "not finite",
               "reference": "wrong values", "autograd": "differs from autograd", "forward": "wrong output"}


def kind(check: Check) -> str:
    """`failed`, `not checked` (skipped because an earlier gradient was wrong, or code not written yet) or
    `passed`, read from the check itself so that new stages and codes need no change here."""
    if check.passed:
        return PASSED
    stage = check.stage.lower().replace("-", " ").replace("_", " ")
    if stage in ("not checked", "skipped") or check.message.lower().startswith("not checked"):
        return NOT_CHECKED
    return FAILED


@dataclass
class Group:
    """Checks of one tensor that ended the same way at the same stage."""

    kind: str
    tensor: str
    stage: str
    checks: list[Check] = field(default_factory=list)

    @property
    def first(self) -> Check:
        """The check whose message speaks for the group."""
        return self.checks[0]

    @property
    def what(self) -> str:
        """The stage in words: `wrong shape`, `wrong values`, …"""
        return STAGE_WORDS.get(self.stage, self.stage)


def groups(report: CheckReport, unfinished: bool | None = None) -> list[Group]:
    """Failed groups first, then not checked, then passed; within a kind, in the order checks came.

    With `unfinished` (a line still holds the stub's `...`), failures other than the first group are
    reported as not checked: they follow from the lines not written yet."""
    if unfinished is None:
        unfinished = "unfinished" in {d.code for d in report.errors}
    found: dict[tuple[str, str, str], Group] = {}
    for c in report.checks:
        k = kind(c)
        if unfinished and k == FAILED and c.stage == "runs":
            k = NOT_CHECKED
        key = (k, c.tensor or c.name, c.stage)
        found.setdefault(key, Group(k, c.tensor or c.name, c.stage)).checks.append(c)
    order = {FAILED: 0, NOT_CHECKED: 1, PASSED: 2}
    return sorted(found.values(), key=lambda g: order[g.kind])


def limit_text(check: Check) -> str:
    """`0.5 (limit 0.0001)`: the relative error beside the tolerance it was held to, never a false `≤`."""
    if check.rel_err is None:
        return ""
    if check.tol is None:
        return f"{check.rel_err:.2g}"
    return f"{check.rel_err:.2g} (limit {check.tol:.0e})".replace("e-0", "e-")


def shape_text(shape: tuple | None) -> str:
    """`(50,)`, `(64, 17)`, `()`; '' for none."""
    return "" if shape is None else str(tuple(shape))
