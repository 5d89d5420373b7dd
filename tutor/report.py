"""The result of checking one submission: plain dataclasses that every renderer reads."""
from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

# Characters a terminal acts on instead of showing (escape sequences, carriage return, bidi overrides): in what the
# learner's code printed or raised they are shown escaped (`\x1b[2J`), so a report cannot redraw its own verdict.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass
class Check:
    """One gradient (or forward output) on one case, judged stage by stage."""

    name: str  # e.g. "batch 1000 · float32 · w.g"
    passed: bool
    message: str
    case: str = ""
    tensor: str = ""
    stage: str = ""  # the first stage that failed, or "autograd" when all passed
    got_shape: tuple | None = None
    expected_shape: tuple | None = None
    max_abs_err: float | None = None
    rel_err: float | None = None
    worst_index: tuple | None = None
    tol: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (an error that overflowed to inf, or nan, is null: JSON has no such number)."""
        d = asdict(self)
        for k in ("got_shape", "expected_shape", "worst_index"):
            if d[k] is not None:
                d[k] = list(d[k])
        for k in ("max_abs_err", "rel_err", "tol"):
            if d[k] is not None and not math.isfinite(d[k]):
                d[k] = None
        return d


@dataclass
class Diagnosis:
    """A named mistake (or warning) with a message that explains it without giving the answer away."""

    code: str
    message: str
    tensor: str = ""
    severity: str = "error"  # "error" fails the check; "warning" does not
    line: str = ""  # the learner's own source line, when the code raised
    lineno: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return asdict(self)


@dataclass
class GradientSample:
    """What came back for one tensor on one case, beside the reference: the data the plots draw."""

    tensor: str
    case: str
    reference: np.ndarray
    learner: np.ndarray | None  # None when nothing usable came back
    image_shape: tuple | None = None  # (28, 28) when rows of this gradient are MNIST pixels
    unit: str = ""  # the piece this case runs alone ("relu", "mse", "linear", "cross_entropy"); "" in the model
    inputs: dict[str, np.ndarray] = field(default_factory=dict)  # what the piece got (copies): its plot needs them


@dataclass
class CheckReport:
    """Everything one check found: per-check verdicts, diagnoses, and samples for plots."""

    exercise: str
    passed: bool
    checks: list[Check] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    samples: list[GradientSample] = field(default_factory=list, repr=False)
    title: str = ""
    seconds: float = 0.0
    output: str = ""  # what the learner's code printed while it was checked (the start of it)
    isolation: str = ""  # where the learner's code ran: "a sandboxed child process (...)" or "in-process"
    notes: list[str] = field(default_factory=list)  # what was checked: "found `MSE`, checked as `Mse`", the cell

    @property
    def codes(self) -> list[str]:
        """Diagnosis codes in order, without repeats (warnings included)."""
        return list(dict.fromkeys(d.code for d in self.diagnoses))

    @property
    def errors(self) -> list[Diagnosis]:
        """The diagnoses that fail the check (warnings left out)."""
        return [d for d in self.diagnoses if d.severity == "error"]

    def is_not_started(self) -> bool:
        """A report of the untouched stub (see `not_started`): nothing judged, not an attempt."""
        return not self.checks and [d.code for d in self.diagnoses] == ["unfinished"]

    def summary_line(self) -> str:
        """`NAME: PASS` or `NAME: FAIL [code, code]`."""
        if self.passed:
            warn = [d.code for d in self.diagnoses]
            return f"{self.exercise}: PASS" + (f" (warnings: {', '.join(warn)})" if warn else "")
        codes = list(dict.fromkeys(d.code for d in self.errors)) or ["wrong-value"]
        return f"{self.exercise}: FAIL [{', '.join(codes)}]"

    def to_dict(self) -> dict[str, Any]:
        """The report as the JSON object `tutor check --json` prints."""
        return {
            "exercise": self.exercise,
            "passed": self.passed,
            "summary": self.summary_line(),
            "checks": [c.to_dict() for c in self.checks],
            "diagnoses": [d.to_dict() for d in self.diagnoses],
            "seconds": round(self.seconds, 4),
            "output": self.output,
            "isolation": self.isolation,
            "notes": list(self.notes),
        }

    def to_json(self, **kw: Any) -> str:
        """`to_dict()` as a JSON string."""
        return json.dumps(self.to_dict(), allow_nan=False, **kw)

    def text(self, max_checks: int = 40) -> str:
        """The report as plain text (terminals, `text/plain`): first line `NAME: PASS` or `NAME: FAIL [codes]`,
        then checks and diagnoses. The report's own form, so that this layer imports no renderer; the HTML and
        the widget are in tutor/render and tutor/widgets."""
        lines = [self.summary_line()]
        if self.title:
            lines.append(self.title)
        failed = [c for c in self.checks if not c.passed]
        passed = len(self.checks) - len(failed)
        lines.extend(f"note: {n}" for n in self.notes)
        lines.append(f"{passed}/{len(self.checks)} checks passed")
        for c in (failed or self.checks)[:max_checks]:
            mark = "ok  " if c.passed else "FAIL"
            lines.append(f"  {mark} {c.name}: {c.message}")
        if len(failed) > max_checks:
            lines.append(f"  ... {len(failed) - max_checks} more failing checks")
        for d in self.diagnoses:
            tag = "warning" if d.severity == "warning" else "mistake"
            lines.append(f"{tag} [{d.code}] {d.message}")
            if d.line:
                lines.append(f"    line {d.lineno}: {d.line}")
        if self.output:
            lines.append("your code printed:")
            lines.extend("  | " + ln for ln in self.output.splitlines()[:20])
            if self.output.count("\n") > 20:
                lines.append("  | ...")
        return _CONTROL.sub(lambda m: repr(m.group())[1:-1], "\n".join(lines))

    def __str__(self) -> str:
        return self.text()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:
        p.text(str(self))


NOT_STARTED = "Not started yet: replace each ... of the stub with your code, then run the cell again (Shift+Enter)."


def not_started(name: str, title: str) -> CheckReport:
    """The report for an exercise's untouched stub, made without running it: nothing to judge, not an attempt."""
    return CheckReport(name, passed=False, title=title, diagnoses=[Diagnosis("unfinished", NOT_STARTED)])
