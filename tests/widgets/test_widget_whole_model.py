"""The exercise widget with the whole-model exercises: the stub to start from, a pass, and a wrong piece named
first with the model's rows shown as not checked."""
from __future__ import annotations

import html as html_module
import re

import pytest

from tutor import exercises
from tutor.widgets import exercise_view


def text(html: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def submit(view, code: str) -> None:
    view.editor.value = code
    view.check_button.click()


@pytest.mark.parametrize("name", ["forward_and_backward", "model"])
def test_stub_then_the_lesson(learner, name):
    view = exercise_view(name)
    assert view.editor.value == exercises.get(name).stub
    submit(view, learner(f"{name}/pass_lesson"))
    assert text(view.badge.value) == "PASS", view.report


def test_a_wrong_piece_is_named_first_and_the_model_not_checked(learner):
    view = exercise_view("model")
    submit(view, learner("model/fail_not-summed-over-batch"))
    assert text(view.badge.value) == "FAIL"
    found = re.findall(r'class="tutor-diagnosis[^"]*" data-code="([^"]*)"', view.diagnosis.value)
    assert found[0] == "not-summed-over-batch"
    assert "your Lin" in text(view.diagnosis.value)
    assert 'data-kind="not checked"' in view.checks.value
