"""kill -9 in the middle of grading, run again: the same gradebook as a run that was never interrupted."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from gradehelp import FAST, ROOT, read_csv, tutor
from corpus import CORRECT, WRONG_LIN_GRAD, write_notebook

from tutor.sandbox.reap import children  # the workers are started from the pool's threads: all threads' children


def make_class(folder, n=8):
    """n students, every one with code of their own (so nothing is shared), some of it wrong, one sleeper."""
    for i in range(n):
        cells = {ex: src.replace("\n", f"  # student {i}\n", 1) for ex, src in CORRECT.items()}
        if i % 3 == 0:
            cells["lin_grad"] = WRONG_LIN_GRAD + f"# student {i}\n"
        if i == 5:
            cells["relu"] = "import time\nclass Relu(Module):\n    def forward(self, inp):\n        time.sleep(60)\n"
        write_notebook(folder / f"student{i:02}.ipynb", cells)


def rows_in(db):
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute("SELECT count(*) FROM results").fetchone()[0]
    except sqlite3.Error:
        return 0


def alive(pid):
    """Running (not gone, not a zombie waiting for a reaper)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_kill_9_mid_run_then_rerun_gives_the_same_gradebook(tmp_path):
    subs = tmp_path / "subs"
    make_class(subs)
    whole = tutor("grade", str(subs), "--out", str(tmp_path / "whole"), *FAST)
    assert whole.returncode == 0, whole.stderr

    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-m", "tutor", "grade", str(subs), "--out", str(out), *FAST],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while rows_in(out / "gradebook.sqlite") < 8 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    workers = children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = rows_in(out / "gradebook.sqlite")
    assert 8 <= saved < 32, f"expected to kill it mid-run, {saved} of 32 results were saved"
    assert workers, "the grader had started no workers"
    deadline = time.monotonic() + 20  # a dying worker with a large address space takes a few seconds to go
    while [w for w in workers if alive(w)] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [w for w in workers if alive(w)] == [], "workers outlived the killed grader"
    assert not (out / "gradebook.csv").exists()

    again = tutor("grade", str(subs), "--out", str(out), *FAST)
    assert again.returncode == 0, again.stderr
    runs_now = int(again.stdout.split(" runs now")[0].rsplit(" ", 1)[1])
    assert runs_now <= 32 - saved  # only what was left
    assert read_csv(out / "gradebook.csv") == read_csv(tmp_path / "whole" / "gradebook.csv")
    assert read_csv(out / "gradebook.csv")[22] == {"submission": "student05.ipynb", "exercise": "mse",
                                                   "passed": "1", "score": "1", "codes": "", "comment": ""}


def test_ctrl_c_stops_cleanly_says_how_to_resume_and_resumes(tmp_path):
    subs = tmp_path / "subs"
    make_class(subs)
    out = tmp_path / "interrupted"
    # Ctrl+C in a terminal signals the whole foreground process group: the grader, its workers, their runs
    proc = subprocess.Popen([sys.executable, "-m", "tutor", "grade", str(subs), "--out", str(out), *FAST],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while rows_in(out / "gradebook.sqlite") < 8 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    workers = children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == (f"tutor grade: interrupted; every verdict so far is saved in "
                                            f"{out / 'gradebook.sqlite'}: run the same command again to grade "
                                            "the rest")
    assert workers and not [w for w in workers if alive(w)]
    saved = rows_in(out / "gradebook.sqlite")
    again = tutor("grade", str(subs), "--out", str(out), *FAST)
    assert again.returncode == 0, again.stderr
    assert int(again.stdout.split(" runs now")[0].rsplit(" ", 1)[1]) <= 32 - saved
    assert sum(r["passed"] == "1" for r in read_csv(out / "gradebook.csv")) == 32 - 3 - 1  # 3 wrong, 1 sleeper
