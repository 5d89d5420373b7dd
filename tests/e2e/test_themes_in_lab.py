"""Light and dark: the exercise widget and the dashboard read at WCAG AA (text ≥ 4.5:1) in both of JupyterLab's
themes, measured on the colours the browser paints; the plots are not bright blocks on the dark theme."""
from __future__ import annotations

import pytest

from . import lab
from .test_lin_grad_in_lab import EXERCISE_WIDGET, MAGIC, WRONG, badge_is, exercise, notebook_name, plot_loaded

pytestmark = pytest.mark.e2e

AA = 4.5
# What a learner reads to find the mistake: the badge, the mistake's label and text, the hint, the table.
TEXTS = {
    "badge": ".tutor-badge span",
    "mistake label": "div.tutor-diagnosis strong",
    "mistake text": "div.tutor-diagnosis > div",
    "hint": ".tutor-hints .tutor-hint",
    "failed mark": "tr.tutor-check-group[data-kind='failed'] td",
    "failed message": "tr.tutor-check-group[data-kind='failed'] td:nth-child(3)",
    "summary": ".tutor-summary span",
}
PROGRESS_STATUS = ".jupyter-widgets.tutor-progress td.tutor-progress-status"


def measure(page, cell) -> dict[str, dict]:
    widget = cell.locator(f".jp-OutputArea-output {EXERCISE_WIDGET}")
    found = {name: lab.contrast(widget.locator(sel)) for name, sel in TEXTS.items()}
    status = page.locator(f"{lab.ACTIVE} .jp-OutputArea-output {PROGRESS_STATUS}")
    found["progress status"] = lab.contrast(status)
    return found


def test_contrast_in_light_and_dark(page, lab_server):
    lab.open_notebook(page, lab_server, notebook_name())
    lab.run_all(page)
    cell = lab.code_cell(page, MAGIC)
    lab.set_code(page, cell, f"{MAGIC}\n{WRONG}")
    lab.run_cell(page, cell)
    widget = exercise(cell)
    badge_is(page, widget, "FAIL")
    plot_loaded(page, widget)
    lab.run_cell(page, lab.code_cell(page, "tutor.progress()"))
    results = {}
    for theme in ("JupyterLab Light", "JupyterLab Dark"):
        lab.set_theme(page, theme)
        results[theme] = measure(page, cell)
        lab.screenshot(page, f"theme-{theme.split()[-1].lower()}", cell,
                       until=widget.locator(".tutor-plots img").first)
    print({t: {k: round(v["ratio"], 2) for k, v in r.items()} for t, r in results.items()})
    low = [(t, k, v) for t, r in results.items() for k, v in r.items() if v["ratio"] < AA]
    assert not low, f"below {AA}:1: {low}"
    # on the dark theme the plots are drawn inverted (hues kept), not as white blocks
    plot_filter = widget.locator(".tutor-plots img").first.evaluate("e => getComputedStyle(e).filter")
    assert "invert" in plot_filter, plot_filter
    lab.set_theme(page, "JupyterLab Light")
    lab.assert_no_console_errors(page)
