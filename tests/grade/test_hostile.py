"""A class with broken and hostile submissions: every one gets a verdict, none passes falsely, nothing leaks."""
from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from gradehelp import FAST, ROOT, by_key, read_csv, tutor
from corpus import CORRECT, HOSTILE, WRONG_LIN_GRAD, write_notebook

N = 5 + len(HOSTILE)  # good, wrong, partial, malformed, script.py, and the hostile ones
OUTSIDE = ["/tmp/tutor-test-pwned", "/var/tmp/tutor-test-pwned"]
ARTIFACTS = ROOT / "test-artifacts"  # the checkout: writable by the grader, never by learner code


def user_namespaces_work() -> bool:
    return subprocess.run(["unshare", "--user", "--net", "true"], capture_output=True).returncode == 0


# "userns": the worker isolates itself as it does without root (its own user namespace, same uid); as root
# its uid would still be mapped to root in there, so only the read-only mounts keep the checkout safe.
@pytest.fixture(scope="module", params=["default", "userns"])
def graded(request, tmp_path_factory):
    """Grade one folder holding good, wrong, partial, malformed and every hostile submission, once per way of
    isolating."""
    if request.param == "userns" and not user_namespaces_work():
        pytest.skip("user namespaces are not available here")
    env = {"TUTOR_GRADE_USERNS": "1"} if request.param == "userns" else {}
    root = tmp_path_factory.mktemp("class")
    subs, out = root / "submissions", root / "out"
    write_notebook(subs / "good.ipynb", CORRECT)
    write_notebook(subs / "wrong.ipynb", {**CORRECT, "lin_grad": WRONG_LIN_GRAD})
    write_notebook(subs / "partial.ipynb", {"relu": CORRECT["relu"]})
    (subs / "malformed.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": "%%exercise relu\\n', "utf-8")
    (subs / "script.py").write_text(CORRECT["mse"] + "\n" + CORRECT["relu"])
    inside = str(root / "out" / "pwned")  # the grader's own output folder
    paths = OUTSIDE + [inside, str(subs / "pwned"), str(ARTIFACTS / "tutor-test-pwned")]
    ARTIFACTS.mkdir(exist_ok=True)
    server = socket.create_server(("127.0.0.1", 0))  # listening: a connect from the grader's machine succeeds
    port = server.getsockname()[1]
    for name, (ex, src, _) in HOSTILE.items():
        if "{paths" in src or "{port" in src:
            src = src.format(paths=paths, port=port)
        write_notebook(subs / "hostile" / f"{name}.ipynb", {ex: src})
    for p in paths:
        if os.path.exists(p):
            os.unlink(p)
    with server:
        proc = tutor("grade", str(subs), "--out", str(out), *FAST, env=env)
    return proc, out, by_key(read_csv(out / "gradebook.csv")), paths


def test_grader_completes_with_status_0(graded):
    proc, out, rows, _ = graded
    assert proc.returncode == 0, proc.stderr
    assert f"graded {N} submissions x 4 exercises" in proc.stdout


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_submission_gets_its_verdict(graded, name):
    _, _, rows, _ = graded
    ex, _, accepted = HOSTILE[name]
    row = rows[(f"hostile/{name}.ipynb", ex)]
    codes = set(row["codes"].split())
    assert codes & accepted, f"{name}: codes {codes}, expected one of {accepted}"
    if name == "prints_1gb":  # correct code that prints a lot: passes, output cut off (a warning)
        assert row["passed"] == "1"
    else:
        assert row["passed"] == "0", f"false pass for {name}"


def test_isolation_in_force_is_said(graded):
    proc, *_ = graded
    [line] = [ln for ln in proc.stdout.splitlines() if ln.startswith("isolation: ")]
    namespaces = os.geteuid() == 0 or user_namespaces_work()
    expected = "no network, private /tmp, read-only elsewhere" if namespaces else \
        "network reachable, temp dir only by convention"
    assert line.endswith(expected), line


def test_network_code_really_works_outside_the_grader(graded):
    """The network hostile is correct code that passes wherever it can connect: only isolation fails it."""
    import tutor

    server = socket.create_server(("127.0.0.1", 0))
    with server:
        src = HOSTILE["network"][1].format(port=server.getsockname()[1])
        assert tutor.check("lin_grad", src).passed


def test_nothing_written_outside_the_temp_dir(graded):
    *_, paths = graded
    assert [p for p in paths if os.path.exists(p)] == []


def test_other_submissions_are_graded_normally(graded):
    _, _, rows, _ = graded
    assert all(rows[("good.ipynb", ex)]["passed"] == "1" for ex in CORRECT)
    assert rows[("wrong.ipynb", "lin_grad")]["passed"] == "0"
    assert rows[("wrong.ipynb", "lin_grad")]["codes"] == "not-summed-over-batch"
    assert rows[("wrong.ipynb", "relu")]["passed"] == "1"
    assert [rows[("partial.ipynb", ex)]["codes"] for ex in CORRECT] == ["missing", "", "missing", "missing"]
    assert {rows[("malformed.ipynb", ex)]["codes"] for ex in CORRECT} == {"malformed"}
    assert [rows[("script.py", ex)]["passed"] for ex in CORRECT] == ["0", "1", "1", "0"]


def test_one_row_per_submission_and_expected_exercise(graded):
    _, out, rows, _ = graded
    lines = (out / "gradebook.csv").read_text().splitlines()
    assert lines[0] == "submission,exercise,passed,score,codes"
    assert len(lines) == 1 + N * 4
    assert all(r["score"] == r["passed"] for r in rows.values())  # 1 point each by default


def test_feedback_page_per_student_with_plots_for_failures(graded):
    _, out, _, _ = graded
    pages = sorted(p.name for p in (out / "feedback").iterdir())
    assert len(pages) == N and "hostile__infinite_loop.ipynb.html" in pages
    wrong = (out / "feedback" / "wrong.ipynb.html").read_text()
    assert "Score: <b>3 / 4</b>" in wrong and "not-summed-over-batch" in wrong
    assert "data:image/png;base64," in wrong  # the failing exercise's gradient plots
    assert "timeout" in (out / "feedback" / "hostile__infinite_loop.ipynb.html").read_text()


def test_gradescope_results_json(graded, read_json):
    _, out, _, _ = graded
    res = read_json(out / "gradescope" / "wrong.ipynb" / "results.json")
    assert res["score"] == 3
    tests = {t["name"]: t for t in res["tests"]}
    assert tests["lin_grad"]["status"] == "failed" and tests["lin_grad"]["max_score"] == 1
    assert tests["lin_grad"]["output"].startswith("lin_grad: FAIL [not-summed-over-batch]")


def test_regrading_unchanged_submissions_runs_nothing(graded):
    proc, out, rows, _ = graded
    again = tutor("grade", str(out.parent / "submissions"), "--out", str(out), *FAST)
    assert again.returncode == 0, again.stderr
    assert "0 runs now" in again.stdout
    assert by_key(read_csv(out / "gradebook.csv")) == rows


def test_no_worker_processes_left_behind(graded):
    ps = subprocess.run(["ps", "-eo", "pid,uid,args"], capture_output=True, text=True).stdout
    left = [ln for ln in ps.splitlines() if "tutor.sandbox.worker" in ln or " 1990000" in ln]
    assert left == []
    scratch = [p for p in Path(tempfile.gettempdir()).glob("tutor-worker-*")
               if not Path(f"/proc/{p.name.split('-')[2]}").exists()]
    assert scratch == []  # every worker's scratch folder went with it
