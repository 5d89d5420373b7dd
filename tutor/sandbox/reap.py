"""How a confined run ended: reap whatever it left behind, and say why it stopped."""
from __future__ import annotations

import os
import signal

from . import host
from .protocol import RESULT_HEAD, Limits, Outcome, frame_complete


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


def descendants(pid: int) -> int:
    """How many processes the run `pid` has started and left running: its descendants, and those orphaned to this
    worker (a subreaper) — `pid` itself not counted."""
    seen: set[int] = set()
    todo = [p for p in children() if p != pid] + _children_or_none(pid)
    while todo and len(seen) < 10_000:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            todo += _children_or_none(p)
    return len(seen)


def _children_or_none(pid: int) -> list[int]:
    try:
        return children(pid)
    except OSError:  # gone meanwhile
        return []


def kill_run(pid: int) -> None:
    """Kill the run's process group and, where the worker is init of its own PID namespace, every other process
    there (all of them the run's), without waiting for them to end."""
    try:
        os.killpg(pid, signal.SIGKILL)
        if os.getpid() == 1:
            os.kill(-1, signal.SIGKILL)
    except OSError:
        pass


def kill_descendants(pid: int) -> int:
    """Kill the run's process group and every process it left behind, reaping them; return how many were left."""
    kill_run(pid)
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


def classify(out: Outcome, status: int | None, buf: bytes, setup: bytes, limits: Limits, timed_out: bool,
             too_big: bool) -> Outcome:
    """Fill in `out.status` / `detail` / `payload` from the child's result frame and, when it has been reaped,
    how it ended (`status` None: not yet, its result frame is complete). A complete frame is the answer,
    whatever the child did after writing it."""
    sig = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
    kind, body = (buf[:1], memoryview(buf)[RESULT_HEAD.size:]) if frame_complete(buf) else (b"", memoryview(b""))
    if setup != b"ok":
        out.status, out.detail = "error", setup.decode("utf-8", "replace") or "the run died before it was confined"
    elif too_big:
        out.status, out.detail = "crashed", f"handed back more than {limits.result_mb} MB of results"
    elif timed_out:
        out.status, out.detail = "timeout", f"still running after {limits.wall:g} s (wall-clock limit)"
    elif kind == b"R":
        out.payload = body  # type: ignore[assignment] - no copy of megabytes
    elif kind == b"S":
        pass  # ok: the body is in the run's result memfd
    elif kind == b"M":
        out.status, out.detail = "memory", f"ran out of memory (limit {limits.memory_mb} MB)"
    elif kind == b"X":
        out.status, out.detail = "crashed", f"stopped the run with {bytes(body).decode('utf-8', 'replace')}"
    elif sig == signal.SIGXCPU or (sig == signal.SIGKILL and out.cpu >= max(1, round(limits.cpu)) - 0.05):
        # (only the CPU limit sends SIGXCPU; the usage a loaded machine reports for the run can fall short of it)
        out.status, out.detail = "timeout", f"used more than {limits.cpu:g} s of CPU time"
    elif sig is not None:
        out.status, out.detail = "crashed", f"the process was killed by {signal.Signals(sig).name}"
    else:
        out.status = "crashed"
        code = os.WEXITSTATUS(status) if status is not None else "?"
        out.detail = f"the process ended (exit status {code}) without handing back a result"
    return out
