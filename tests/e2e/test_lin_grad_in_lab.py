"""The learner's real path, in a real JupyterLab in Debian's headless Chromium (issue 5).

Open a copy of the lin_grad notebook, run it (the stub is NOT STARTED), type a wrong lin_grad (bias
gradient not summed over the batch) into the exercise cell, see FAIL with the `not-summed-over-batch`
mistake, its first hint and the gradient plot above the fold at 1400×1000, the checks grouped, reveal the
next hint, type a correct lin_grad and see PASS with the help folded away, restart the kernel, re-run, and
see the progress dashboard still counting the earlier attempts (re-running the same code is no new one).
Screenshots of the FAIL and PASS states land in test-artifacts/.
"""
from __future__ import annotations

import os
import re
import shutil

import pytest

from tutor.exercises.lin_grad import HINTS_BY_CODE

from . import conftest, lab

# TUTOR_E2E_UPDATE_DOCS=1 pytest -m e2e  copies this run's screenshots to the README's images.
DOCS_SHOTS = {"lin_grad-FAIL": "screenshot-fail.png", "lin_grad-PASS": "screenshot-pass.png"}

pytestmark = pytest.mark.e2e

MAGIC = "%%exercise lin_grad"

WRONG = """\
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g  # not summed over the batch"""

RIGHT = """\
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)"""

# --- how the widgets look in the DOM: ipywidgets' add_class("x") puts class "x" on the widget's
# element; `.jupyter-widgets` makes sure it is the live widget, not the static HTML fallback. ----
EXERCISE_WIDGET = ".jupyter-widgets.tutor-exercise-lin_grad"
BADGE = ".widget-html.tutor-badge"  # the widget (the report HTML inside has its own span.tutor-badge)
CHECK_ROWS = ".tutor-checks table.tutor-check-table tr.tutor-check-group"
DIAGNOSIS = ".tutor-diagnosis div.tutor-diagnosis"
HINT_BUTTON = "button.jupyter-button.tutor-hint-button"
HINT_ITEMS = ".tutor-hints .tutor-hint"
PLOT_IMAGES = ".tutor-plots img"
PROGRESS_ROW = ".jupyter-widgets.tutor-progress tr.tutor-progress-row[data-exercise='lin_grad']"


def notebook_name() -> str:
    found = sorted(p.name for p in conftest.NOTEBOOKS.glob("*lin_grad*.ipynb"))
    assert found, f"no notebooks/*lin_grad*.ipynb in {conftest.NOTEBOOKS}"
    return found[0]


def exercise(cell):
    """The exercise widget shown under the cell (only one: a re-run replaces the output)."""
    w = cell.locator(f".jp-OutputArea-output {EXERCISE_WIDGET}")
    lab.shown(w)
    assert w.count() == 1, f"{w.count()} exercise widgets under the cell"
    return w


def badge_is(page, widget, text: str) -> None:
    badge = widget.locator(BADGE)
    lab.wait_text(page, badge, text)
    lab.shown(badge)
    assert badge.inner_text().strip() == text
    assert f"tutor-{text.lower().replace(' ', '-')}" in badge.get_attribute("class").split()


def plot_loaded(page, widget) -> None:
    img = lab.shown(widget.locator(PLOT_IMAGES)).first
    page.wait_for_function("(el) => el.complete && el.naturalWidth >= 200 && el.naturalHeight >= 100",
                           arg=img.element_handle())


def check_rows(widget) -> list[list[str]]:
    return widget.locator(CHECK_ROWS).evaluate_all(
        "rows => rows.map(r => [r.children[0].textContent.trim(), r.dataset.tensor, r.dataset.kind])")


def progress(page) -> dict[str, str]:
    """The dashboard's lin_grad row: status, attempts, hints."""
    # JupyterLab draws a widget output only once its cell has been in view: go to the dashboard's cell first
    cell = lab.code_cell(page, "tutor.progress()")
    cell.scroll_into_view_if_needed()
    row = page.locator(f"{lab.ACTIVE} .jp-OutputArea-output {PROGRESS_ROW}")
    try:
        lab.shown(row, timeout=20_000)
    except Exception:  # seen once in CI after restart + Run All (the cause is not known): say what was drawn,
        # then do what a learner would, run the dashboard's cell again; the counts must still have survived
        drawn = cell.locator(".jp-OutputArea").first.evaluate("el => el.textContent")
        print(f"no lin_grad row in the dashboard after 20 s; its output said: {drawn[:500]!r}; running it again")
        lab.run_cell(page, cell)
        cell.scroll_into_view_if_needed()
        lab.shown(row)
    assert row.count() == 1, f"{row.count()} lin_grad rows in progress dashboards"
    cells = row.locator("td").all_text_contents()
    return {"status": cells[1].strip(), "attempts": int(cells[2]), "hints": int(cells[3])}


def assert_widgets_rendered(page) -> None:
    texts = page.locator(f"{lab.ACTIVE} .jp-OutputArea-output").all_text_contents()
    bad = [t for t in texts if "Error displaying widget" in t or "Failed to load model" in t]
    assert not bad, bad


def test_lin_grad_learner_path(page, lab_server):
    tick = lab.Stopwatch()
    name = notebook_name()

    # 1-2. a copy of the notebook (the server's root is a temp copy of notebooks/), run it all
    lab.open_notebook(page, lab_server, name)
    tick(f"{name} open, kernel idle")
    lab.run_all(page)
    lab.assert_no_errors(page)
    cell = lab.code_cell(page, MAGIC)
    badge_is(page, exercise(cell), "NOT STARTED")  # the stub is not an answer, and not an attempt
    assert_widgets_rendered(page)
    tick("run all: the stub shows NOT STARTED")

    # 3. a wrong lin_grad (bias gradient not summed over the batch): FAIL, diagnosis, table, plot
    lab.set_code(page, cell, f"{MAGIC}\n{WRONG}")
    lab.run_cell(page, cell)
    widget = exercise(cell)
    badge_is(page, widget, "FAIL")
    diagnosis = widget.locator(DIAGNOSIS)
    lab.wait_text(page, diagnosis, "not-summed-over-batch")
    assert diagnosis.first.get_attribute("data-code") == "not-summed-over-batch"
    rows = check_rows(widget)  # one line per distinct failure, then what was not checked, then passes
    assert [r for r in rows if r[2] == "failed"] == [["✗", "b.g", "failed"]], rows
    assert {r[1] for r in rows if r[2] == "not checked"} <= {"b1.g", "b2.g"}, rows
    assert any(r[0] == "✓" and r[1] == "w.g" for r in rows), rows
    plot_loaded(page, widget)
    assert_widgets_rendered(page)
    ladder = HINTS_BY_CODE["not-summed-over-batch"]
    hints = widget.locator(HINT_ITEMS)
    lab.wait_text(page, hints, ladder[0].replace("`", "")[:50])  # the first hint for this mistake, at once
    assert hints.count() == 1
    tick("wrong lin_grad: FAIL, not-summed-over-batch, its hint, grouped checks, plot")
    lab.assert_above_the_fold(page, cell, [widget.locator(DIAGNOSIS).first, hints.first,
                                           widget.locator(PLOT_IMAGES).first])
    tick("the mistake, its hint and the plot are above the fold at 1400×1000")

    # 4. "Hint" reveals the next rung of that ladder
    widget.locator(HINT_BUTTON).click()
    page.wait_for_function("(el) => el.querySelectorAll('.tutor-hint').length === 2",
                           arg=widget.locator(".tutor-hints").first.element_handle())
    tick("Hint: the second hint is shown")
    shots = [lab.screenshot(page, "lin_grad-FAIL", cell, until=widget.locator(PLOT_IMAGES).first)]
    lab.screenshot(page, "lin_grad-FAIL-page")

    # 5. a correct lin_grad: PASS
    lab.set_code(page, cell, f"{MAGIC}\n{RIGHT}")
    lab.run_cell(page, cell)
    widget = exercise(cell)
    badge_is(page, widget, "PASS")
    assert [widget.locator(DIAGNOSIS).first.get_attribute("data-code")] == [""]  # "All checks passed"
    rows = check_rows(widget)
    assert rows and all(r[0] == "✓" for r in rows), rows
    for quiet in (".tutor-hints", HINT_BUTTON, "button.jupyter-button.tutor-solution-button"):
        assert not widget.locator(quiet).first.is_visible(), quiet  # help folds away on a pass
    table = widget.locator(CHECK_ROWS).first
    if not table.is_visible():  # a pass folds the table away: open it, as a learner would
        widget.locator(".tutor-checks summary").first.click()
        table.wait_for(state="visible")
    plot_loaded(page, widget)
    assert_widgets_rendered(page)
    tick("correct lin_grad: PASS")
    shots.append(lab.screenshot(page, "lin_grad-PASS", cell, until=widget.locator(PLOT_IMAGES).first))
    lab.screenshot(page, "lin_grad-PASS-page")

    # the dashboard before the restart (re-run its cell: it was drawn before these attempts)
    lab.run_cell(page, lab.code_cell(page, "tutor.progress()"))
    before = progress(page)
    assert before["status"] == "PASS" and before["attempts"] >= 2, before  # wrong, right (the stub is none)
    assert before["hints"] >= 2, before  # the one shown at once and the one asked for
    tick(f"dashboard before the restart: {before}")

    # 6. restart the kernel and re-run: the earlier attempts are still counted
    lab.restart_kernel(page)
    assert page.locator(f"{lab.ACTIVE} {EXERCISE_WIDGET}").count() == 0  # no stale widget left
    lab.run_all(page)
    lab.assert_no_errors(page)
    assert lab.execution_count(lab.code_cells(page).first) == 1  # a fresh kernel ran it
    badge_is(page, exercise(cell), "PASS")  # the edited cell ran again: the same code, no new attempt
    after = progress(page)
    assert after["attempts"] == before["attempts"], (before, after)
    assert after["status"] == "PASS" and after["hints"] == before["hints"], (before, after)
    assert_widgets_rendered(page)
    tick(f"after the restart: {after}")
    lab.assert_no_console_errors(page)

    if os.environ.get("TUTOR_E2E_UPDATE_DOCS") == "1":
        docs = conftest.REPO / "docs"
        docs.mkdir(exist_ok=True)
        for shot in shots:
            shutil.copyfile(shot, docs / DOCS_SHOTS[shot.stem])
