"""What kind of host the sandbox runs on, and the few calls whose Linux form (pidfd, memfd, /proc, prctl) other
POSIX systems (macOS, the BSDs) lack. Everything in the sandbox asks `platform()` here, never `sys.platform`."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

SWITCH = "TUTOR_SANDBOX_PLATFORM"  # tests: "posix" makes Linux act as macOS would, "windows" as Windows would


def platform() -> str:
    """"linux" (namespaces, prctl, /proc), "posix" (fork and rlimits only: macOS, BSDs) or "windows" (no fork:
    learner code runs in-process). The env switch only ever takes protections away."""
    forced = os.environ.get(SWITCH, "")
    if sys.platform == "win32" or not hasattr(os, "fork") or forced == "windows":
        return "windows"
    if sys.platform.startswith("linux") and forced != "posix":
        return "linux"
    return "posix"


def linux() -> bool:
    """Whether Linux-only calls (namespaces, prctl, pidfd, memfd, /proc) may be made."""
    return platform() == "linux"


def output_fd(scratch: str = "") -> int:
    """A file descriptor for what a run prints, backed by no file learner code could find by name."""
    if linux():
        return os.memfd_create("tutor-run-output", os.MFD_CLOEXEC)
    fd, path = tempfile.mkstemp(prefix="tutor-run-output-", dir=scratch or None)
    os.unlink(path)
    return fd


def maxrss_bytes(ru_maxrss: int) -> int:
    """`ru_maxrss` in bytes: macOS counts bytes, Linux and the BSDs kilobytes (a fact of the kernel, not a mode)."""
    return ru_maxrss if sys.platform == "darwin" else ru_maxrss << 10


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (it may belong to another user, or, on Linux, to no PID namespace
    this process sees: /proc is the host's there)."""
    if linux():
        return os.path.exists(f"/proc/{pid}")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def user_processes(uid: int) -> dict[int, int]:
    """The processes the uid owns now (what RLIMIT_NPROC counts off Linux) and each one's resident memory in
    bytes, from `ps` (there is no /proc here)."""
    done = subprocess.run(["ps", "-U", str(uid), "-o", "pid=,rss="], capture_output=True, text=True, timeout=10,
                          stdin=subprocess.DEVNULL)
    rows = [line.split() for line in done.stdout.splitlines()]
    if done.returncode != 0 and not rows:
        raise OSError(f"ps -U {uid} failed: {done.stderr.strip() or done.returncode}")
    return {int(r[0]): int(r[1]) << 10 for r in rows if len(r) == 2 and r[0].isdigit() and r[1].isdigit()}


# Children being watched by this process (off Linux): killed if the worker's parent goes away; and the write
# ends of their watches' pipes, which a child forked meanwhile must not hold open (it would hide an exit).
_watched: set[int] = set()
_write_ends: set[int] = set()


def _close_write_ends() -> None:
    for fd in _write_ends:
        try:
            os.close(fd)
        except OSError:
            pass
    _write_ends.clear()
    _watched.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_write_ends)


class ExitWatch:
    """Tells when a forked child ends: `fd` turns readable then, and `wait()` reaps it. On Linux a pidfd; off
    Linux a thread that waits for the child and then closes a pipe (there is no pidfd there)."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self._ended: tuple[int, Any] | None = None
        self._thread: threading.Thread | None = None
        if linux():
            self.fd = os.pidfd_open(pid)
            return
        self.fd, self._w = os.pipe()
        _watched.add(pid)
        _write_ends.add(self._w)
        self._thread = threading.Thread(target=self._reap, daemon=True, name=f"tutor-wait-{pid}")
        self._thread.start()

    def _reap(self) -> None:
        try:
            _, status, usage = os.wait4(self.pid, 0)
            self._ended = (status, usage)
        finally:
            _write_ends.discard(self._w)
            os.close(self._w)

    def wait(self) -> tuple[int, Any]:
        """Reap the child (blocking until it ends): its wait status and resource usage."""
        if self._thread is None:
            return os.wait4(self.pid, 0)[1:]
        self._thread.join()
        _watched.discard(self.pid)
        if self._ended is None:
            raise ChildProcessError(f"could not reap process {self.pid}")
        return self._ended

    def close(self) -> None:
        """Release the descriptor."""
        os.close(self.fd)


def die_with_parent(every: float = 0.5) -> None:
    """Off Linux (no PR_SET_PDEATHSIG): a thread that notices this process's parent is gone, kills the runs it is
    watching (their process groups) and ends this process."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        for pid in list(_watched):
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="tutor-parent-watch").start()


MEMORY_EXIT = 86  # how a run's memory watcher ends it


def watch_run(budget: int, every: float = 0.01) -> None:
    """Off Linux, a thread in a run that stands in for RLIMIT_AS (not enforced on macOS) and PR_SET_PDEATHSIG: it
    ends the run (exit status MEMORY_EXIT) once its resident memory passes `budget` bytes, and the run's whole
    process group once its worker is gone. Checked every `every` seconds, so a run may overshoot by what it
    allocates in that time (or within one C call that holds the GIL)."""
    import resource

    worker = os.getppid()

    def watch() -> None:
        while maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) <= budget:
            if os.getppid() != worker:
                os.killpg(0, signal.SIGKILL)
            time.sleep(every)
        os._exit(MEMORY_EXIT)
    threading.Thread(target=watch, daemon=True, name="tutor-run-watch").start()


def out_of_memory(status: int) -> bool:
    """Whether a run's wait status says its memory watcher ended it (never on Linux, where RLIMIT_AS does)."""
    return not linux() and os.WIFEXITED(status) and os.WEXITSTATUS(status) == MEMORY_EXIT


def compute_after_fork() -> None:
    """A small torch and numpy product, run in a forked child before any learner code: on macOS, BLAS
    (Accelerate, over libdispatch) may not survive a fork of a process that used it, and then no run could work."""
    import numpy
    import torch

    (torch.ones(64, 64) @ torch.ones(64, 64)).sum().item()
    float((numpy.ones((64, 64)) @ numpy.ones((64, 64))).sum())


def own_rss() -> int:
    """This process's peak resident memory in bytes (off Linux, where /proc/self/status does not exist)."""
    import resource

    return maxrss_bytes(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
