"""A `CheckReport` as a self-contained HTML fragment: badge, diagnoses, per-check table, inline PNG plots.

Styles are inline attributes (no <style> block, no external resources) so the fragment reads the same in
JupyterLab, nbconvert, GitHub's notebook view and instructors' feedback pages. Everything that can carry
learner-controlled text (messages, source lines, case and tensor names) goes through `html.escape`.
"""
from __future__ import annotations

import base64
from html import escape

from ..report import Check, CheckReport, Diagnosis

SHOWN_FAILING = 8  # failing checks listed before the rest fold into <details>
SHOWN_PASSING = 4  # beyond this many, passing checks fold into <details>

GREEN, RED, AMBER = "#1b7f3b", "#c62828", "#a15c00"
ROOT = ("font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; font-size: 13px; "
        "line-height: 1.4; color: #222; background: #fff; border: 1px solid #d0d7de; border-radius: 6px; "
        "padding: 10px 14px; max-width: 960px")
MONO = "font-family: SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace; font-size: 12px"
CELL = "padding: 2px 8px; border-bottom: 1px solid #eaeef2; text-align: left; vertical-align: top"
HEAD = CELL + "; background: #f6f8fa; font-weight: 600; white-space: nowrap"
COLUMNS = ("", "case", "tensor", "stage", "shape", "max abs error", "relative error", "tolerance", "what happened")


def render_html(report: CheckReport, plots: bool = True, figures: str | None = None) -> str:
    """The report as one self-contained HTML fragment (root `div.tutor-report`), plots inline as PNG.

    `figures`: the plots already drawn (`plots_html` of an identical report), used instead of drawing them."""
    parts = [
        f'<div class="tutor-report" data-exercise="{escape(report.exercise)}" '
        f'data-passed="{str(report.passed).lower()}" style="{ROOT}">',
        _header(report),
        *(_diagnosis(d) for d in report.diagnoses),
        _checks(report.checks),
    ]
    if figures is None and plots and report.samples:
        figures = plots_html(report)
    if figures:
        parts.append(figures)
    parts.append("</div>")
    return "\n".join(parts)


def _header(report: CheckReport) -> str:
    """Badge, title, and a one-line count of passing checks."""
    colour, word = (GREEN, "PASS") if report.passed else (RED, "FAIL")
    badge = (f'<span class="tutor-badge" style="background: {colour}; color: #fff; font-weight: 700; '
             f'padding: 2px 10px; border-radius: 4px; letter-spacing: 0.05em">{word}</span>')
    title = escape(report.title or report.exercise)
    passed = sum(c.passed for c in report.checks)
    counts = f"{passed} of {len(report.checks)} checks passed" if report.checks else "no checks ran"
    took = f" · checked in {report.seconds:.2f} s" if report.seconds else ""
    return (f'<div style="display: flex; align-items: center; gap: 10px; flex-wrap: wrap">{badge}'
            f'<strong style="font-size: 15px">{title}</strong></div>\n'
            f'<div class="tutor-summary" style="color: #57606a; margin: 4px 0 6px">'
            f'<code style="{MONO}">{escape(report.exercise)}</code> · {counts}{took}</div>')


def _diagnosis(d: Diagnosis) -> str:
    """One named mistake (or warning): code, message, and the learner's own line when it raised."""
    warning = d.severity == "warning"
    colour, background, word = (AMBER, "#fff8e6", "Warning") if warning else (RED, "#fdecea", "Mistake")
    about = f' <span style="color: #57606a">in {escape(d.tensor)}</span>' if d.tensor else ""
    line = ""
    if d.line:
        where = f"line {d.lineno}: " if d.lineno is not None else ""
        line = (f'<pre class="tutor-line" style="{MONO}; background: #f6f8fa; border: 1px solid #d0d7de; '
                f'border-radius: 4px; padding: 4px 8px; margin: 6px 0 0; white-space: pre-wrap">'
                f"{escape(where + d.line)}</pre>")
    return (f'<div class="tutor-diagnosis tutor-{"warning" if warning else "error"}" '
            f'data-code="{escape(d.code)}" data-severity="{escape(d.severity)}" '
            f'style="border-left: 4px solid {colour}; background: {background}; padding: 6px 10px; '
            f'margin: 8px 0; border-radius: 0 4px 4px 0">'
            f'<strong style="color: {colour}">{word}</strong> '
            f'<code style="{MONO}; background: rgba(0,0,0,0.06); padding: 0 4px; border-radius: 3px">'
            f"{escape(d.code)}</code>{about}"
            f'<div style="margin-top: 3px">{escape(d.message)}</div>{line}</div>')


def _checks(checks: list[Check]) -> str:
    """Failing checks first in an open table; long lists (passing ones especially) fold into <details>."""
    failing = [c for c in checks if not c.passed]
    passing = [c for c in checks if c.passed]
    parts = []
    if failing:
        parts.append(_table(failing[:SHOWN_FAILING]))
        if len(failing) > SHOWN_FAILING:
            parts.append(_folded(f"{len(failing) - SHOWN_FAILING} more failing checks", failing[SHOWN_FAILING:]))
    if passing and (failing or len(passing) > SHOWN_PASSING):
        parts.append(_folded(f"{len(passing)} passing check{'s' * (len(passing) != 1)}", passing))
    elif passing:
        parts.append(_table(passing))
    return '<div class="tutor-checks" style="margin: 8px 0">' + "\n".join(parts) + "</div>"


def _folded(summary: str, checks: list[Check]) -> str:
    return (f'<details style="margin: 6px 0"><summary style="cursor: pointer; color: #57606a">'
            f"{escape(summary)}</summary>{_table(checks)}</details>")


def _table(checks: list[Check]) -> str:
    head = "".join(f'<th style="{HEAD}">{escape(c)}</th>' for c in COLUMNS)
    rows = "\n".join(_row(c) for c in checks)
    return (f'<table class="tutor-check-table" style="border-collapse: collapse; margin: 4px 0; width: 100%; '
            f'font-size: inherit">'
            f"<thead><tr>{head}</tr></thead><tbody>\n{rows}\n</tbody></table>")


def _row(c: Check) -> str:
    """One check as a table row: mark, case, tensor, stage, shapes, errors, tolerance, message."""
    mark = (f'<span style="color: {GREEN}; font-weight: 700">✓</span>' if c.passed
            else f'<span style="color: {RED}; font-weight: 700">✗</span>')
    cells = [mark, escape(c.case or c.name), f'<code style="{MONO}">{escape(c.tensor)}</code>',
             escape(c.stage), _shapes(c), _number(c.max_abs_err), _number(c.rel_err), _number(c.tol),
             escape(c.message)]
    return (f'<tr class="tutor-check" data-passed="{str(c.passed).lower()}" data-tensor="{escape(c.tensor)}" '
            f'data-stage="{escape(c.stage)}">' + "".join(f'<td style="{CELL}">{x}</td>' for x in cells) + "</tr>")


def _shapes(c: Check) -> str:
    """`(64, 17)` when the shapes agree; yours (in red) against the expected one when they do not."""
    got, expected = (None if x is None else _code(str(tuple(x))) for x in (c.got_shape, c.expected_shape))
    if expected is None:
        return got or "—"
    if got is None or tuple(c.got_shape) != tuple(c.expected_shape):
        mine = "" if got is None else f'<span style="color: {RED}">{got}</span> '
        return f'{mine}<span style="color: #57606a">expected</span> {expected}'
    return got


def _code(text: str) -> str:
    return f'<span style="{MONO}; white-space: nowrap">{escape(text)}</span>'


def _number(x: float | None) -> str:
    return "—" if x is None else f"{x:.3g}"


def plots_html(report: CheckReport) -> str:
    """The gradient plots as inline base64 PNGs; a one-line note instead if drawing them failed."""
    from .plots import png_images  # matplotlib loads only when plots are asked for

    try:
        images = png_images(report)
    except Exception as e:  # noqa: BLE001 - a plot must never cost the learner the rest of the report
        return (f'<p class="tutor-plots-error" style="color: #57606a">Plots unavailable '
                f"({escape(type(e).__name__)}: {escape(str(e))}).</p>")
    figures = "\n".join(
        f'<figure style="margin: 8px 0"><img src="data:image/png;base64,{base64.b64encode(png).decode()}" '
        f'alt="{escape(title)}" style="max-width: 100%; height: auto; display: block">'
        f'<figcaption style="color: #57606a; font-size: 12px">{escape(title)}</figcaption></figure>'
        for title, png in images)
    unfolded = "" if report.passed else " open"
    return (f'<details class="tutor-plots"{unfolded} style="margin-top: 8px"><summary style="cursor: pointer; '
            f'font-weight: 600">Gradients: yours beside the reference</summary>\n{figures}\n</details>')
