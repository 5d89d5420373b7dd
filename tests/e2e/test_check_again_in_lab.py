""""Check again" in a real JupyterLab: the widget re-checks the learner's current definition, stays a live
widget after its output is refreshed, and the saved notebook holds the new verdict in its static fallback."""
from __future__ import annotations

import json
import time

import pytest

from . import lab
from .test_lin_grad_in_lab import BADGE, RIGHT, WRONG, badge_is

pytestmark = pytest.mark.e2e

CHECK = "tutor.check(lin_grad)"
WIDGET = ".jupyter-widgets.tutor-exercise-lin_grad"


def saved_verdict(path) -> str:
    """The first line of the text/plain fallback saved under the `tutor.check` cell ("" while a save is writing it)."""
    try:
        cells = json.loads(path.read_text())["cells"]
    except json.JSONDecodeError:  # Jupyter's save rewrites the file in place: a read can land in the middle
        return ""
    [cell] = [c for c in cells if "".join(c["source"]).startswith(CHECK)]
    texts = [o["data"]["text/plain"] for o in cell["outputs"] if o.get("output_type") == "display_data"]
    return "".join(texts[0]).splitlines()[0] if texts else ""


def test_check_again_rechecks_and_refreshes_the_saved_fallback(page, lab_server):
    name = "check_again.ipynb"
    lab.open_and_run(page, lab_server, name, ["import tutor", WRONG, CHECK])
    check_cell = lab.code_cell(page, CHECK)
    widget = check_cell.locator(f".jp-OutputArea-output {WIDGET}")
    badge_is(page, widget, "FAIL")

    # the learner fixes the definition in its own cell, then clicks "Check again" under the check
    definition = lab.code_cell(page, "b.g = out.g  # not summed")
    lab.set_code(page, definition, RIGHT)
    lab.run_cell(page, definition)
    widget.locator("button.jupyter-button.tutor-check-button").click()
    badge_is(page, widget, "PASS")
    assert widget.count() == 1 and widget.locator(BADGE).count() == 1  # re-rendered in place, not added

    # the refreshed fallback arrives after the widget's own updates (plots included): save until it is in
    path, deadline = lab_server.root / name, time.monotonic() + 30
    while (saved := saved_verdict(path)) != "lin_grad: PASS" and time.monotonic() < deadline:
        page.keyboard.press("Control+s")
        time.sleep(1)
    assert saved == "lin_grad: PASS"
    badge_is(page, widget, "PASS")  # the output was replaced by the refresh: still one live widget
    assert widget.count() == 1
    lab.assert_no_console_errors(page)
