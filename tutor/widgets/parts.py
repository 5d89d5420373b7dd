"""The pieces of a `CheckReport` the exercise widget shows, as small HTML strings (badge, checks, diagnosis)."""
from __future__ import annotations

import html

from ..report import Check, CheckReport

PASS_COLOUR, FAIL_COLOUR, PENDING_COLOUR = "#1b7a36", "#b3261e", "#6b6b6b"
MAX_ROWS = 40

# One <style> for every exercise widget: a monospace editor, a compact table.
STYLE = """<style>
.tutor-exercise .tutor-editor textarea { font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 13px); }
.tutor-exercise .tutor-checks .widget-html-content, .tutor-exercise .tutor-diagnosis .widget-html-content,
.tutor-exercise .tutor-hints .widget-html-content { line-height: 1.4; }
.tutor-exercise table.tutor-check-table { border-collapse: collapse; font-size: 12px; margin: 2px 0 6px; }
.tutor-exercise table.tutor-check-table td, .tutor-exercise table.tutor-check-table th {
  padding: 1px 8px; text-align: left; border-bottom: 1px solid #ddd; vertical-align: top; }
.tutor-exercise .tutor-num { font-family: monospace; white-space: nowrap; }
.tutor-exercise pre.tutor-line { margin: 2px 0 2px 1em; padding: 2px 6px; background: #f6f6f6; }
</style>"""


def badge_html(report: CheckReport | None) -> str:
    """`PASS` or `FAIL` on a coloured pill; empty-looking `…` before the first check."""
    if report is None:
        return ""
    text, colour = ("PASS", PASS_COLOUR) if report.passed else ("FAIL", FAIL_COLOUR)
    return (f'<span style="background:{colour};color:#fff;padding:2px 10px;border-radius:10px;'
            f'font-weight:bold;letter-spacing:1px">{text}</span>')


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:.2g}"


def _shape(shape: tuple | None) -> str:
    return "" if shape is None else "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _row(c: Check) -> str:
    mark = "✓" if c.passed else "✗"
    colour = PASS_COLOUR if c.passed else FAIL_COLOUR
    shapes = _shape(c.got_shape)
    if c.expected_shape is not None and c.got_shape != c.expected_shape:
        shapes = f"{_shape(c.got_shape) or '—'} ≠ {_shape(c.expected_shape)}"
    tol = f" ≤ {_num(c.tol)}" if c.tol is not None and c.rel_err is not None else ""
    message = "" if c.passed else html.escape(c.message)
    cls = "tutor-check-pass" if c.passed else "tutor-check-fail"
    return (f'<tr class="tutor-check-row {cls}"><td style="color:{colour};font-weight:bold">{mark}</td>'
            f"<td>{html.escape(c.name)}</td><td class='tutor-num'>{shapes}</td>"
            f"<td class='tutor-num'>{_num(c.max_abs_err)}</td><td class='tutor-num'>{_num(c.rel_err)}{tol}</td>"
            f"<td>{message}</td></tr>")


def _table(checks: list[Check]) -> str:
    head = ("<tr><th></th><th>check</th><th>shape</th><th>max abs error</th>"
            "<th>relative error</th><th>what went wrong</th></tr>")
    rows = "".join(_row(c) for c in checks[:MAX_ROWS])
    more = len(checks) - MAX_ROWS
    tail = f"<tr><td></td><td colspan=5><i>… {more} more checks</i></td></tr>" if more > 0 else ""
    return f"<table class='tutor-check-table'>{head}{rows}{tail}</table>"


def checks_html(report: CheckReport | None) -> str:
    """The per-check table: ✓/✗, check, shapes, max abs error, relative error, message; passing rows
    folded away when something failed."""
    if report is None:
        return "<i>Not checked yet: press <b>Check</b>.</i>"
    failed = [c for c in report.checks if not c.passed]
    passed = [c for c in report.checks if c.passed]
    summary = f"{len(passed)}/{len(report.checks)} checks passed"
    if report.seconds:
        summary += f" · checked in {report.seconds:.2f} s"
    if not failed:
        return f"<details><summary>{summary}</summary>{_table(passed)}</details>"
    folded = f"<details><summary>{len(passed)} passing checks</summary>{_table(passed)}</details>" if passed else ""
    return f"<div>{summary}</div>{_table(failed)}{folded}"


def diagnosis_html(report: CheckReport | None) -> str:
    """Each named mistake with its message and, when the code raised, the learner's own line."""
    if report is None:
        return ""
    if not report.diagnoses:
        if report.passed:
            return "<b>All checks passed.</b> Your gradients match the reference on every case."
        return "<b>Some values are wrong</b>: see the table of checks below."
    items = []
    for d in report.diagnoses:
        tag = "warning" if d.severity == "warning" else "mistake"
        colour = "#8a6d00" if d.severity == "warning" else FAIL_COLOUR
        line = ""
        if d.line:
            where = f"line {d.lineno}: " if d.lineno else ""
            line = f"<pre class='tutor-line'>{html.escape(where + d.line)}</pre>"
        items.append(f"<div class='tutor-diagnosis-item' data-code='{html.escape(d.code, quote=True)}'>"
                     f"<span style='color:{colour};font-weight:bold'>{tag} [{html.escape(d.code)}]</span> "
                     f"{html.escape(d.message)}{line}</div>")
    return "".join(items)


def error_html(summary: str, details: str = "") -> str:
    """A callback error: one line, with the traceback folded away for whoever debugs it."""
    more = f"<details><summary>details</summary><pre>{html.escape(details)}</pre></details>" if details else ""
    return f"<div style='color:{FAIL_COLOUR}'><b>Something went wrong:</b> {html.escape(summary)}{more}</div>"


def notice_html(messages: list[str]) -> str:
    """Notices about progress saving (a store set aside, a store that cannot be written)."""
    return "".join(f"<div style='color:#8a6d00'>⚠ {html.escape(m)}</div>" for m in messages)
