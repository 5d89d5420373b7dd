"""cross_entropy runs cross the process boundary as plain arrays: 10-class logits' gradients, integer labels,
and the verdict judged from the bytes is the verdict judged from the live run."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tutor.cases import cases_for
from tutor.judge import judge
from tutor.run import run_submission
from tutor.run.result import SubmissionRun

LEARNERS = sorted((Path(__file__).parent / "learners" / "cross_entropy").glob("*.py"))


@pytest.mark.parametrize("path", LEARNERS, ids=[p.stem for p in LEARNERS])
def test_verdict_from_bytes_is_the_verdict_from_the_run(path):
    run = run_submission("cross_entropy", path.read_text())
    back = SubmissionRun.from_bytes(run.to_bytes())
    live, shipped = judge("cross_entropy", run), judge("cross_entropy", back)
    assert (shipped.passed, shipped.codes) == (live.passed, live.codes)
    assert [(c.name, c.passed, c.message) for c in shipped.checks] == [(c.name, c.passed, c.message)
                                                                       for c in live.checks]


def test_every_case_answers_with_gradients_of_the_logits_shape():
    run = SubmissionRun.from_bytes(run_submission("cross_entropy", (LEARNERS[0].parent / "pass_lesson.py")
                                                  .read_text()).to_bytes())
    assert [c.case for c in run.cases] == [c.name for c in cases_for("cross_entropy")]
    for case, crun in zip(cases_for("cross_entropy"), run.cases):
        want = np.float32 if "float32" in case.name else np.float64
        if case.kind == "unit":
            assert crun.values["inp.g"].shape == (case.n, 10) and crun.values["inp.g"].dtype == want
            assert crun.values["loss"].shape == ()
        else:
            assert crun.values["w2.g"].shape == (50, 10) and crun.values["b2.g"].shape == (10,)


def test_integer_arrays_cross_too():
    source = ("class CrossEntropy(Module):\n    def forward(self, inp, targ): return F.cross_entropy(inp, targ)\n"
              "    def bwd(self, out, inp, targ): targ.g = F.one_hot(targ, 10)\n")
    run = SubmissionRun.from_bytes(run_submission("cross_entropy", source).to_bytes())
    extra = run.cases[0].extras["targ.g"]
    assert extra.dtype == np.int64 and extra.shape == (1, 10) and extra.sum() == 1
    assert judge("cross_entropy", run).codes[0] == "missing-grad"


def test_cases_cover_batches_dtypes_a_model_and_logits_where_exp_overflows():
    import torch

    from tutor.cases import model_inputs, unit_inputs

    cases = cases_for("cross_entropy")
    units = [c for c in cases if c.kind == "unit"]
    assert {c.n for c in units} >= {1, 64, 1000} and {c.dtype for c in units} == {torch.float32, torch.float64}
    for c in units:
        t = unit_inputs("cross_entropy", c)
        assert t["inp"].shape == (c.n, 10) and t["inp"].dtype == c.dtype
        assert t["targ"].dtype == torch.int64 and 0 <= int(t["targ"].min()) <= int(t["targ"].max()) <= 9
        overflows = bool(torch.isinf(t["inp"].exp()).any())
        assert overflows == c.large, c.name  # only the ±100 case breaks a naive exp
        if c.large:
            assert c.dtype == torch.float32 and float(t["inp"].abs().max()) > 95
    models = [c for c in cases if c.kind == "model"]
    assert {c.dtype for c in models} == {torch.float32, torch.float64}
    for c in models:
        t = model_inputs(c)
        assert t["w1"].shape == (784, 50) and t["w2"].shape == (50, 10) and t["b2"].shape == (10,)
        assert t["y"].dtype == torch.int64 and t["x"].shape == (c.n, 784)
