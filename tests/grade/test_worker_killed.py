"""A worker killed from outside (as the OOM killer does) is the grader's failure: the run is done again on a
fresh worker, and when that fails too it is left for the next `tutor grade`, never stored as `crashed`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from gradehelp import ROOT, by_key, read_csv, tutor
from corpus import CORRECT, write_notebook

LIMITS = ["--time", "12", "--cpu", "3", "--workers", "1", "--quiet"]
SLOW = CORRECT["lin_grad"].replace("    inp.g", "    import time\n    if not hasattr(time, 'slept'):  # on the first "
                                   "call only\n        time.slept = time.sleep(5)\n    inp.g", 1)


def comm_pids(name: str) -> list[int]:
    """Processes whose name (as `ps` shows it) is `name`."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as fh:
                if fh.read().strip() == name:
                    found.append(int(pid))
        except OSError:
            pass
    return found


def parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def kill_worker_mid_run(proc: subprocess.Popen, times: int) -> int:
    """SIGKILL this grader's worker (the big process the OOM killer would pick) while it has been running
    learner code for half a second (not its brief start-up probe), `times` times; return how many landed.
    Only this grader's: other kernels on the machine have workers of the same name."""
    killed, since, dead = 0, {}, set()
    deadline = time.monotonic() + 300
    while killed < times and time.monotonic() < deadline and proc.poll() is None:
        now = time.monotonic()
        ours = {w for w in comm_pids("tutor-worker-0") if parent(parent(w)) == proc.pid} - dead
        since = {r: since.get(r, now) for r in comm_pids("tutor-run") if parent(r) in ours}
        busy = {parent(r) for r, t in since.items() if now - t > 0.5}
        for w in busy:
            os.kill(w, signal.SIGKILL)
            dead.add(w)
            killed += 1
        time.sleep(0.05)
    return killed


def start(subs, out):
    return subprocess.Popen([sys.executable, "-m", "tutor", "grade", str(subs), "--out", str(out), *LIMITS],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_killed_once_is_run_again_within_the_run(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write_notebook(subs / "slow.ipynb", {"lin_grad": SLOW})
    proc = start(subs, out)
    assert kill_worker_mid_run(proc, 1) == 1
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    row = by_key(read_csv(out / "gradebook.csv"))[("slow.ipynb", "lin_grad")]
    assert (row["passed"], row["codes"]) == ("1", "")


def test_killed_twice_is_left_for_the_next_run_not_stored_as_crashed(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write_notebook(subs / "slow.ipynb", {"lin_grad": SLOW})
    write_notebook(subs / "other.ipynb", {"lin_grad": CORRECT["lin_grad"]})
    proc = start(subs, out)
    assert kill_worker_mid_run(proc, 2) == 2
    _, err = proc.communicate(timeout=600)
    assert proc.returncode == 1, err
    assert "run(s) were not graded because the grader failed, not the students' code" in err
    assert "run again to resume" in err
    assert "killed by SIGKILL" in err  # (the worker's end, as the grader saw it: not a mystery to the instructor)
    again = tutor("grade", str(subs), "--out", str(out), *LIMITS)
    assert again.returncode == 0, again.stderr
    rows = by_key(read_csv(out / "gradebook.csv"))
    assert (rows[("slow.ipynb", "lin_grad")]["passed"], rows[("slow.ipynb", "lin_grad")]["codes"]) == ("1", "")
    assert rows[("other.ipynb", "lin_grad")]["passed"] == "1"
