"""`tutor check cross_entropy ...` and `tutor list` as a learner runs them: exit codes, the named mistake, JSON."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = ROOT / "tests" / "learners" / "cross_entropy"


def tutor(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, timeout=120)


def test_a_correct_file_passes_with_exit_0() -> None:
    r = tutor("check", "cross_entropy", str(LEARNERS / "pass_max_subtraction.py"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.splitlines()[0] == "cross_entropy: PASS"
    assert "logits ±100" in r.stdout and "model 784-50-10 · batch 1000 · float32" in r.stdout


def test_overflow_fails_naming_the_large_logit_case_and_the_logsumexp_trick() -> None:
    r = tutor("check", "cross_entropy", str(LEARNERS / "fail_not-finite_3.py"))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "cross_entropy: FAIL [not-finite]"
    failing = [ln for ln in r.stdout.splitlines() if ln.strip().startswith("FAIL ") and "not checked" not in ln]
    assert failing and all("logits ±100" in ln for ln in failing), failing  # only there does exp overflow
    assert "subtract each row's maximum" in r.stdout and "logsumexp" in r.stdout


def test_json_names_the_missing_one_hot() -> None:
    r = tutor("check", "cross_entropy", str(LEARNERS / "fail_missing-one-hot.py"), "--json")
    assert r.returncode == 1
    d = json.loads(r.stdout)
    assert d["exercise"] == "cross_entropy" and d["passed"] is False
    assert d["diagnoses"][0]["code"] == "missing-one-hot" and "right label" in d["diagnoses"][0]["message"]


def test_the_shipped_notebook_cell_is_checked_as_unfinished() -> None:
    r = tutor("check", "cross_entropy", str(ROOT / "notebooks" / "07_cross_entropy.ipynb"))
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    assert r.stdout.startswith("cross_entropy: FAIL [unfinished]"), r.stdout


def test_a_file_without_the_class_is_a_usage_error() -> None:
    r = tutor("check", "cross_entropy", str(ROOT / "tests" / "learners" / "relu" / "pass_lesson.py"))
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "defines no `CrossEntropy`" in r.stderr


def test_list_names_it() -> None:
    r = tutor("list")
    assert r.returncode == 0
    rows = {ln.split()[0]: ln for ln in r.stdout.splitlines()}
    assert "CrossEntropy.bwd" in rows["cross_entropy"]
