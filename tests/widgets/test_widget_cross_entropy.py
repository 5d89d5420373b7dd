"""The exercise widget on cross_entropy, driven as a learner would: the overflow named with its hint ladder and
plots of (n, 10) gradients, then a pass."""
from __future__ import annotations

import html as html_module
import re

import ipywidgets as W

import tutor
from tutor import exercises
from tutor.widgets import exercise_view
from tutor.widgets.markdown import inline_html


def text(html: str) -> str:
    return html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def submit(view, code: str) -> None:
    view.editor.value = code
    view.check_button.click()


def test_overflow_then_a_fix(learner):
    view = exercise_view("cross_entropy")
    assert view.editor.value == exercises.get("cross_entropy").stub
    submit(view, learner("cross_entropy/fail_not-finite_3"))
    assert text(view.badge.value) == "FAIL"
    assert re.findall(r'data-code="([^"]*)"', view.diagnosis.value)[:1] == ["not-finite"]
    assert "logsumexp" in text(view.diagnosis.value) and "±100" in text(view.diagnosis.value)
    ladder = exercises.get("cross_entropy").hints_by_code["not-finite"]
    for i in range(1, len(ladder) + 1):
        if i > 1:
            view.hint_button.click()
        assert text(view.hints.children[-1].value).startswith(f"Hint {i}/{len(ladder)}.")
    assert text(inline_html(ladder[-1]))[:30] in text(view.hints.children[-1].value)
    images = list(view.plots.children)  # the failing inp.g of the ±100 case, shape (64, 10)
    assert images and all(isinstance(i, W.Image) and bytes(i.value).startswith(b"\x89PNG") for i in images)
    assert [t.split(":")[0] for t in view.plot_titles] == ["inp.g"]

    submit(view, learner("cross_entropy/pass_torch_softmax"))
    assert text(view.badge.value) == "PASS"
    assert view.report.passed and tutor.progress.store().get("cross_entropy").passed


def test_a_live_class_is_checked_by_its_name(tmp_path, learner, monkeypatch):
    (tmp_path / "my_ce.py").write_text("from tutor.lesson import Module, log_softmax, nll\n\n"
                                       + learner("cross_entropy/pass_scatter"))
    monkeypatch.syspath_prepend(str(tmp_path))
    from my_ce import CrossEntropy

    report = tutor.check(CrossEntropy)
    assert report.exercise == "cross_entropy" and report.passed, str(report)


def test_no_hint_or_mistake_message_gives_the_answer_away():
    ex = exercises.get("cross_entropy")
    answers = ["- onehot", "- one_hot", "-onehot", "- F.one_hot", "- torch.eye", "sm - ", "softmax(-1) -",
               "softmax(inp) -", "/ n", "/ targ.shape[0]", "/ len(targ)", "-= 1"]
    texts = [*ex.hints, *(h for ladder in ex.hints_by_code.values() for h in ladder),
             *(v.message for v in ex.variants), ex.statement]
    for said in texts:
        assert not any(a in said for a in answers), said


WIDGET = "application/vnd.jupyter.widget-view+json"


def test_the_magic_takes_the_class_name_and_helpers_from_other_cells(learner):
    from IPython import get_ipython
    from IPython.testing.globalipapp import start_ipython
    from IPython.utils.capture import capture_output

    from tutor.widgets.exercise import view_for

    tutor.configure(plots=False)
    ip = start_ipython() or get_ipython()  # None when another test module started it first
    ip.run_cell("%load_ext tutor", store_history=False)
    ip.run_cell("import torch\nimport torch.nn.functional as F\nfrom tutor.lesson import Module", store_history=True)
    ip.run_cell("def softmax(x):\n    e = (x - x.max(-1, keepdim=True)[0]).exp()\n    return e / e.sum(-1, keepdim=True)\n"
                "probs = softmax(torch.randn(3, 10))", store_history=True)
    cell = ("%%exercise CrossEntropy\nclass CrossEntropy(Module):\n"
            "    def forward(self, inp, targ): return F.cross_entropy(inp, targ)\n"
            "    def bwd(self, out, inp, targ):\n        g = softmax(inp)\n        g[range(len(targ)), targ] -= 1\n"
            "        inp.g = g / len(targ)\n")
    with capture_output() as cap:
        ip.run_cell(cell, store_history=True)
    views = [view_for(o.data[WIDGET]["model_id"]) for o in cap.outputs if WIDGET in o.data]
    assert len(views) == 1 and views[0].exercise.name == "cross_entropy"
    assert views[0].report.passed, str(views[0].report)


def test_release_and_grade_read_the_class_name_as_the_exercise():
    from tutor.notebook import exercise_cells

    nb = {"cells": [{"cell_type": "code", "source": "%%exercise CrossEntropy\nclass CrossEntropy(Module): ...\n"}]}
    assert [c.exercise for c in exercise_cells(nb)] == ["cross_entropy"]


def test_a_one_hot_in_the_wrong_places_is_named_with_its_own_ladder(learner):
    view = exercise_view("cross_entropy")
    submit(view, learner("cross_entropy/fail_wrong-one-hot"))  # g[:, Yb] -= 1: whole columns in every row
    assert text(view.badge.value) == "FAIL"
    assert re.findall(r'data-code="([^"]*)"', view.diagnosis.value)[:1] == ["wrong-one-hot"]
    assert "g[:, targ]" in text(view.diagnosis.value) and "nll" in text(view.diagnosis.value)
    ladder = exercises.get("cross_entropy").hints_by_code["wrong-one-hot"]
    assert text(view.hints.children[-1].value).startswith(f"Hint 1/{len(ladder)}.")
    assert [t.split(":")[0] for t in view.plot_titles] == ["inp.g"]
