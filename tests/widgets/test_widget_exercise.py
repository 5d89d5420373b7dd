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
from tutor.widgets.markdown import inline_html
from tutor.render.focus import MAX_PLOTS


LEARNERS = __import__("pathlib").Path(__file__).resolve().parents[1] / "learners"


def text(html: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def groups(view: ExerciseView, kind: str = "") -> list[str]:
    """The data-count of each group row of the checks table (of one kind: failed, not checked, passed)."""
    pattern = r'<tr class="tutor-check-group[^"]*" data-kind="KIND"[^>]*data-count="(\d+)"'
    return re.findall(pattern.replace("KIND", kind or '[^"]+'), view.checks.value)


def codes(view: ExerciseView) -> list[str]:
    return re.findall(r'class="tutor-diagnosis[^"]*" data-code="([^"]*)"', view.diagnosis.value)


def hints(view: ExerciseView) -> list[str]:
    return [text(h.value) for h in view.hints.children]


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
    # one line per distinct failure: w.g on its 4 cases; the model's w1.g and w2.g, which need a right w.g,
    # on one line each as not checked
    assert groups(view, "failed") == ["4"] and "× 4 cases" in view.checks.value
    assert groups(view, "not checked") == ["2", "2"] and "needs a right w.g" in view.checks.value
    assert sum(map(int, groups(view))) == len(view.report.checks)
    assert view.check_button.description == "Check again"
    assert view.error.layout.display == "none"
    assert hints(view)[0].startswith("Hint 1/") and view.hints.layout.display is None  # one hint, at once

    submit(view, learner("lin_grad/pass_lesson"))
    assert text(view.badge.value) == "PASS"
    assert "tutor-pass" in view.badge._dom_classes and "tutor-fail" not in view.badge._dom_classes
    assert groups(view, "failed") == [] and sum(map(int, groups(view, "passed"))) == len(view.report.checks)
    assert "<details" in view.checks.value  # passing checks folded away
    assert "All checks passed" in view.diagnosis.value
    assert tutor.passed("lin_grad")
    # on a pass, hints and the solution fold away quietly
    assert view.hints.layout.display == "none" and view.hint_button.layout.display == "none"
    assert view.solution_button.layout.display == "none"


def test_relative_error_is_written_beside_its_limit(learner):
    tutor.configure(plots=False)
    view = exercise_view("mse")
    submit(view, learner("mse/fail_scale"))
    assert "0.5 (limit 1e-4)" in text(view.checks.value) and "≤" not in view.checks.value


def test_the_untouched_stub_is_not_started_and_not_an_attempt():
    view = exercise_view("lin_grad")
    view.check_button.click()
    assert text(view.badge.value) == "NOT STARTED" and "tutor-not-started" in view.badge._dom_classes
    assert "Not started yet" in text(view.diagnosis.value) and "AttributeError" not in view.checks.value
    assert view.hints.children == () and view.hint_button.layout.display == "none"
    assert tutor.progress.store().get("lin_grad").attempts == 0
    assert exercise_bundle(view)["text/plain"].startswith("lin_grad: FAIL [unfinished]")


def test_only_distinct_code_counts_as_an_attempt(learner):
    tutor.configure(plots=False)
    view = exercise_view("lin_grad")
    wrong = learner("lin_grad/fail_sign-flipped")
    for _ in range(3):
        submit(view, wrong)  # "Check again" on unchanged code
    submit(view, wrong + "\n\n")
    assert tutor.progress.store().get("lin_grad").attempts == 1
    assert view.solution_button.layout.display == "none"


def test_raising_code_shows_the_learners_line():
    view = exercise_view("lin_grad")
    submit(view, "def lin_grad(inp, out, w, b):\n    scale = 1 / 0\n")
    assert text(view.badge.value) == "FAIL"
    assert codes(view) == ["raises"]
    assert "line 2: scale = 1 / 0" in view.diagnosis.value
    assert "ZeroDivisionError" in view.diagnosis.value


def test_general_hints_revealed_in_order_then_no_more():
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


@pytest.mark.parametrize("name, code", [("lin_grad", "not-summed-over-batch"), ("lin_grad", "batch-scale"),
                                        ("mse", "scale"), ("relu", "activation-not-mask"), ("lin", "transposed")])
def test_hints_follow_the_mistake_made(learner, name, code):
    tutor.configure(plots=False)
    ladder = exercises.get(name).hints_by_code[code]
    view = exercise_view(name)
    submit(view, learner(f"{name}/fail_{code}") if (LEARNERS / name / f"fail_{code}.py").exists()
           else next(v.source for v in exercises.get(name).variants if v.code == code))
    assert codes(view)[0] == code
    assert hints(view) == [f"Hint 1/{len(ladder)}. {text(inline_html(ladder[0]))}"]
    for i in range(2, len(ladder) + 1):
        view.hint_button.click()
        assert hints(view)[-1].startswith(f"Hint {i}/{len(ladder)}.")
    view.hint_button.click()
    assert "No more hints" in hints(view)[-1] and view.hint_button.disabled
    assert all(isinstance(h, W.HTMLMath) for h in view.hints.children)  # maths typeset like the statement


def test_a_new_mistake_starts_its_own_ladder(learner):
    tutor.configure(plots=False)
    view = exercise_view("mse")
    submit(view, learner("mse/fail_scale"))
    view.hint_button.click()
    assert len(view.hints.children) == 2
    submit(view, learner("mse/fail_sign-flipped"))
    first = exercises.get("mse").hints_by_code["sign-flipped"][0]
    assert hints(view) == [f"Hint 1/1. {text(inline_html(first))}"]


def test_no_hint_gives_the_formula_away():
    answers = {"lin_grad": ["out.g @ w.t()", "inp.t() @ out.g", "out.g.sum(0)", ".sum(0)"],
               "lin": ["out.g @ self.w.t()", "inp.t() @ out.g", "out.g.sum(0)", ".sum(0)"],
               "relu": ["(inp > 0).float() * out.g", "(inp>0).float()*out.g"],
               "mse": ["2. * (inp.squeeze() - targ)", "2 * (inp.squeeze(-1) - targ)", "(x_i - t_i)/n", "2(x_i - t_i)"]}
    for name, lines in answers.items():
        ex = exercises.get(name)
        for hint in [*ex.hints, *(h for ladder in ex.hints_by_code.values() for h in ladder)]:
            assert not any(line in hint for line in lines), (name, hint)


def test_solution_offered_only_after_three_distinct_failed_checks(learner):
    tutor.configure(plots=False)
    view = exercise_view("lin_grad")
    for wrong in ("sign-flipped", "transposed"):
        submit(view, learner(f"lin_grad/fail_{wrong}"))
        submit(view, learner(f"lin_grad/fail_{wrong}"))  # the same code again does not count
        assert view.solution_button.layout.display == "none"
    view.solution_button.click()  # not offered yet: clicking does nothing
    assert view.solution.layout.display == "none"
    submit(view, learner("lin_grad/fail_scale"))
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
    for wrong in ("sign-flipped", "transposed", "scale", "batch-scale"):
        submit(view, learner(f"lin_grad/fail_{wrong}"))
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
    assert view.plot_titles[0].startswith("w.g: units as 28×28 images")  # lin_grad alone: w.g as tiles


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


def test_callback_error_is_shown_in_the_widget(monkeypatch):
    # "Check again" on a report-only widget re-reads the learner's definition: here there is none
    monkeypatch.setattr("tutor.widgets.display._user_namespace", lambda: {})
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


def test_the_code_area_gets_its_key_handlers_and_nothing_else_does():
    from tutor.widgets.code_area import KEYS_HTML

    def keys(view):
        return [c for c in view.root.children if isinstance(c, W.HTML) and c.value == KEYS_HTML]

    assert len(keys(exercise_view("relu"))) == 1  # Tab, Enter and command-mode keys: tests/e2e
    assert keys(ExerciseView("relu")) == []


def test_a_check_request_checks_the_code_it_carries_not_the_code_area_as_last_heard(learner):
    """The page writes the code on screen into the hidden request when Check is clicked (tests/e2e): the kernel
    may not have heard the last keystrokes yet, so the request's code is what is checked and recorded."""
    import json

    view = exercise_view("relu")
    view.editor.value = learner("relu/fail_ignores-mask")  # what the kernel last heard
    view.code_area.request.value = json.dumps({"at": 1.5, "code": learner("relu/pass_alias")})
    assert text(view.badge.value) == "PASS" and not view.check_button.disabled
    assert tutor.progress.store().get("relu").last_code == learner("relu/pass_alias")
    view.code_area.request.value = json.dumps({"at": 2.5, "code": learner("relu/fail_ignores-mask")})
    assert text(view.badge.value) == "FAIL"
    for junk in ("", "not json", "[1, 2]", '{"at": 3}', '{"code": 7}'):
        view.code_area.request.value = junk  # not written by the page's handler: no check, no error
    assert text(view.badge.value) == "FAIL" and view.error.layout.display == "none"
    assert "tutor-check-request" in view.code_area.request._dom_classes
    assert view.code_area.request.layout.display == "none"


def test_plots_are_2x_pngs_drawn_at_half_size(learner):
    from tutor.render.plots import png_size

    view = exercise_view("lin_grad")
    submit(view, learner("lin_grad/fail_transposed"))
    for image in view.plots.children:
        width = png_size(bytes(image.value))[0]
        assert width >= 1000 and int(image.width) == width // 2
