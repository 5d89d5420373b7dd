"""The exercise widget, driven as a learner would: type code, click the buttons, read what it shows."""
from __future__ import annotations

import html as html_module
import re

import ipywidgets as W
import pytest

import tutor
from tutor import exercises
from tutor.widgets import exercise_view
from tutor.widgets.display import _live_definition, exercise_bundle
from tutor.widgets.exercise import ExerciseView, view_for
from tutor.render.focus import MAX_PLOTS


def text(html: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def rows(view: ExerciseView, kind: str = "") -> list[str]:
    return re.findall(rf"<tr class=\"tutor-check-row[^\"]*{kind}\"", view.checks.value)


def codes(view: ExerciseView) -> list[str]:
    return re.findall(r"data-code='([^']+)'", view.diagnosis.value)


def submit(view: ExerciseView, code: str) -> None:
    view.editor.value = code
    view.check_button.click()


def test_wrong_then_right_code(learner):
    view = exercise_view("lin_grad")
    assert view.editor.value == exercises.get("lin_grad").stub
    assert text(view.badge.value) == ""

    submit(view, learner("lin_grad/fail_transposed"))
    assert text(view.badge.value) == "FAIL"
    assert "tutor-fail" in view.badge._dom_classes
    assert codes(view) == ["transposed"]
    assert len(rows(view)) == len(view.report.checks) and rows(view, "tutor-check-fail")
    assert "max abs error" in view.checks.value and "relative error" in view.checks.value
    assert view.check_button.description == "Check again"
    assert view.error.layout.display == "none"

    submit(view, learner("lin_grad/pass_lesson"))
    assert text(view.badge.value) == "PASS"
    assert "tutor-pass" in view.badge._dom_classes and "tutor-fail" not in view.badge._dom_classes
    assert rows(view, "tutor-check-fail") == [] and len(rows(view, "tutor-check-pass")) == len(view.report.checks)
    assert "All checks passed" in view.diagnosis.value
    assert tutor.passed("lin_grad")


def test_raising_code_shows_the_learners_line():
    view = exercise_view("lin_grad")
    submit(view, "def lin_grad(inp, out, w, b):\n    scale = 1 / 0\n")
    assert text(view.badge.value) == "FAIL"
    assert codes(view) == ["raises"]
    assert "line 2: scale = 1 / 0" in view.diagnosis.value
    assert "ZeroDivisionError" in view.diagnosis.value


def test_hints_revealed_in_order_then_no_more():
    view = exercise_view("relu")
    hints = exercises.get("relu").hints
    for i, hint in enumerate(hints, 1):
        view.hint_button.click()
        assert len(view.hints.children) == i
        assert hint.replace("`", "")[:40] in text(view.hints.children[-1].value)
        assert text(view.hints.children[-1].value).startswith(f"Hint {i}/{len(hints)}")
    assert not view.hint_button.disabled
    view.hint_button.click()
    assert "No more hints" in view.hints.children[-1].value and view.hint_button.disabled
    view.hint_button.click()
    assert len(view.hints.children) == len(hints) + 1
    assert tutor.progress.store().get("relu").hints == len(hints)


def test_hints_already_revealed_stay_revealed_in_a_new_widget():
    first = exercise_view("lin_grad")
    first.hint_button.click()
    first.hint_button.click()
    again = exercise_view("lin_grad")  # the cell re-run, or the kernel restarted
    assert [text(h.value)[:8] for h in again.hints.children] == ["Hint 1/4", "Hint 2/4"]
    assert again.hint_button.description == "Hint (2/4)"
    again.hint_button.click()
    assert text(again.hints.children[-1].value).startswith("Hint 3/4")


def test_solution_offered_only_after_three_failed_checks(learner):
    tutor.configure(plots=False)
    view = exercise_view("lin_grad")
    wrong = learner("lin_grad/fail_sign-flipped")
    for _ in range(2):
        submit(view, wrong)
        assert view.solution_button.layout.display == "none"
    view.solution_button.click()  # not offered yet: clicking does nothing
    assert view.solution.layout.display == "none"
    submit(view, wrong)
    assert view.solution_button.layout.display is None
    view.solution_button.click()
    assert view.solution.layout.display is None
    assert "inp.g = out.g @ w.t()" in view.solution.value
    # the failures are remembered: a new widget (a restarted kernel) offers it straight away
    assert exercise_view("lin_grad").solution_button.layout.display is None


@pytest.mark.parametrize("how", ["configure", "env"])
def test_solutions_can_be_switched_off_for_graded_use(learner, monkeypatch, how):
    if how == "configure":
        tutor.configure(solutions=False)
    else:
        monkeypatch.setenv("TUTOR_SOLUTIONS", "0")
    tutor.configure(plots=False)
    view = exercise_view("lin_grad")
    for _ in range(4):
        submit(view, learner("lin_grad/fail_sign-flipped"))
    assert view.solution_button.layout.display == "none"
    view.solution_button.click()
    assert view.solution.value == ""


def test_solution_after_is_configurable(learner):
    tutor.configure(solution_after=1)
    view = exercise_view("lin_grad")
    submit(view, learner("lin_grad/fail_sign-flipped"))
    assert view.solution_button.layout.display is None


def test_plots_shown_and_toggled(learner):
    view = exercise_view("lin_grad")
    assert view.plots_toggle.value is True
    submit(view, learner("lin_grad/fail_transposed"))
    images = list(view.plots.children)
    assert images and all(isinstance(i, W.Image) and bytes(i.value).startswith(b"\x89PNG") for i in images)
    assert [t.split(":")[0] for t in view.plot_titles] == ["w.g"]  # the failing gradient, not all of them
    view.plots_toggle.value = False
    assert view.plots.children == ()
    view.plots_toggle.value = True
    assert [bytes(c.value) for c in view.plots.children] == [bytes(i.value) for i in images]


def test_a_pass_draws_one_weight_gradient(learner):
    view = exercise_view("lin_grad")
    submit(view, learner("lin_grad/pass_lesson"))
    assert len(view.plots.children) == 1 < len(view.report.samples)
    assert view.plot_titles[0].startswith("w1.g")


def test_a_failure_draws_only_the_failing_gradients(learner):
    view = exercise_view("lin_grad")
    submit(view, learner("lin_grad/fail_transposed"))
    assert 1 <= len(view.plots.children) <= MAX_PLOTS
    assert all(t.startswith("w") for t in view.plot_titles), view.plot_titles


def test_plots_off_by_configuration(learner):
    tutor.configure(plots=False)
    view = exercise_view("lin_grad")
    submit(view, learner("lin_grad/pass_lesson"))
    assert view.plots_toggle.value is False and view.plots.children == ()


def test_callback_error_is_shown_in_the_widget():
    # "Check again" on a report-only widget re-reads the learner's definition: here there is none
    view = ExerciseView("relu", submission=_live_definition("relu"))
    view.check_button.click()
    assert view.error.layout.display is None
    assert "LookupError" in view.error.value and "Relu is not defined" in view.error.value
    assert not view.check_button.disabled


def test_autosaved_code_restored_in_a_new_widget(learner):
    view = exercise_view("mse")
    view.editor.value = "# half-way there\n" + learner("mse/fail_scale")
    again = exercise_view("mse")  # what a restarted kernel builds
    assert again.editor.value == view.editor.value
    assert tutor.last_code("mse") is None  # a draft, not yet checked
    submit(again, learner("mse/pass_lesson"))
    assert tutor.last_code("mse") == learner("mse/pass_lesson")
    assert exercise_view("mse").editor.value == learner("mse/pass_lesson")


def test_stable_css_classes():
    view = exercise_view("lin")
    assert "tutor-exercise" in view.root._dom_classes
    for part, cls in [(view.badge, "tutor-badge"), (view.checks, "tutor-checks"), (view.plots, "tutor-plots"),
                      (view.diagnosis, "tutor-diagnosis"), (view.hints, "tutor-hints"),
                      (view.error, "tutor-error"), (view.editor, "tutor-editor")]:
        assert cls in part._dom_classes
        assert _inside(view.root, part)


def _inside(root: W.Widget, part: W.Widget) -> bool:
    children = getattr(root, "children", ())
    return any(c is part or _inside(c, part) for c in children)


def test_statement_rendered_as_html_with_maths():
    view = exercise_view("lin_grad")
    assert isinstance(view.statement, W.HTMLMath)
    assert "<h3>" in view.statement.value and "<code>out.g</code>" in view.statement.value
    assert r"$$y_{ij} = \sum_k x_{ik}\, w_{kj} + b_j$$" in view.statement.value


def test_display_bundle_has_static_fallbacks(learner):
    view = exercise_view("lin_grad")
    before = exercise_bundle(view)
    assert before["text/plain"].startswith("lin_grad: not checked yet")
    submit(view, learner("lin_grad/fail_transposed"))
    data = exercise_bundle(view)
    assert data["text/plain"].splitlines()[0] == "lin_grad: FAIL [transposed]"
    assert "transposed" in data["text/html"] and "<" in data["text/html"]
    model_id = data["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert view_for(model_id) is view


def test_unwritable_store_is_a_notice_not_an_error(tutor_home, learner):
    tutor_home.parent.mkdir(parents=True, exist_ok=True)
    tutor_home.write_text("a file where the store's directory should be")
    view = exercise_view("lin_grad")
    submit(view, learner("lin_grad/pass_lesson"))
    assert text(view.badge.value) == "PASS"
    assert view.error.layout.display == "none"
    assert view.notice.layout.display is None and "progress not saved" in view.notice.value
