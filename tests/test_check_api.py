"""`tutor.check` on live objects and source: fresh namespace, globals caught, reports that explain."""
import importlib.util
import json
from pathlib import Path

import torch

import tutor
from tutor.cases import CASES, TOLERANCE

LEARNERS = Path(__file__).parent / "learners"


def test_a_name_from_outside_the_arguments_fails_and_is_named() -> None:
    report = tutor.check("lin_grad", "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n"
                         "    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0) + 0 * W.sum()\n")
    assert not report.passed and report.errors[0].code == "uses-globals"
    assert "`W`" in report.errors[0].message


def test_check_a_live_class_infers_the_exercise() -> None:
    spec = importlib.util.spec_from_file_location("learners_live", Path(__file__).parent / "learners_live.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # a real module file: inspect can read the class's source
    report = tutor.check(module.Relu)
    assert report.exercise == "relu" and report.passed, str(report)


def test_global_data_defined_beside_the_function_is_caught() -> None:
    source = ("import torch\nx_train, y_train, x_valid, y_valid = tutor.mnist()\nscale = x_train.max()\n"
              "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t() * scale\n"
              "    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)\n")
    report = tutor.check("lin_grad", source)
    assert report.errors[0].code == "uses-globals" and "`scale`" in report.errors[0].message
    # a constant (a tensor built from literals) is a definition, not data: it is kept
    constant = source.replace("scale = x_train.max()", "scale = torch.tensor(1.0)")
    assert tutor.check("lin_grad", constant).passed


def test_raises_shows_the_learners_own_line() -> None:
    report = tutor.check("lin_grad", "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n"
                         "    w.g = inp.t() @ out.grad_output\n    b.g = out.g.sum(0)\n")
    d = report.errors[0]
    assert d.code == "raises" and d.lineno == 3 and d.line == "w.g = inp.t() @ out.grad_output"
    assert "grad_output" in d.message


def test_cases_cover_batch_sizes_widths_and_dtypes() -> None:
    assert {c.n for c in CASES} >= {1} and max(c.n for c in CASES) >= 1000
    assert len({c.hidden for c in CASES}) >= 2
    assert {c.dtype for c in CASES} == {torch.float32, torch.float64}
    assert {c.kind for c in CASES} == {"unit", "model"}
    assert TOLERANCE[torch.float64] < TOLERANCE[torch.float32]


def test_report_json_and_text_agree() -> None:
    report = tutor.check("relu", "class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
                         "    def bwd(self, out, inp): inp.g = out * out.g\n")
    d = json.loads(report.to_json())
    assert d["passed"] is False and d["diagnoses"][0]["code"] == "activation-not-mask"
    assert str(report).splitlines()[0] == "relu: FAIL [activation-not-mask]" == d["summary"]
    failing = [c for c in report.checks if not c.passed]
    assert failing and all(c.max_abs_err is not None and c.worst_index is not None for c in failing
                           if c.stage in ("reference", "autograd"))


def test_model_case_compares_every_gradient_with_autograd() -> None:
    report = tutor.check("lin_grad", tutor.exercises.get("lin_grad").reference_source)
    model = [c for c in report.checks if c.case.startswith("model")]
    assert {c.tensor for c in model} == {"x.g", "w1.g", "b1.g", "w2.g", "b2.g"}
    assert all(c.stage == "autograd" and c.passed for c in model)


def test_a_name_missed_from_an_import_that_failed_here_names_the_import() -> None:
    """course-v3's `from exp.nb_01 import *` exists only on the learner's machine: say so, not "defined nowhere"."""
    report = tutor.check("mse", (LEARNERS / "mse" / "fail_uses-globals_3.py").read_text())
    assert report.codes[0] == "uses-globals", str(report)
    message = report.errors[0].message
    assert "`math`" in message and "`from exp.nb_01 import *` (cell 1), which cannot be imported here" in message
    named = tutor.check("lin_grad", "from fastcore.nope import helper\n"
                        "def lin_grad(inp, out, w, b):\n    helper(inp, out, w, b)\n")
    assert "reads `helper`, from `from fastcore.nope import helper`, which cannot be imported here" \
           in named.errors[0].message, str(named)


def test_a_process_that_checked_ends_its_worker_when_it_ends() -> None:
    """No sandbox worker outlives the kernel or command that started it, and nothing is left unclosed."""
    import os
    import subprocess
    import sys
    import time

    script = ("import tutor\nfrom tutor.sandbox import session\n"
              "print(tutor.check('relu', tutor.exercises.get('relu').reference_source).passed, "
              "session.worker().proc.pid, flush=True)\n")
    done = subprocess.run([sys.executable, "-X", "dev", "-c", script], capture_output=True, text=True, timeout=120)
    passed, pid = done.stdout.split()
    assert passed == "True" and done.returncode == 0, done.stderr
    assert "ResourceWarning" not in done.stderr and "Exception in thread" not in done.stderr, done.stderr
    deadline = time.monotonic() + 5
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{pid}"), f"worker {pid} still running after its process ended"


def test_a_notebook_with_grad_mode_off_still_gets_true_verdicts() -> None:
    """`torch.set_grad_enabled(False)` at the top of a notebook ("we compute gradients by hand"): the checker's own
    autograd ground truth still works (every right answer was `crashed` before)."""
    from tutor.cases import autograd_grads

    autograd_grads.cache_clear()  # (computed afresh, under the learner's grad mode)
    torch.set_grad_enabled(False)
    try:
        for name in ("relu", "model"):
            report = tutor.check(name, (LEARNERS / name / "pass_lesson.py").read_text())
            assert report.passed, str(report)
    finally:
        torch.set_grad_enabled(True)


def test_an_exercise_cell_names_its_exercise_as_a_learner_writes_it() -> None:
    from tutor import exercises

    for said in ("cross_entropy", "cross-entropy", "CrossEntropy", "Cross-Entropy"):
        assert exercises.canonical(said) == "cross_entropy", said
