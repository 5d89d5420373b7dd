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


def test_check_checks_the_code_on_screen_even_when_the_kernel_has_not_heard_the_last_keystrokes(page, lab_server):
    """ipywidgets holds a model's updates back while the kernel is busy, but sends a click at once: typed while a
    cell runs, then Check, once checked the code as it was before the typing (an empty code area: FAIL)."""
    busy = "import time; time.sleep(6)"
    lab.open_and_run(page, lab_server, "code_area_busy.ipynb", ["import tutor", SHOW, busy, "'the end'"])
    widget = lab.code_cell(page, SHOW).locator(f".jp-OutputArea-output {WIDGET}")
    area = widget.locator(".tutor-editor textarea")
    area.wait_for(state="visible")
    sleeper = lab.code_cell(page, busy)
    sleeper.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function("(el) => el.textContent.includes('*')",
                           arg=sleeper.locator(".jp-InputPrompt").first.element_handle())
    area.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text("class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
                              "    def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g\n")
    page.keyboard.type("# typed last")
    assert "*" in lab.prompt(sleeper), "the kernel was not busy while the code was typed: the test proves nothing"
    widget.locator("button.jupyter-button.tutor-check-button").click()
    badge_is(page, widget, "PASS")
    lab.assert_no_console_errors(page)
