"""--partial: a share of an exercise's points per tensor right in every case, on reports of real learner code."""
from __future__ import annotations

from pathlib import Path

import pytest
from corpus import CORRECT, WRONG_LIN_GRAD

from tutor.judge import judge
from tutor.grade.gradebook import Row
from tutor.grade.scores import explain, score
from tutor.judge.outcome import grader_report
from tutor.run import run_submission

LIN_GRAD = CORRECT["lin_grad"]
LIN = CORRECT["lin"]
LEARNERS = Path(__file__).resolve().parents[1] / "learners"


def row_for(exercise: str, source: str) -> Row:
    """The stored verdict for trusted code (ours), judged as the grader judges a worker's result."""
    report = judge(exercise, run_submission(exercise, source))
    return Row(report.passed, report.codes, report.to_dict(), str(report), "")


@pytest.mark.parametrize("exercise, source, points, expected", [
    # the student: inp.g and w.g right, b.g not summed over the batch (14 of 22 checks)
    ("lin_grad", WRONG_LIN_GRAD, 3, {"inp.g": 1, "w.g": 1, "b.g": 0}),
    # w.g wrong: the model's w1.g and w2.g fail too, pinned on w.g (inp.g was right alone)
    ("lin_grad", LIN_GRAD.replace("w.g = inp.T @ out.g", "w.g = 2 * (inp.T @ out.g)"), 3,
     {"inp.g": 1, "w.g": 0, "b.g": 1}),
    # inp.g wrong: every model gradient below layer 2 fails, pinned on inp.g alone
    ("lin_grad", LIN_GRAD.replace("inp.g = out.g @ w.T", "inp.g = out.g @ w.T * 0.5"), 6,
     {"inp.g": 0, "w.g": 2, "b.g": 2}),
    # a class: points are for its gradients; a wrong forward output takes a share (a right one earns nothing:
    # it may be the notebook's given code)
    ("lin", LIN.replace("return inp @ self.w + self.b", "return inp @ self.w"), 4,
     {"out": 0, "inp.g": 1, "w.g": 1, "b.g": 1}),
    ("lin", LIN.replace("self.b.g = out.g.sum(0)", "self.b.g = out.g.mean(0)"), 3,
     {"inp.g": 1, "w.g": 1, "b.g": 0}),
    ("relu", CORRECT["relu"].replace("(inp > 0)", "(inp < 0)"), 1, {"inp.g": 0}),
    ("mse", CORRECT["mse"].replace("** 2).mean()", "** 2).sum()"), 2, {"loss": 0, "inp.g": 1}),
    # right alone, broken inside the model (one Lin's weights on the class, shared by both layers): every
    # tensor is wrong somewhere, so nothing is earned
    ("lin", LIN.replace("self.w, self.b = w, b", "Lin.w, Lin.b = w, b"), 4,
     {"out": 0, "inp.g": 0, "w.g": 0, "b.g": 0}),
])
def test_points_follow_the_tensors_right_in_every_case(exercise, source, points, expected):
    row = row_for(exercise, source)
    assert not row.passed
    assert score(exercise, row, points).points == 0  # all or nothing without --partial
    s = score(exercise, row, points, partial=True)
    assert {p.tensor: p.points for p in s.parts} == pytest.approx(expected)
    assert s.points == pytest.approx(sum(expected.values())) and s.points < points
    assert all(p.right == (p.points > 0) for p in s.parts)
    wrong = [p for p in s.parts if not p.right]
    assert wrong and all(p.wrong_in for p in wrong)
    line = explain(s)
    for tensor, pts in expected.items():
        assert f"{tensor} {'right' if pts else 'wrong'}: {pts:g}" in line, line


def test_a_pass_earns_everything_and_a_failure_no_tensor_explains_earns_nothing():
    good = row_for("lin_grad", LIN_GRAD)
    assert score("lin_grad", good, 3, partial=True).points == 3 and not score("lin_grad", good, 3, True).parts
    for r in (row_for("lin_grad", LIN_GRAD.replace("b):", "b)")),  # a syntax error
              row_for("lin_grad", LIN_GRAD.replace("b.g = out.g.sum(dim=0)", "b.g = out.g.sum(dim=0)\n"
                                                   "    raise ValueError('done')")),  # raises in every case
              row_for("lin_grad", (LEARNERS / "lin_grad" / "fail_uses-globals.py").read_text())):  # reads w1
        s = score("lin_grad", r, 3, partial=True)
        assert s.points == 0 and all(not p.right for p in s.parts)
    # the released Relu: its given forward is not called wrong because the unfinished bwd raised
    stub = CORRECT["relu"].replace("inp.g = (inp > 0).to(out.g.dtype) * out.g", "raise NotImplementedError()")
    s = score("relu", row_for("relu", stub), 1, partial=True)
    assert s.points == 0 and [(p.tensor, p.right) for p in s.parts] == [("inp.g", False)]
    timeout = grader_report("lin_grad", "timeout", "Your code did not finish")
    r = Row(False, timeout.codes, timeout.to_dict(), str(timeout), "")
    s = score("lin_grad", r, 3, partial=True)
    assert s.points == 0 and not s.parts and explain(s) == ""  # the timeout verdict says why itself


def test_a_whole_step_failing_only_through_the_pieces_it_calls_says_so():
    # forward_and_backward right, its lin_grad not summing b.g: the step is not checked, and the note says why
    learner = LEARNERS / "forward_and_backward" / "fail_not-summed-over-batch.py"
    row = row_for("forward_and_backward", learner.read_text())
    s = score("forward_and_backward", row, 2, partial=True)
    assert s.points == 0 and not s.parts
    assert explain(s) == ("No partial credit: your `lin_grad`, which this exercise calls, is wrong (see its own "
                          "exercise); this one is checked only once that is right.")
