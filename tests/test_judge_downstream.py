"""What the judge says beyond a learner file's first code: rows downstream of a failing piece are "not checked",
a whole-model exercise names its wrong piece first, and the judge never raises on what a run hands back."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import tutor
from tutor import exercises
from tutor.cases import cases_for
from tutor.judge import judge
from tutor.run.harness import expected_names
from tutor.run.result import CaseRun, SubmissionRun

WRONG_INP = '''
def lin_grad(inp, out, w, b):
    inp.g = 2 * out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
'''


def rows(report, case_kind: str) -> dict[str, tuple[bool, str, str]]:
    return {c.tensor: (c.passed, c.stage, c.message) for c in report.checks if c.case.startswith(case_kind)}


def test_model_rows_after_a_failing_inp_g_are_not_checked() -> None:
    report = tutor.check("lin_grad", WRONG_INP)
    model = rows(report, "model 784-50-1 · batch 1000")
    for name in ("x.g", "w1.g", "b1.g"):
        assert model[name][1] == "not checked" and model[name][2] == "not checked: needs a right inp.g", model
    for name in ("w2.g", "b2.g"):  # they do not need inp.g: still checked, and right
        assert model[name][0], model
    assert not any("mat1" in c.message for c in report.checks)
    assert report.errors[0].code == "scale"


def test_a_transposed_inp_g_blocks_the_model_rows_it_breaks_even_where_a_right_line_then_raises() -> None:
    """At batch 1 a transposed inp.g (50, 1) goes through the lesson's ReLU as a (50, 50) out.g for layer 1, whose
    right `w.g = inp.t() @ out.g` then raises: a knock-on, not a second mistake on a line that is right."""
    report = tutor.check("lin_grad", "def lin_grad(inp, out, w, b):\n    inp.g = w @ out.g.t()\n"
                                     "    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)\n")
    assert report.codes == ["transposed"], str(report)
    batch1 = [c for c in report.checks if c.case.startswith("model 784-50-1 · batch 1 ·")]
    assert batch1 and all(c.stage == "not checked" for c in batch1), [c.message for c in batch1]
    assert not any("mat1" in c.message for c in report.checks)


def test_a_piece_that_raises_blocks_every_model_row() -> None:
    report = tutor.check("relu", "class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
                                 "    def bwd(self, out, inp): inp.g = out.g[inp > 0]\n")
    model = [c for c in report.checks if c.case.startswith("model")]
    assert model and all(c.stage == "not checked" for c in model), [c.message for c in model]


def test_forward_and_backward_names_the_wrong_lin_grad_first() -> None:
    source = WRONG_INP + '''
def forward_and_backward(inp, targ):
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    diff = out[:,0]-targ
    out.g = 2.*diff[:,None] / inp.shape[0]
    lin_grad(l2, out, w2, b2)
    l1.g = (l1>0).float() * l2.g
    lin_grad(inp, l1, w1, b1)
'''
    report = tutor.check("forward_and_backward", source)
    assert not report.passed
    assert report.errors[0].message.startswith("your lin_grad:"), str(report)
    assert report.errors[0].code == "scale"
    model = [c for c in report.checks if c.case.startswith("model")]
    assert model and all(c.stage == "not checked" for c in model)
    assert all("lin_grad" in c.message for c in model)
    assert any(c.name.startswith("your lin_grad alone") and not c.passed for c in report.checks)


def test_model_names_its_wrong_piece_first() -> None:
    path = "tests/learners/model/fail_not-summed-over-batch.py"
    report = tutor.check("model", open(path).read())
    assert report.errors[0].message.startswith("your Lin:"), str(report)


def test_a_hard_coded_batch_size_is_named_with_its_number() -> None:
    report = tutor.check("mse", open("tests/learners/mse/fail_batch-scale_64.py").read())
    assert report.errors[0].code == "batch-scale"
    assert "64" in report.errors[0].message
    assert "scale" not in [d.code for d in report.errors]


def test_a_kept_dimension_is_a_shape_mistake_not_a_missing_sum() -> None:
    report = tutor.check("lin_grad", open("tests/learners/lin_grad/fail_wrong-shape.py").read())
    assert report.codes == ["wrong-shape"], str(report)


def test_no_scale_claim_for_a_factor_of_about_one() -> None:
    for path in ("tests/learners/lin_grad/fail_wrong-dtype.py", "tests/learners/lin_grad/fail_wrong-dtype_2.py"):
        report = tutor.check("lin_grad", open(path).read())
        assert "scale" not in report.codes and "1×" not in str(report), str(report)


def test_wrong_signature_shows_the_expected_signature() -> None:
    report = tutor.check("lin_grad", open("tests/learners/lin_grad/fail_wrong-signature.py").read())
    assert "lin_grad(inp, out, w, b)" in report.errors[0].message
    assert "lin_grad(inp, w, b, out)" in report.errors[0].message


def odd_values() -> list[object]:
    return [np.zeros(()), np.zeros((0,)), np.ones((3, 3), dtype=np.int64), np.full((2, 784), np.nan),
            np.ones((1, 1, 1), dtype=np.float16), np.arange(10.0)]


@pytest.mark.parametrize("name", exercises.names())
def test_the_judge_never_raises_on_what_a_run_hands_back(name: str) -> None:
    ex = exercises.get(name)
    for i, odd in enumerate(odd_values()):
        cases = []
        for case in cases_for(ex.unit):
            names = expected_names(ex, case)
            cases.append(CaseRun(case.name, values={n: odd for n in names},
                                 extras={f"{n}x": odd for n in names} | {"returned": odd},
                                 problems={names[0]: "a tensor of dtype torch.float16, but inp is torch.float32"}))
        report = judge(name, SubmissionRun(name, cases=cases))
        assert not report.passed and report.checks, (name, i)


def test_a_shape_right_by_chance_on_a_one_wide_layer_is_not_a_second_mistake() -> None:
    """`b.g = out.g.sum()` has b's numbers on the 1-wide layer only: one mistake, wrong-reduction, not also a
    wrong-shape that says "the numbers are right"."""
    report = tutor.check("lin_grad", WRONG_INP.replace("2 * out.g", "out.g").replace("sum(0)", "sum()"))
    assert report.codes == ["wrong-reduction"], str(report)


def test_a_gradient_found_elsewhere_is_not_also_missing() -> None:
    """A Lin that sets self.wt.g (self.wt = w.t()): one mistake, where w's gradient went (transposed), not also
    "w.g was never set" from the cases where no self.wt.g could be read."""
    report = tutor.check("lin", (Path(__file__).parent / "learners" / "lin" / "fail_wrong-attribute_3.py").read_text())
    assert report.codes == ["wrong-attribute"] and "transposed" in report.errors[0].message, str(report)


def test_a_layer_without_its_own_bwd_is_told_so_not_about_the_base_class_placeholder() -> None:
    report = tutor.check("lin", (Path(__file__).parent / "learners" / "lin" / "fail_wrong-signature_2.py").read_text())
    assert report.codes[0] == "wrong-signature" and "no bwd of its own" in report.errors[0].message, str(report)
