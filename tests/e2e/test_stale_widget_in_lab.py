"""After Kernel > Restart Kernel (outputs kept) in a real JupyterLab, an old exercise widget says so — "Kernel
restarted: run the cell again" — at its top, readable in both themes, with its buttons visibly disabled and
deaf to clicks; the progress dashboard says the same; running the cell again gives a live widget without it.

How: the widget manager marks every view of the old kernel with `jupyter-widgets-disconnected` (ipywidgets 7
and 8 set `comm_live = false` when the kernel restarts); the widget's own CSS (tutor/widgets/parts.py) shows
the message on that class. Nothing is installed in the front end.
"""
from __future__ import annotations

import os
import shutil

import pytest

from . import conftest, lab
from .test_lin_grad_in_lab import EXERCISE_WIDGET, HINT_ITEMS, MAGIC, WRONG, badge_is, plot_loaded

pytestmark = pytest.mark.e2e

PROGRESS = "tutor.progress()"
DASHBOARD = ".jupyter-widgets.tutor-progress"
MESSAGE = "Kernel restarted: run the cell again"
DISCONNECTED = "jupyter-widgets-disconnected"
DOCS_SHOT = "screenshot-stale.png"

# The message is the root's ::before: its text, colours (against what is painted below) and height.
_BEFORE_JS = """(el) => {
  const s = getComputedStyle(el, '::before');
  const first = el.firstElementChild.getBoundingClientRect().top - el.getBoundingClientRect().top;
  return {content: s.content, display: s.display, color: s.color, background: s.backgroundColor,
          room: first, classes: [...el.classList]};
}"""
_RATIO_JS = """([fg, bg]) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(rgb(fg)), lum(rgb(bg))].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}"""


def failing_widget(page, lab_server, name: str, last: str):
    """A notebook of `import tutor`, a wrong lin_grad and `last`, opened and run: (the exercise cell, its widget)."""
    lab.open_and_run(page, lab_server, name, ["import tutor", f"{MAGIC}\n{WRONG}", last])
    cell = lab.code_cell(page, MAGIC)
    widget = cell.locator(f".jp-OutputArea-output {EXERCISE_WIDGET}")
    badge_is(page, widget, "FAIL")
    return cell, widget


def message(locator) -> dict:
    return locator.first.evaluate(_BEFORE_JS)


def assert_stale(page, locator, what: str) -> None:
    """The root carries the disconnected class and shows the message, at AA contrast, above its content."""
    page.wait_for_function(f"(el) => el.classList.contains('{DISCONNECTED}')",
                           arg=locator.first.element_handle(), timeout=30_000)
    found = message(locator)
    assert MESSAGE in found["content"] and found["display"] == "block", (what, found)
    assert found["room"] >= 14, (what, found)  # the message takes a line of its own above the content
    bg = found["background"]
    if bg in ("rgba(0, 0, 0, 0)", "transparent"):  # no theme variable: painted on the cell's background
        bg = page.evaluate("() => getComputedStyle(document.querySelector('.jp-Notebook')).backgroundColor")
    ratio = page.evaluate(_RATIO_JS, [found["color"], bg])
    assert ratio >= 4.5, (what, found, bg, ratio)


def test_restart_leaves_a_stale_widget_that_says_so(page, lab_server):
    cell, widget = failing_widget(page, lab_server, "stale_widget.ipynb", PROGRESS)
    lab.run_cell(page, cell)  # checked again with the sandbox warm: the screenshot's "checked in" is a usual one
    badge_is(page, widget, "FAIL")
    plot_loaded(page, widget)
    hints = widget.locator(HINT_ITEMS)
    hints.first.wait_for(state="visible")
    n_hints = hints.count()
    dashboard = page.locator(f"{lab.ACTIVE} .jp-OutputArea-output {DASHBOARD}")
    dashboard.first.wait_for(state="visible")
    live = message(widget)
    assert DISCONNECTED not in live["classes"] and MESSAGE not in live["content"], live  # a live widget: no message

    lab.restart_kernel(page, clear_outputs=False)
    assert widget.count() == 1  # the old output is still there
    assert_stale(page, widget, "exercise widget")
    assert_stale(page, dashboard, "progress dashboard")
    # its own parts show no chain icon each: the one message says it
    parts = widget.locator(f".{DISCONNECTED}")
    assert parts.count() > 3
    assert parts.evaluate_all("els => els.filter(e => !e.classList.contains('tutor-exercise'))"
                              ".every(e => getComputedStyle(e, '::before').content === 'none')")

    hint_button = widget.locator("button.jupyter-button.tutor-hint-button")
    style = hint_button.evaluate("e => ({pe: getComputedStyle(e).pointerEvents, op: getComputedStyle(e).opacity})")
    assert style["pe"] == "none" and float(style["op"]) < 0.6, style  # visibly disabled
    hint_button.click(force=True)  # a learner clicks anyway: nothing happens
    page.evaluate("() => new Promise(r => setTimeout(r, 1000))")
    assert hints.count() == n_hints
    lab.screenshot(page, "stale-widget", cell, until=hint_button)
    lab.screenshot(page, "stale-widget-page")
    lab.set_theme(page, "JupyterLab Dark")
    assert_stale(page, widget, "exercise widget, dark theme")
    lab.screenshot(page, "stale-widget-dark", cell, until=hint_button)
    lab.set_theme(page, "JupyterLab Light")

    # run the cells again (Run All: `import tutor` first): a live widget, and the message is gone
    lab.run_all(page)
    lab.assert_no_errors(page)
    widget = cell.locator(f".jp-OutputArea-output {EXERCISE_WIDGET}")
    badge_is(page, widget, "FAIL")
    assert widget.count() == 1
    again = message(widget)
    assert DISCONNECTED not in again["classes"] and MESSAGE not in again["content"], again
    widget.locator("button.jupyter-button.tutor-hint-button").click()
    page.wait_for_function("(el) => el.querySelectorAll('.tutor-hint').length === 2",
                           arg=widget.locator(".tutor-hints").first.element_handle())
    lab.assert_no_console_errors(page)

    if os.environ.get("TUTOR_E2E_UPDATE_DOCS") == "1":
        shutil.copyfile(lab.ARTIFACTS / "stale-widget.png", conftest.REPO / "docs" / DOCS_SHOT)


DIE = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)  # the kernel dies"


def test_a_kernel_that_died_and_restarted_leaves_a_stale_widget_that_says_so(page, lab_server):
    """The server restarts a dead kernel by itself: the old widget says so as after Kernel > Restart."""
    _cell, widget = failing_widget(page, lab_server, "kernel_dies.ipynb", "print('last')")
    last = lab.code_cell(page, "print('last')")
    lab.set_code(page, last, DIE)
    last.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    dialog = page.locator(".jp-Dialog")  # "The kernel appears to have died. It will restart automatically."
    dialog.wait_for(state="visible", timeout=60_000)
    dialog.locator("button.jp-mod-accept").click()
    lab.wait_kernel_idle(page)
    assert_stale(page, widget, "exercise widget after the kernel died")
    lab.assert_no_errors(page)
