"""A class with broken and hostile submissions: every one gets a verdict, none passes falsely, nothing leaks."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from gradehelp import FAST, ROOT, by_key, read_csv, tutor

# FAST with 8 s of wall clock: a memory creep on a loaded CI machine needs more than 4 s to fill its 384 MB (it
# ended as `timeout`); an endless loop still ends at the 3 s CPU limit, as `timeout`.
LIMITS = [*FAST[:FAST.index("--time")], "--time", "8", *FAST[FAST.index("--time") + 2:]]
from corpus import CORRECT, HOSTILE, SANDBOX, WRONG_LIN_GRAD, write_notebook
import unprivileged

N = 5 + len(HOSTILE)  # good, wrong, partial, malformed, script.py, and the hostile ones
OUTSIDE = ["/tmp/tutor-test-pwned", "/var/tmp/tutor-test-pwned"]
ARTIFACTS = ROOT / "test-artifacts"  # the checkout: writable by the grader, never by learner code


def runtime_targets(prefix: str = sys.prefix) -> list[str]:
    """Files learner code would write if it could remount the Python runtime read-write."""
    purelib = next(Path(prefix).glob("lib/python3*/site-packages"))
    return [os.path.join(prefix, "tutor-test-pwned"), str(purelib / "tutor-test-pwned")]


def readable_secrets(root: Path, subs: Path, out: Path, prefix: str = sys.prefix) -> list[str]:
    """What no run may read: the instructor's files, a classmate's notebook, the gradebook, the tutor package's
    solutions, the source notebooks."""
    home = root / "home"  # the instructor's own files (besides the real home's, when it has a .bashrc)
    home.mkdir(exist_ok=True)
    (home / "notes.txt").write_text("answers")
    (out).mkdir(parents=True, exist_ok=True)
    (out / "grader.log").touch()
    found = [str(home / "notes.txt"), str(subs / "good.ipynb"), str(out / "grader.log"),
             str(ROOT / "tutor" / "lesson.py"), str(ROOT / "tutor" / "exercises" / "lin_grad.py"),
             *map(str, sorted((ROOT / "notebooks").glob("*.ipynb"))[:2])]
    installed = [p / "tutor" / "lesson.py" for p in Path(prefix).glob("lib/python3*/site-packages")]
    found += [str(p) for p in installed if p.exists()]  # a non-editable install's copy of the solutions
    if prefix == sys.prefix:
        found += [p for p in [os.path.expanduser("~/.bashrc")] if os.path.exists(p)]
    assert all(os.path.exists(p) for p in found), found  # each is there for the grader: only the sandbox hides it
    return found


def user_namespaces_work() -> bool:
    return subprocess.run(["unshare", "--user", "--net", "true"], capture_output=True).returncode == 0


# "userns": the worker isolates itself as it does without root (its own user namespace, same uid); as root
# its uid would still be mapped to root in there, so only the read-only mounts keep the checkout safe.
# "nobody": the grader itself runs as an ordinary user (most instructors), from a venv that user can read.
@pytest.fixture(scope="module", params=["default", "userns", "nobody"])
def graded(request, tmp_path_factory):
    """Grade one folder holding good, wrong, partial, malformed and every hostile submission, once per way of
    isolating."""
    if request.param == "userns" and not user_namespaces_work():
        pytest.skip("user namespaces are not available here")
    env = {"TUTOR_GRADE_USERNS": "1"} if request.param == "userns" else {}
    prefix = sys.prefix
    if request.param == "nobody":
        if unprivileged.why_not():
            pytest.skip(f"cannot grade as nobody here: {unprivileged.why_not()}")
        venv = unprivileged.venv()
        prefix = str(venv)
        # outside /tmp (private in a run, so a write there proves nothing) and owned by the instructor
        root = Path(tempfile.mkdtemp(prefix="tutor-test-class-", dir="/srv" if os.path.isdir("/srv") else None))
        request.addfinalizer(lambda: subprocess.run(["rm", "-rf", str(root)]))
    else:
        root = tmp_path_factory.mktemp("class")
    subs, out = root / "submissions", root / "out"
    write_notebook(subs / "good.ipynb", CORRECT)
    write_notebook(subs / "wrong.ipynb", {**CORRECT, "lin_grad": WRONG_LIN_GRAD})
    write_notebook(subs / "partial.ipynb", {"relu": CORRECT["relu"]})
    (subs / "malformed.ipynb").write_text('{"cells": [ {"cell_type": "code", "source": "%%exercise relu\\n', "utf-8")
    (subs / "script.py").write_text(CORRECT["mse"] + "\n" + CORRECT["relu"])
    inside = str(root / "out" / "pwned")  # the grader's own output folder
    paths = OUTSIDE + [inside, str(subs / "pwned"), str(ARTIFACTS / "tutor-test-pwned"), *runtime_targets()]
    ARTIFACTS.mkdir(exist_ok=True)
    secrets = readable_secrets(root, subs, out, prefix)
    if request.param == "nobody":
        paths += runtime_targets(prefix)
        subprocess.run(["chown", "-R", f"{unprivileged.NOBODY}:{unprivileged.NOBODY}", str(root)], check=True)
        os.chmod(root, 0o755)
    server = socket.create_server(("127.0.0.1", 0))  # listening: a connect from the grader's machine succeeds
    port = server.getsockname()[1]
    for name, (ex, src, _) in HOSTILE.items():
        if "{paths" in src or "{port" in src or name in SANDBOX:
            src = src.format(paths=paths, port=port, secrets=secrets, classmate=str(subs / "good.ipynb"),
                             nproc=FAST[FAST.index("--processes") + 1])
        write_notebook(subs / "hostile" / f"{name}.ipynb", {ex: src})
    for p in paths:
        if os.path.exists(p):
            os.unlink(p)
    args = ("grade", str(subs), "--out", str(out), *LIMITS)
    with server:
        if request.param == "nobody":
            again = lambda: unprivileged.as_nobody(venv, *args, home=root / "home")  # noqa: E731
        else:
            again = lambda: tutor(*args, env=env)  # noqa: E731
        proc = again()
    proc.again = again
    proc.uid = unprivileged.NOBODY if request.param == "nobody" else os.getuid()  # who its workers ran as
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


@pytest.mark.parametrize("name", ["remounts_root", "reads_files", "has_capabilities", "ptraces_worker"])
def test_sandbox_attack_ran_and_was_refused(graded, name):
    """The attack itself ran (and was refused), rather than failing for some other reason."""
    _, out, _, _ = graded
    page = (out / "feedback" / f"hostile__{name}.ipynb.html").read_text()
    assert "refused: " in page


def test_no_submission_makes_the_grader_write_huge_files(graded):
    """(A result header of its own with 250,000 globals made 600 MB of gradebook, feedback and exports.)"""
    _, out, _, _ = graded
    sizes = {str(p.relative_to(out)): p.stat().st_size for p in out.rglob("*") if p.is_file()}
    assert max(sizes.values()) < 20 << 20 and sum(sizes.values()) < 60 << 20, sorted(sizes.items(), key=lambda kv: -kv[1])[:5]


def test_isolation_in_force_is_said_before_the_first_run(graded):
    proc, *_ = graded
    [line] = [ln for ln in proc.stdout.splitlines() if ln.startswith("isolation: ")]
    assert proc.stdout.startswith("isolation: full: ")  # printed first, then what was graded
    assert "no network, own PID namespace, only the Python runtime visible (read-only), private /tmp, " \
           "no capabilities" in line, line


def test_network_code_really_works_outside_the_grader(graded, monkeypatch):
    """The network hostile is correct code that passes wherever it can connect: only isolation fails it."""
    import tutor

    monkeypatch.setenv("TUTOR_IN_PROCESS", "1")  # tutor.check's own sandbox has no network either

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
    assert lines[0].startswith("submission,exercise,passed,score,codes")
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
    again = proc.again()
    assert again.returncode == 0, again.stderr
    assert "0 runs now" in again.stdout
    assert by_key(read_csv(out / "gradebook.csv")) == rows


def _owner(path: Path) -> int:
    try:
        return path.stat().st_uid
    except OSError:  # removed meanwhile
        return -1


def test_no_worker_processes_left_behind(graded):
    # Orphans (parent 1): other kernels and checks on this machine have workers of their own, with parents.
    # A run's processes die with their worker: it is PID 1 of their PID namespace.
    ps = subprocess.run(["ps", "-eo", "pid,ppid,uid,args"], capture_output=True, text=True).stdout
    left = [ln for ln in ps.splitlines()[1:] if ln.split()[1] == "1" and (
            "tutor.sandbox.worker" in ln or ln.split()[2].startswith("1990000")
            or (ln.split()[2] == str(unprivileged.NOBODY) and ("tutor" in ln or "python" in ln)))]
    assert left == []
    # A worker can only sweep what its uid owns: a folder another test's root worker left (killed on purpose)
    # is not this grading's, nor a nobody worker's to remove.
    proc = graded[0]
    scratch = [p for p in Path(tempfile.gettempdir()).glob("tutor-worker-*")
               if not Path(f"/proc/{p.name.split('-')[2]}").exists() and _owner(p) == proc.uid]
    assert scratch == []  # every worker's scratch folder went with it
