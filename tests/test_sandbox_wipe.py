"""No copy of the lesson's solution text lies in a run child's memory, not even in freed blocks (which ctypes could
read): the worker's allocator overwrites what it frees (sandbox/handle.py WIPING_ALLOCATOR). Read from outside,
as root reads another process's memory, while learner code sleeps in the run."""
from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from tutor import exercises
from tutor.sandbox.handle import Worker
from tutor.sandbox.protocol import Limits

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/<pid>/mem: Linux")

LIMITS = Limits(wall=20.0, cpu=20.0)
SLEEPS = "import time\ndef lin_grad(inp, out, w, b):\n    time.sleep(3)\n"


def solution_lines() -> list[bytes]:
    """Every line of every exercise's reference that computes a gradient (one-line methods: after the colon); not
    the forward lines, which the hints show."""
    lines = set()
    for name in exercises.names():
        for line in exercises.get(name).reference_source.splitlines():
            line = line.strip().split("): ", 1)[-1]
            if len(line) >= 10 and ".g" in line or line.startswith(("g =", "g[", "diff =")):
                lines.add(line)
    return sorted(line.encode() for line in lines)


def copies_in_memory(pid: int, needles: list[bytes]) -> dict[str, int]:
    """How often each needle lies in the process's writable memory, as ASCII, UCS-2 and UCS-4 text."""
    found: dict[str, int] = {}
    with open(f"/proc/{pid}/maps") as fh:
        regions = [line.split() for line in fh]
    fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY)
    try:
        for r in regions:
            lo, hi = (int(a, 16) for a in r[0].split("-"))
            if not r[1].startswith("rw"):
                continue
            try:
                chunk = os.pread(fd, hi - lo, lo)
            except OSError:
                continue
            for n in needles:
                for enc in ("ascii", "utf-16-le", "utf-32-le"):
                    k = chunk.count(n.decode().encode(enc))
                    if k:
                        found[f"{n.decode()} ({enc})"] = found.get(f"{n.decode()} ({enc})", 0) + k
    finally:
        os.close(fd)
    return found


def _run_child(worker: Worker) -> int:
    top = worker.proc.pid
    inner = Path(f"/proc/{top}/task/{top}/children").read_text().split()[0]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for pid in Path(f"/proc/{inner}/task/{inner}/children").read_text().split():
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "S":
                return int(pid)
        time.sleep(0.05)
    raise AssertionError("no sleeping run child")


@pytest.mark.parametrize("warm_spares", [False, True], ids=["grader", "kernel"])
def test_no_copy_of_the_solution_lies_in_a_runs_memory(warm_spares: bool) -> None:
    needles = solution_lines()
    assert len(needles) >= 10 and b"inp.g = out.g @ w.t()" in needles, needles
    w = Worker(0, warm_up=not warm_spares, require_full=False, warm_spares=warm_spares)
    w.start()
    try:
        w.run("lin_grad", "def lin_grad(inp, out, w, b):\n    pass\n", LIMITS)  # (a kernel's child warms up)
        time.sleep(1.5)
        ran = threading.Thread(target=w.run, args=("lin_grad", SLEEPS, LIMITS))
        ran.start()
        try:
            child = _run_child(w)
            try:
                seen = copies_in_memory(child, needles)
            except PermissionError as e:
                pytest.skip(f"cannot read another process's memory here: {e}")
            assert seen == {}, seen
            # (the scan itself finds text: the worker's handle in this process holds the lines it has sent)
            assert copies_in_memory(os.getpid(), [b"time.sleep(3)"])
        finally:
            ran.join()
    finally:
        w.stop()
