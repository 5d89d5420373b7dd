"""How a confined run ended: reap whatever it left behind, and say why it stopped."""
from __future__ import annotations

import os
import signal

from . import host
from .protocol import Limits, Outcome


def children(pid: int | str = "self") -> list[int]:
    """A process's children, over all its threads (for a worker: orphaned descendants too, it is a subreaper)."""
    pids: list[int] = []
    if not host.linux():  # (no /proc, and a worker is no subreaper there: only the run's process group is killed)
        return pids
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                pids += [int(p) for p in fh.read().split()]
        except OSError:
            pass
    return pids


def kill_descendants(pid: int) -> int:
    """Kill the run's process group and every process it left behind, reaping them; return how many were left."""
    try:
        os.killpg(pid, signal.SIGKILL)
        if os.getpid() == 1:  # the worker is init of its own PID namespace: every other process there is the run's
            os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    extra = 0
    for _ in range(10_000):  # bounded: RLIMIT_NPROC caps how many there can be
        kids = children()
        if not kids:
            break
        for p in kids:
            for kill in (os.killpg, os.kill):
                try:
                    kill(p, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.waitpid(p, 0)
            except ChildProcessError:
                pass
            extra += 1
    return extra


def classify(out: Outcome, status: int, buf: bytes, setup: bytes, limits: Limits, timed_out: bool,
             too_big: bool) -> Outcome:
    """Fill in `out.status` / `detail` / `payload` from how the child ended."""
    sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
    if setup != b"ok":
        out.status, out.detail = "error", setup.decode("utf-8", "replace") or "the run died before it was confined"
    elif too_big:
        out.status, out.detail = "crashed", f"handed back more than {limits.result_mb} MB of results"
    elif timed_out:
        out.status, out.detail = "timeout", f"still running after {limits.wall:g} s (wall-clock limit)"
    elif sig in (signal.SIGXCPU, signal.SIGKILL) and out.cpu >= max(1, round(limits.cpu)) - 0.05:
        out.status, out.detail = "timeout", f"used more than {limits.cpu:g} s of CPU time"
    elif sig is not None:
        out.status, out.detail = "crashed", f"the process was killed by {signal.Signals(sig).name}"
    elif buf[:1] == b"R" and os.WEXITSTATUS(status) == 0:
        out.payload = memoryview(buf)[1:]  # type: ignore[assignment] - no copy of megabytes
    elif buf[:1] == b"M":
        out.status, out.detail = "memory", f"ran out of memory (limit {limits.memory_mb} MB)"
    elif buf[:1] == b"X":
        out.status, out.detail = "crashed", f"stopped the run with {buf[1:].decode('utf-8', 'replace')}"
    else:
        out.status = "crashed"
        out.detail = f"the process ended (exit status {os.WEXITSTATUS(status)}) without handing back a result"
    return out
