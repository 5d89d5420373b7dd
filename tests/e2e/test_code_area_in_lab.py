"""The code area of `tutor.exercise(...)` behaves like code in a real JupyterLab: Tab indents and keeps the focus,
Enter keeps the indentation (one more level after a `:`), and no keystroke reaches JupyterLab's command mode
(a typed `x` once cut the whole cell); Check then checks exactly what was typed."""
from __future__ import annotations

import pytest

from . import lab
from .test_lin_grad_in_lab import badge_is

pytestmark = pytest.mark.e2e

SHOW = 'tutor.exercise("relu")'
WIDGET = ".jupyter-widgets.tutor-exercise-relu"


def test_tab_indents_enter_keeps_indentation_and_keys_stay_in_the_code_area(page, lab_server):
    lab.open_and_run(page, lab_server, "code_area.ipynb", ["import tutor", SHOW])
    cells_before = lab.code_cells(page).count()
    widget = lab.code_cell(page, SHOW).locator(f".jp-OutputArea-output {WIDGET}")
    area = widget.locator(".tutor-editor textarea")
    area.wait_for(state="visible")
    area.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    # type a whole Relu as a learner would: Enter after a `:` indents, Tab indents, Shift+Tab dedents
    page.keyboard.type("class Relu(Module):")
    page.keyboard.press("Enter")
    page.keyboard.type("def forward(self, inp): return inp.clamp_min(0.)")
    page.keyboard.press("Enter")
    page.keyboard.type("def bwd(self, out, inp):")
    page.keyboard.press("Enter")
    page.keyboard.type("inp.g = (inp > 0).float() * out.g")
    page.keyboard.press("Enter")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("x = 1")  # an `x` in command mode would cut the cell
    assert area.evaluate("e => document.activeElement === e"), "Tab moved the focus out of the code area"
    expected = ("class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
                "    def bwd(self, out, inp):\n        inp.g = (inp > 0).float() * out.g\n        x = 1")
    assert area.input_value() == expected
    assert lab.code_cells(page).count() == cells_before, "a keystroke reached JupyterLab's command mode"
    widget.locator("button.jupyter-button.tutor-check-button").click()
    badge_is(page, widget, "PASS")  # the kernel got exactly what was typed
    lab.assert_no_console_errors(page)
