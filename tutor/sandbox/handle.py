"""The checker's handle on one worker process: start it, send it jobs, read its outcomes, tell it a run is judged,
stop it. A grading pool runs several (pool.py); a learner's kernel keeps one (session.py)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .host import SWITCH
from .protocol import DEFAULT_JOB, ChannelClosed, Limits, Outcome, read_frame, read_json, write_job, write_json
from .shared import read_result

STARTUP_SECONDS = 300.0  # importing torch on a loaded machine can be slow
GRACE_SECONDS = 30.0  # on top of the wall limit before a silent worker counts as dead
SETTLE_SECONDS = 0.2  # a learner's worker: how long it waits after an answer for the checker to have judged it


def exit_text(code: int) -> str:
    """A Popen return code in words: `exited with status 1`, `killed by SIGKILL`."""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    if code > 128 and code - 128 in signal.valid_signals():  # (how the namespace's init passes on a signal)
        return f"exited with status {code}: its process killed by {signal.Signals(code - 128).name}"
    return f"exited with status {code}"


class WorkerError(RuntimeError):
    """A worker could not start or could not do its job (the grader's failure, not the submission's)."""


class IsolationRefused(WorkerError):
    """Full isolation is not available here and the worker was told to require it; the message says why."""


# Memory a worker frees is overwritten as it is freed, so that no run child it forks finds freed copies of the
# lesson's text in it (importing the exercises, blanking their solutions and warming up leave ~20 copies of each
# reference line in freed blocks, which ctypes could read): every allocation goes through the C library's malloc
# (PYTHONMALLOC), which fills each freed block (MALLOC_PERTURB_; on macOS MallocScribble), none kept back unfilled
# in glibc's per-thread cache (tcache_count=0). tests/test_sandbox_wipe.py reads a run's memory from outside.
WIPING_ALLOCATOR = {"PYTHONMALLOC": "malloc", "MALLOC_PERTURB_": "165",
                    "GLIBC_TUNABLES": "glibc.malloc.tcache_count=0", "MallocScribble": "1"}


def worker_env() -> dict[str, str]:
    """A scrubbed environment for workers: no secrets, one thread, the same MNIST file as the grader."""
    from tutor.mnist import mnist_source

    root = str(Path(__file__).resolve().parents[2])
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/tmp",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
           "VECLIB_MAXIMUM_THREADS": "1", "PYTHONPATH": os.environ.get("TUTOR_GRADE_PYTHONPATH", "") + root,
           "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
           # torch puts tensors of 2 MB or more in huge pages (Linux): the book's `(inp.unsqueeze(-1) *
           # out.g.unsqueeze(1)).sum(0)` makes 157 MB at batch 1000, and faulting that in 4 KB pages doubled
           # the run (bench/fork_bench.py: 310 -> 160 ms)
           "THP_MEM_ALLOC_ENABLE": "1", **WIPING_ALLOCATOR}
    if os.environ.get("TUTOR_GRADE_USERNS") == "1":  # tests: isolate as a grader without root would be
        env["TUTOR_GRADE_USERNS"] = "1"
    if os.environ.get(SWITCH):  # tests: a Linux worker that acts as on macOS
        env[SWITCH] = os.environ[SWITCH]
    try:
        env["TUTOR_MNIST"] = str(mnist_source().resolve())
    except Exception:  # noqa: BLE001 - the worker then reports the same MNIST error itself
        pass
    return env


class Worker:
    """One long-lived worker process and the pipes to it."""

    def __init__(self, slot: int, job: str = DEFAULT_JOB, log: Path | None = None, warm_up: bool = True,
                 require_full: bool = True, warm_spares: bool = False, settle: float | None = None) -> None:
        """`require_full`: refuse to start (IsolationRefused) unless every protection of the sandbox is in
        force; False serves with whatever this machine allows (`isolation` says what). `settle` (seconds; a
        learner's worker, `warm_spares`, waits 0.2): after an answer, wait for `judged()` before reaping the run
        and forking the next child. Done beside the judging, that work took the CPU and memory bandwidth the
        judging needed: a model check's judging took 12-23 ms instead of 9-12, the check 43-61 ms instead of 40."""
        self.slot, self.job, self.log, self.warm_up = slot, job, log, warm_up
        self.warm_spares = warm_spares  # warm each idle run child up (a learner's kernel: latency over CPU)
        self.settle = (SETTLE_SECONDS if warm_spares else 0.0) if settle is None else settle
        self.require_full = require_full
        self.proc: subprocess.Popen[bytes] | None = None
        self.isolation = ""
        self.full = False  # every protection in force (as the worker said when it started)
        self.scratch = ""  # the worker's scratch folder, as it said when it started
        self.channel: socket.socket | None = None  # a Unix socket to the worker: results come back as memfds
        self.ready = False  # the process said it is ready
        self.runs = 0  # jobs sent so far
        self._writing = threading.Lock()  # a job and a `judged` message, written from two threads, never interleave

    def start(self) -> None:
        """Start the process and wait until it has imported torch and warmed up."""
        self.spawn()
        self.wait_ready()

    def spawn(self) -> None:
        """Start the process without waiting for it (it dies with the thread that calls this: PR_SET_PDEATHSIG
        follows the parent thread, so call it from one that lives as long as the worker should)."""
        self.stop()
        self.ready = False
        err = open(self.log, "ab") if self.log else subprocess.DEVNULL
        # Results come back as memfds over this socket (one copy instead of two trips through pipes).
        self.channel, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            args = ["--slot", str(self.slot), "--job", self.job, "--fd-channel", str(theirs.fileno())] \
                + ([] if self.warm_up else ["--no-warm-up"]) + (["--warm-spares"] if self.warm_spares else []) \
                + ([] if self.require_full else ["--unsafe"]) + (["--settle", str(self.settle)] if self.settle else [])
            self.proc = subprocess.Popen([sys.executable, "-m", "tutor.sandbox.worker", *args],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=err,
                                         env=worker_env(), cwd="/", close_fds=True, pass_fds=(theirs.fileno(),))
        except OSError as e:  # e.g. an interpreter this user may not run
            self.channel.close()
            self.channel = None
            raise WorkerError(f"grading worker {self.slot} could not start {sys.executable}: "
                              f"{e.strerror or e}") from None
        finally:
            if self.log:
                err.close()  # type: ignore[union-attr]
            theirs.close()

    def wait_ready(self) -> None:
        """Wait until the spawned process says it is ready (WorkerError, IsolationRefused if it cannot be)."""
        assert self.proc is not None
        try:
            hello = read_json(self.proc.stdout.fileno(), time.monotonic() + STARTUP_SECONDS)  # type: ignore[union-attr]
        except (ChannelClosed, TimeoutError, ValueError) as e:
            self.stop()
            raise WorkerError(f"grading worker {self.slot} did not start ({e}); see {self.log or 'its stderr'}")
        if not hello.get("ready"):
            self.stop()
            if hello.get("refused"):
                raise IsolationRefused(str(hello.get("error")))
            raise WorkerError(f"grading worker {self.slot} could not start: {hello.get('error')}")
        self.isolation, self.full = hello.get("isolation", ""), bool(hello.get("full"))
        scratch = str(hello.get("scratch", ""))
        # Removed by us after the worker ends: inside its read-only namespace the worker cannot remove it itself.
        self.scratch = scratch if os.path.basename(scratch).startswith("tutor-worker-") else ""
        self.ready = True

    def run(self, exercise: str, source: str, limits: Limits) -> Outcome:
        """Run one exercise. A worker that dies or hangs (killed from outside, e.g. by the OOM killer) is
        stopped and the outcome is `error`: the grader's failure, to run again, never the learner's verdict."""
        if self.proc is None or self.proc.poll() is not None:
            self.start()
        elif not self.ready:
            self.wait_ready()
        assert self.proc is not None and self.proc.stdin is not None and self.proc.stdout is not None
        deadline = time.monotonic() + limits.wall + GRACE_SECONDS
        self.runs += 1
        try:
            with self._writing:
                write_job(self.proc.stdin.fileno(), {"exercise": exercise, "limits": limits.to_dict()},
                          source.encode("utf-8", "surrogatepass"))
            header = read_json(self.proc.stdout.fileno(), deadline)
            if "shared" in header:
                payload = self._shared_payload(header.pop("shared"), limits, deadline)
            else:
                payload = read_frame(self.proc.stdout.fileno(), deadline, limit=(limits.result_mb + 1) << 20)
        except (ChannelClosed, TimeoutError, OSError, ValueError) as e:
            ended = self._how_it_ended()
            self.stop()
            return Outcome("error", detail=f"the worker running it died or stopped answering ({e}; {ended})")
        return Outcome(payload=payload, **header)

    def _how_it_ended(self) -> str:
        """How the worker process ended (its exit status or signal), and the last line of its log if it has one."""
        try:  # (a moment for it to end: its init ends just after the worker process it waits for)
            code = None if self.proc is None else self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        said = "it was still running" if code is None else exit_text(code)
        if self.log and self.log.exists():
            with open(self.log, "rb") as fh:
                fh.seek(max(0, fh.seek(0, os.SEEK_END) - 2048))
                lines = fh.read().decode("utf-8", "replace").strip().splitlines()
            said += f"; its log ends: {lines[-1][:300]}" if lines else ""
        return said

    def judged(self) -> None:
        """Tell a worker that waits for it (`settle`) that its last answer is judged: it reaps that run and forks the
        next spare now, no longer beside the judging. (Hold the lock that serialises runs on this worker: a `judged`
        sent after the next run has started would reap that run before it is judged.)"""
        proc = self.proc  # (once: `stop` may set it to None meanwhile, from another thread at exit)
        if not self.settle or proc is None or proc.stdin is None or proc.poll() is not None:
            return
        try:
            with self._writing:
                write_json(proc.stdin.fileno(), {"judged": True})
        except (OSError, ValueError):
            pass  # (a worker gone or stopped meanwhile: the next check starts another)

    def _shared_payload(self, size: int, limits: Limits, deadline: float) -> bytes | memoryview:
        """Read a result's body from the memfd the worker hands over."""
        if not 0 <= size <= (limits.result_mb + 1) << 20:
            raise ValueError(f"a result of {size} bytes came back, expected at most {limits.result_mb} MB")
        assert self.channel is not None
        self.channel.settimeout(max(0.001, deadline - time.monotonic()))
        try:
            _, fds, _, _ = socket.recv_fds(self.channel, 1, 1)
        except socket.timeout:
            raise TimeoutError("no result memfd within the deadline") from None
        if not fds:
            raise ChannelClosed("the worker closed the result channel")
        try:
            return read_result(fds[0], size)
        finally:
            for fd in fds:
                os.close(fd)

    def stop(self, wait: float = 5.0) -> None:
        """End the process (closing stdin first so it can clean up; killed after `wait` seconds)."""
        if self.channel is not None:
            self.channel.close()
            self.channel = None
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        try:
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout=wait)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = ""
