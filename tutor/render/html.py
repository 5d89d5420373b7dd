"""A `CheckReport` as HTML: the one renderer behind the exercise widget, static displays and feedback pages.

The fragment leads with the mistake (its name, the explanation, the learner's own line), then the checks
gathered into distinct failures (`groups.py`: one line each, "× 8 cases", the cases on demand), then the plots.
The widget shows the same pieces (`header_html`, `lead_html`, `checks_html`) inside its interactive frame.

Colours are CSS variables taken from JupyterLab's theme (`--jp-*`), chosen per theme for WCAG AA contrast;
every inline style carries a light fallback, so where the one scoped <style> is stripped (GitHub, sanitised
outputs, a feedback page) the fragment is a readable light card. Everything that can carry learner-controlled
text (messages, source lines, case and tensor names, printed output) goes through `html.escape`.
"""
from __future__ import annotations

import base64
from html import escape

from ..report import Check, CheckReport, Diagnosis
from .groups import FAILED, NOT_CHECKED, PASSED, Group, groups, limit_text, shape_text

PLOT_DPI = 192  # 2× CSS's 96 px per inch, shown at half size: crisp on HiDPI, 10 pt text is 13 px
FALLBACK = {"fg": "#1f2328", "muted": "#57606a", "pass": "#1b5e20", "fail": "#b71c1c", "warn": "#9a6700",
            "border": "#d0d7de", "code-bg": "rgba(128,128,128,0.12)", "bg": "#ffffff", "on-badge": "#ffffff"}
# Light theme: the darkest success/error shades (≥ 7:1 on white); dark theme: the light ones (≥ 6:1 on #111).
STYLE = """<style>
.tutor-report, .tutor-exercise, .tutor-progress { --tutor-fg: var(--jp-ui-font-color1, #1f2328);
  --tutor-muted: var(--jp-ui-font-color2, #57606a); --tutor-pass: var(--jp-success-color0, #1b5e20);
  --tutor-fail: var(--jp-error-color0, #b71c1c); --tutor-warn: var(--jp-warn-color0, #9a6700);
  --tutor-border: var(--jp-border-color2, #d0d7de); --tutor-bg: var(--jp-layout-color0, #fff);
  --tutor-on-badge: var(--jp-layout-color0, #fff); }
body[data-jp-theme-light="false"] .tutor-report, body[data-jp-theme-light="false"] .tutor-exercise,
body[data-jp-theme-light="false"] .tutor-progress {
  --tutor-pass: var(--jp-success-color2, #81c784); --tutor-fail: var(--jp-error-color2, #e57373);
  --tutor-warn: var(--jp-warn-color2, #ffb74d); }
body[data-jp-theme-light="false"] .tutor-report img.tutor-plot,
body[data-jp-theme-light="false"] .tutor-exercise .tutor-plots img { filter: invert(0.88) hue-rotate(180deg); }
</style>"""
MONO = "font-family: var(--jp-code-font-family, SFMono-Regular, Menlo, Consolas, monospace); font-size: 12px"


def c(name: str) -> str:
    """A colour as `var(--tutor-NAME, fallback)`."""
    return f"var(--tutor-{name}, {FALLBACK[name]})"


CELL = f"padding: 2px 8px; border-bottom: 1px solid {c('border')}; text-align: left; vertical-align: top"
ROOT = (f"font-size: 13px; line-height: 1.45; color: {c('fg')}; background: {c('bg')}; "
        f"border: 1px solid {c('border')}; border-radius: 6px; padding: 10px 14px; max-width: 980px")


def render_html(report: CheckReport, plots: bool = True, figures: str | None = None) -> str:
    """The report as one HTML fragment (root `div.tutor-report`), plots inline as 2× PNG.

    `figures`: the plots already drawn (`plots_html` of an identical report), used instead of drawing them."""
    parts = [STYLE,
             f'<div class="tutor-report" data-exercise="{escape(report.exercise)}" '
             f'data-passed="{str(report.passed).lower()}" style="{ROOT}">',
             header_html(report), lead_html(report)]
    if figures is None and plots and report.samples:
        figures = plots_html(report)
    parts += [figures or "", checks_html(report), output_html(report), "</div>"]
    return "\n".join(p for p in parts if p)


def badge_html(report: CheckReport | None) -> str:
    """`PASS` or `FAIL` on a coloured pill (class `tutor-badge`), a muted NOT STARTED for the untouched stub; ''
    before the first check."""
    if report is None:
        return ""
    if report.is_not_started():
        return (f"<span class='tutor-badge' style='border: 1px solid {c('muted')}; color: {c('fg')}; "
                "padding: 1px 9px; border-radius: 10px; font-weight: 700'>NOT STARTED</span>")
    word, colour = ("PASS", c("pass")) if report.passed else ("FAIL", c("fail"))
    return (f'<span class="tutor-badge" style="background: {colour}; color: {c("on-badge")}; font-weight: 700; '
            f'padding: 2px 10px; border-radius: 10px; letter-spacing: 0.05em">{word}</span>')


def summary_text(report: CheckReport) -> str:
    """`14 of 22 checks passed · checked in 0.12 s`."""
    passed = sum(ch.passed for ch in report.checks)
    counts = f"{passed} of {len(report.checks)} checks passed" if report.checks else "no checks ran"
    return counts + (f" · checked in {report.seconds:.2f} s" if report.seconds else "")


def header_html(report: CheckReport) -> str:
    """Badge, title and the count of passing checks."""
    title = escape(report.title or report.exercise)
    return (f'<div style="display: flex; align-items: center; gap: 10px; flex-wrap: wrap">{badge_html(report)}'
            f'<strong style="font-size: 15px">{title}</strong>'
            f'<span class="tutor-summary" style="color: {c("muted")}">{escape(summary_text(report))}</span></div>')


def lead_html(report: CheckReport) -> str:
    """What to read first: each distinct named mistake with its explanation and the learner's line; then
    warnings and notes. A pass says so in one line."""
    errors, warnings = _distinct(report.errors), _distinct([d for d in report.diagnoses if d.severity != "error"])
    items = [_diagnosis(d, also) for d, also in errors]
    if not report.passed and not errors:
        failed = [g for g in groups(report) if g.kind == FAILED]
        where = f" in {escape(failed[0].tensor)}" if failed else ""
        items.append(f'<div class="tutor-diagnosis" data-code="wrong-value" data-severity="error" '
                     f'style="{_box("fail")}"><strong style="color: {c("fail")}">✗ Wrong values{where}</strong>'
                     f"<div>No known mistake matches: compare yours with the reference in the plot below."
                     f"</div></div>")
    if report.passed and not report.diagnoses:
        items.append(f'<div class="tutor-diagnosis" data-code="" style="color: {c("pass")}; margin: 6px 0">'
                     f"<strong>✓ All checks passed.</strong> Your gradients match the reference and autograd "
                     f"on every case.</div>")
    items += [_diagnosis(d, also) for d, also in warnings]
    items += [f'<div class="tutor-note" style="color: {c("muted")}; margin: 2px 0">ⓘ {escape(str(n))}</div>'
              for n in getattr(report, "notes", None) or []]
    return f'<div class="tutor-lead">{"".join(items)}</div>'


def _distinct(diagnoses: list[Diagnosis]) -> list[tuple[Diagnosis, list[str]]]:
    """One diagnosis per code (the first), with the other tensors that showed the same code."""
    out: dict[str, tuple[Diagnosis, list[str]]] = {}
    for d in diagnoses:
        if d.code in out:
            if d.tensor and d.tensor not in out[d.code][1] and d.tensor != out[d.code][0].tensor:
                out[d.code][1].append(d.tensor)
        else:
            out[d.code] = (d, [])
    return list(out.values())


def _box(colour: str) -> str:
    return f"border-left: 4px solid {c(colour)}; padding: 4px 10px; margin: 6px 0"


def _diagnosis(d: Diagnosis, also: list[str]) -> str:
    """One named mistake (or warning): code, message, the learner's own line when it raised."""
    warning, unfinished = d.severity != "error", d.code == "unfinished"
    word = "⚠ Warning" if warning else ("Not written yet" if unfinished else "✗ Mistake")
    colour = "warn" if warning else ("muted" if unfinished else "fail")
    label_colour = c("fg") if warning else c(colour)  # amber text is too faint on white: the bar carries it
    about = f" in {escape(', '.join([d.tensor, *also]))}" if d.tensor else ""
    line = ""
    if d.line:
        where = f"line {d.lineno}: " if d.lineno is not None else ""
        line = (f'<pre class="tutor-line" style="{MONO}; background: {c("code-bg")}; border-radius: 4px; '
                f'padding: 3px 8px; margin: 4px 0 0; white-space: pre-wrap">{escape(where + d.line)}</pre>')
    return (f'<div class="tutor-diagnosis tutor-{"warning" if warning else "error"}" data-code="{escape(d.code)}" '
            f'data-severity="{escape(d.severity)}" style="{_box(colour)}">'
            f'<strong style="color: {label_colour}">{word}</strong> '
            f'<code style="{MONO}">{escape(d.code)}</code>{escape(about)}'
            f'<div style="margin-top: 2px">{escape(d.message)}</div>{line}</div>')


def checks_html(report: CheckReport | None) -> str:
    """The checks as distinct failures: one line each with "× N cases" (the cases on demand), then what was
    not checked, then the passing checks folded away."""
    if report is None:
        return "<i>Not checked yet.</i>"
    found = groups(report)
    shown = [g for g in found if g.kind != PASSED]
    passed = [g for g in found if g.kind == PASSED]
    n_passed = sum(len(g.checks) for g in passed)
    parts = []
    if shown:
        parts.append(_table(shown))
    if passed:
        label = f"{n_passed} passing check{'s' * (n_passed != 1)}"
        parts.append(f'<details style="margin: 4px 0"><summary style="cursor: pointer; color: {c("muted")}">'
                     f"{label}</summary>{_table(passed)}</details>")
    return f'<div class="tutor-checks" style="margin: 6px 0">{"".join(parts)}</div>'


def _table(found: list[Group]) -> str:
    head = "".join(f'<th style="{CELL}; font-weight: 600">{h}</th>'
                   for h in ("", "gradient", "what", "cases", "shape", "relative error"))
    rows = "".join(_group_row(g) for g in found)
    return (f'<table class="tutor-check-table" style="border-collapse: collapse; margin: 2px 0; '
            f'font-size: 12px"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>')


MARKS = {FAILED: ("✗", "fail"), NOT_CHECKED: ("–", "muted"), PASSED: ("✓", "pass")}


def _group_row(g: Group) -> str:
    mark, colour = MARKS[g.kind]
    first = g.first
    what = "not checked" if g.kind == NOT_CHECKED else ("passed" if g.kind == PASSED else g.what)
    message = "" if g.kind == PASSED else f'<div style="color: {c("muted")}">{escape(first.message)}</div>'
    cases = "".join(f"<li>{_case_line(ch)}</li>" for ch in g.checks)
    count = (f'<details><summary style="cursor: pointer">× {len(g.checks)} case{"s" * (len(g.checks) != 1)}'
             f'</summary><ul style="margin: 2px 0; padding-left: 1.2em">{cases}</ul></details>')
    return (f'<tr class="tutor-check-group tutor-check-{g.kind.replace(" ", "-")}" data-kind="{g.kind}" '
            f'data-tensor="{escape(g.tensor)}" data-stage="{escape(g.stage)}" data-count="{len(g.checks)}">'
            f'<td style="{CELL}; color: {c(colour)}; font-weight: 700">{mark}</td>'
            f'<td style="{CELL}"><code style="{MONO}">{escape(g.tensor)}</code></td>'
            f'<td style="{CELL}">{escape(what)}{message}</td><td style="{CELL}">{count}</td>'
            f'<td style="{CELL}">{"" if g.kind == NOT_CHECKED else _shapes(first)}</td>'
            f'<td style="{CELL}; white-space: nowrap">{escape(limit_text(first))}</td></tr>')


def _case_line(ch: Check) -> str:
    """One case of a group: where, and what happened there (shapes and errors included)."""
    detail = ch.message if not ch.passed else (f"relative error {limit_text(ch)}" if ch.rel_err is not None else "")
    return (f'<span class="tutor-check" data-passed="{str(ch.passed).lower()}">{escape(ch.case or ch.name)}'
            f'</span>{": " + escape(detail) if detail else ""}')


def _shapes(ch: Check) -> str:
    """`(64, 17)` when the shapes agree; yours (in the mistake colour) ≠ the expected one when not."""
    got, expected = shape_text(ch.got_shape), shape_text(ch.expected_shape)
    if not expected or got == expected:
        return f'<span style="{MONO}; white-space: nowrap">{escape(got)}</span>'
    mine = f'<span style="color: {c("fail")}">{escape(got or "—")}</span>'
    return f'<span style="{MONO}; white-space: nowrap">{mine} ≠ {escape(expected)}</span>'


def output_html(report: CheckReport) -> str:
    """What the learner's code printed while it was checked, folded away ('' when nothing)."""
    printed = getattr(report, "output", "") or ""
    if not printed:
        return ""
    return (f'<details style="margin: 4px 0"><summary style="cursor: pointer; color: {c("muted")}">your code '
            f'printed</summary><pre style="{MONO}; white-space: pre-wrap">{escape(printed[:4000])}</pre></details>')


def plots_html(report: CheckReport) -> str:
    """The gradient plots as inline 2× PNGs; a one-line note instead if drawing them failed."""
    from .plots import png_images  # matplotlib loads only when plots are asked for

    try:
        images = png_images(report, dpi=PLOT_DPI)
    except Exception as e:  # noqa: BLE001 - a plot must never cost the learner the rest of the report
        return (f'<p class="tutor-plots-error" style="color: {c("muted")}">Plots unavailable '
                f"({escape(type(e).__name__)}: {escape(str(e))}).</p>")
    return '<div class="tutor-plots">' + "".join(img_html(title, png) for title, png in images) + "</div>"


def img_html(title: str, png: bytes) -> str:
    """One plot as an <img> at half its pixel size (2× PNG), never wider than its box."""
    from .plots import png_size

    width = png_size(png)[0] // 2
    return (f'<img class="tutor-plot" src="data:image/png;base64,{base64.b64encode(png).decode()}" '
            f'alt="{escape(title)}" title="{escape(title)}" '
            f'style="width: {width}px; max-width: 100%; height: auto; display: block; margin: 6px 0">')
