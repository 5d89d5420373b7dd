"""A `CheckReport` as plain text, for terminals and `text/plain` outputs."""
from __future__ import annotations

from ..report import CheckReport


def render_text(report: CheckReport, max_checks: int = 40) -> str:
    """First line `NAME: PASS` or `NAME: FAIL [codes]`, then checks and diagnoses."""
    lines = [report.summary_line()]
    if report.title:
        lines.append(report.title)
    failed = [c for c in report.checks if not c.passed]
    passed = len(report.checks) - len(failed)
    lines.extend(f"note: {n}" for n in report.notes)
    lines.append(f"{passed}/{len(report.checks)} checks passed")
    for c in (failed or report.checks)[:max_checks]:
        mark = "ok  " if c.passed else "FAIL"
        lines.append(f"  {mark} {c.name}: {c.message}")
    if len(failed) > max_checks:
        lines.append(f"  ... {len(failed) - max_checks} more failing checks")
    for d in report.diagnoses:
        tag = "warning" if d.severity == "warning" else "mistake"
        lines.append(f"{tag} [{d.code}] {d.message}")
        if d.line:
            lines.append(f"    line {d.lineno}: {d.line}")
    if report.output:
        lines.append("your code printed:")
        lines.extend("  | " + ln for ln in report.output.splitlines()[:20])
        if report.output.count("\n") > 20:
            lines.append("  | ...")
    return "\n".join(lines)
