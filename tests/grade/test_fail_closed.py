"""Fail closed: where the sandbox cannot be built in full, `tutor grade` refuses before any code runs (one line,
exit 3) unless --unsafe; off Linux it says grading needs Linux. The isolation in force is printed first."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from gradehelp import FAST, ROOT
from corpus import CORRECT, write_notebook

# A user namespace of our own in which no further user namespace may be made: what a machine with unprivileged
# user namespaces turned off (or a locked-down container) gives an instructor without root.
NO_USERNS = ["unshare", "--user", "--map-root-user", "sh", "-c",
             'echo 0 > /proc/sys/user/max_user_namespaces && exec "$@"', "sh"]


def no_userns_possible() -> bool:
    return shutil.which("unshare") is not None and subprocess.run(
        [*NO_USERNS, "true"], capture_output=True).returncode == 0


def grade_without_userns(tmp_path, *extra):
    subs = tmp_path / "subs"
    write_notebook(subs / "good.ipynb", CORRECT)
    cmd = [*NO_USERNS, sys.executable, "-m", "tutor", "grade", str(subs), "--out", str(tmp_path / "out"), *FAST,
           *extra]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)


def stored(out) -> int:
    db = out / "gradebook.sqlite"
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        return con.execute("SELECT count(*) FROM results").fetchone()[0]


@pytest.mark.skipif(not no_userns_possible(), reason="cannot make a user namespace here to take them away in")
def test_refuses_without_user_namespaces_and_runs_nothing(tmp_path):
    proc = grade_without_userns(tmp_path)
    assert proc.returncode == 3, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("tutor grade: refusing to run learner code: full isolation is not available here: "
                           "user namespaces are refused here"), line
    assert line.endswith("(pass --unsafe to grade anyway)")
    assert "isolation: " not in proc.stdout
    assert stored(tmp_path / "out") == 0  # nothing ran, nothing stored


@pytest.mark.skipif(not no_userns_possible(), reason="cannot make a user namespace here to take them away in")
def test_unsafe_grades_and_says_what_is_missing_first(tmp_path):
    proc = grade_without_userns(tmp_path, "--unsafe")
    assert proc.returncode == 0, proc.stderr
    first = proc.stdout.splitlines()[0]
    assert first.startswith("isolation: PARTIAL: the grader's own uid, network reachable"), first
    assert "missing: user namespaces are refused here" in first
    assert "graded 1 submissions x 4 exercises" in proc.stdout
    assert stored(tmp_path / "out") == 4


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_off_linux_grading_needs_linux_or_unsafe(tmp_path, platform):
    subs = tmp_path / "subs"
    write_notebook(subs / "good.ipynb", CORRECT)
    code = ("import sys, urllib.request, tutor.grade.engine; from tutor.cli import main; "  # imported as on Linux
            f"sys.platform = {platform!r}; "
            f"sys.exit(main(['grade', {str(subs)!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 3
    here = "Windows has no fork: grade in WSL or a Linux container" if platform == "win32" else \
        "pass --unsafe to grade here in a partial sandbox (no namespaces: a submission can read and write your files)"
    assert proc.stderr.strip() == (f"tutor grade: grading needs Linux, where learner code runs in a full sandbox "
                                   f"(this is {platform}); {here}")
    assert not (tmp_path / "out").exists()


def test_full_isolation_is_printed_before_the_first_run(tmp_path):
    subs = tmp_path / "subs"
    write_notebook(subs / "good.ipynb", CORRECT)
    proc = subprocess.Popen([sys.executable, "-m", "tutor", "grade", str(subs), "--out", str(tmp_path / "out"),
                             *FAST], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = proc.stdout.readline()  # read while the workers are about to run the first submission
    seen = stored(tmp_path / "out")
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert first.startswith("isolation: full: "), first
    assert seen < 4 and stored(tmp_path / "out") == 4
    assert os.path.exists(tmp_path / "out" / "gradebook.csv")


def test_workers_that_cannot_start_their_interpreter_end_the_run_in_one_line_not_a_hang(tmp_path):
    """An interpreter the grading user may not run (a venv under another user's home): one line and exit 1 in
    seconds; the pool used to wait forever for a worker whose start raised something else than WorkerError."""
    subs = tmp_path / "subs"
    write_notebook(subs / "good.ipynb", CORRECT)
    unrunnable = tmp_path / "python3"
    unrunnable.write_text("#!/bin/sh\n")
    unrunnable.chmod(0o644)  # no execute bit: refused even to root
    code = ("import sys; from tutor.cli import main; sys.executable = sys.argv[1]; "
            "sys.exit(main(sys.argv[2:]))")
    proc = subprocess.run([sys.executable, "-c", code, str(unrunnable), "grade", str(subs), "--out",
                           str(tmp_path / "out"), *FAST, "--workers", "2"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1, proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("tutor grade: could not finish grading: grading worker "), line
    assert f"could not start {unrunnable}: Permission denied" in line, line
    assert stored(tmp_path / "out") == 0
