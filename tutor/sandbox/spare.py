"""One run of learner code in a child forked and confined ahead of time (a "spare"): a check only sends it the job.

The worker forks the next spare while it is idle (on Linux), answers as soon as the child's result frame is
complete, and only then kills and reaps the child and everything it started: the child's exit (tearing down a
copy of the worker's address space) and the next fork are off the path from a job to its answer.
"""
from __future__ import annotations

import os
import select
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import host, jail
from .child import run_child
from .protocol import RESULT_HEAD, Limits, Outcome, frame_size, write_job
from .reap import classify, descendants, kill_descendants, kill_run
from .shared import result_memfd

PIPE_SIZE = 1 << 20  # the default pipe-max-size: a result crosses in a few writes instead of hundreds


def widen(fd: int) -> None:
    """Give a pipe a 1 MB buffer (fewer context switches for megabytes of results); keep the default if refused."""
    if not host.linux():
        return
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:
        pass


def read_setup(fd: int, deadline: float) -> bytes:
    """What a child said on its setup pipe until it closed it (b"ok": confined), or until the deadline."""
    data = b""
    while time.monotonic() < deadline and select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
    return data


@dataclass
class Spare:
    """A forked child, confined (or confining itself) under `limits`, waiting for one job on `job_w`."""

    pid: int
    limits: Limits
    ended: host.ExitWatch
    setup_r: int
    result_r: int
    job_w: int
    out_fd: int
    workdir: str
    rss_before: int  # the worker's resident memory when it forked (how much the run grew is measured from it)
    shared_fd: int = -1  # the run's result memfd (Linux), where the child puts a result's body
    shared: int = -1  # the body's size once it is there (the worker hands the memfd on instead of copying it)
    setup: bytes | None = None  # what the child said once it was confined
    reaped: bool = False
    status: int = 0
    usage: Any = None


def fork_spare(job: Callable[[str, str], Any], limits: Limits, iso: jail.Isolation, scratch: str,
               warm: tuple[str, int] | None = None, shared: bool = False) -> Spare:
    """Fork a child that confines itself and waits for its job. `warm`: (exercise, fd of the warm-up texts): an
    idle child first runs that exercise's known wrong variant, so that the memory a run touches is its own
    already. `shared` (Linux): the child puts a result's body in a memfd of its own, handed on without a copy."""
    out_fd = host.output_fd(scratch)  # never a file learner code could find
    shared_fd = result_memfd() if shared and host.linux() else -1
    workdir = tempfile.mkdtemp(dir=scratch) if not iso.mounts else "/tmp"
    setup_r, setup_w = os.pipe()
    result_r, result_w = os.pipe()
    job_r, job_w = os.pipe()
    widen(result_w)
    widen(job_w)
    rss_before = jail.rss()
    pid = os.fork()
    if pid == 0:
        for fd in (setup_r, result_r, job_w):
            os.close(fd)
        run_child(job, limits, iso, out_fd, setup_w, result_w, job_r, workdir, warm, shared_fd)
    for fd in (setup_w, result_w, job_r):
        os.close(fd)
    return Spare(pid, limits, host.ExitWatch(pid), setup_r, result_r, job_w, out_fd, workdir, rss_before,
                 shared_fd)


def alive(spare: Spare) -> bool:
    """Whether the spare is still there to take a job (it may have been killed from outside while it waited)."""
    return not select.select([spare.ended.fd], [], [], 0)[0]


def run(spare: Spare, exercise: str, source: bytes | bytearray, iso: jail.Isolation) -> Outcome:
    """Hand the spare its job, watch it under its limits, classify how it ended. A complete result frame is
    answered at once (the child may still be exiting: `finish` reaps it); any other ending waits for the child."""
    limits = spare.limits
    t0 = time.monotonic()
    deadline = t0 + limits.wall
    if spare.setup is None:
        spare.setup = read_setup(spare.setup_r, deadline)
    chunks: list[bytes] = []
    got, need, cap, too_big, timed_out = 0, 0, (limits.result_mb << 20) + 1, False, False
    if spare.setup == b"ok":
        try:
            write_job(spare.job_w, {"exercise": exercise}, source)
        except OSError:  # died since: it is classified below from how it ended
            pass
        os.close(spare.job_w)
        spare.job_w = -1
        result_r, pidfd = spare.result_r, spare.ended.fd
        watch = [result_r, pidfd]
        while not need or got < need:
            wait = deadline - time.monotonic()
            ready = select.select(watch, [], [], max(0.0, wait))[0] if wait > 0 else []
            if not ready:
                timed_out = True
                break
            if result_r in ready:
                chunk = os.read(result_r, PIPE_SIZE)
                if not chunk:
                    watch.remove(result_r)
                chunks.append(chunk)
                got += len(chunk)
                need = need or frame_size(b"".join(chunks)[:RESULT_HEAD.size])
                if got > cap or need > cap:
                    too_big = True
                    break
                continue  # (a complete frame wins over the child's end, whichever the select saw first)
            if pidfd in ready:
                os.set_blocking(result_r, False)
                try:
                    while got <= cap and (chunk := os.read(result_r, PIPE_SIZE)):
                        chunks.append(chunk)
                        got += len(chunk)
                except BlockingIOError:
                    pass
                need = need or frame_size(b"".join(chunks)[:RESULT_HEAD.size])
                break
    wall = time.monotonic() - t0
    buf = b"".join(chunks)
    complete = bool(need) and got >= need and not (timed_out or too_big) and _body_there(spare, buf[:need])
    buf = buf[:need] if complete else buf
    if complete and host.linux():  # answer now; the child and what it started are reaped after the answer
        extra, cpu, status = descendants(spare.pid), _cpu_seconds(spare.pid), None
        kill_run(spare.pid)  # (nothing of the run may write to its result memfd once it is handed on)
    else:
        if timed_out or too_big or spare.setup != b"ok":
            _kill(spare.pid)
        extra = _reap(spare)
        cpu, status = spare.usage.ru_utime + spare.usage.ru_stime, spare.status
    printed, cut = _printed(spare.out_fd, limits.output_kb << 10)
    out = Outcome("ok", output=printed, output_cut=cut, cpu=cpu, wall=wall)
    out = classify(out, status, buf, spare.setup, limits, timed_out, too_big)
    if status is not None:
        grew = host.maxrss_bytes(spare.usage.ru_maxrss) - spare.rss_before
        if host.out_of_memory(status):  # (off Linux: the run's memory watcher ended it)
            out.status, out.detail = "memory", f"ran out of memory (limit {limits.memory_mb} MB)"
        if out.status == "timeout" and grew >= 0.75 * (limits.memory_mb << 20):  # it was filling memory all along
            out.status, out.detail = "memory", f"ran out of memory (limit {limits.memory_mb} MB) and kept " \
                                               f"going until it {out.detail}"
    if extra >= max(2, limits.nproc // 2) and out.status in ("ok", "timeout"):
        out.status, out.detail, out.payload = "crashed", f"started {extra}+ processes (limit {limits.nproc}): " \
                                                         "a fork bomb?", b""
    return out


def finish(spare: Spare, iso: jail.Isolation) -> None:
    """Kill and reap the child and every process it left, and release what the run held."""
    if not spare.reaped:
        _kill(spare.pid)
        _reap(spare)
    for fd in (spare.setup_r, spare.result_r, spare.job_w, spare.out_fd, spare.shared_fd):
        if fd >= 0:
            os.close(fd)
    spare.setup_r = spare.result_r = spare.job_w = spare.out_fd = spare.shared_fd = -1
    spare.ended.close()
    if not iso.mounts:
        shutil.rmtree(spare.workdir, ignore_errors=True)


def _body_there(spare: Spare, frame: bytes) -> bool:
    """For a frame whose body is in the result memfd: whether all of it is (and note its size); else True."""
    kind, size = RESULT_HEAD.unpack_from(frame)
    if kind != b"S":
        return True
    if spare.shared_fd < 0 or os.fstat(spare.shared_fd).st_size != size or size > (spare.limits.result_mb << 20):
        return False
    spare.shared = size
    return True


def _kill(pid: int) -> None:
    """Kill the child and its process group (a child that has not reached setsid yet has none of its own)."""
    for kill in (os.kill, os.killpg):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _reap(spare: Spare) -> int:
    """Wait for the child, then kill and reap everything it left; return how many processes that was."""
    spare.status, spare.usage = spare.ended.wait()
    spare.reaped = True
    return kill_descendants(spare.pid)


def _cpu_seconds(pid: int) -> float:
    """CPU seconds a running (or not yet reaped) child has used, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _printed(out_fd: int, cap: int) -> tuple[str, bool]:
    """The start of what the run printed, and whether it printed more than `cap` bytes."""
    os.lseek(out_fd, 0, os.SEEK_SET)
    printed = os.read(out_fd, cap)
    return printed.decode("utf-8", "replace"), os.fstat(out_fd).st_size >= cap
