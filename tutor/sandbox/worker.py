"""A long-lived grading worker ("zygote"): imports torch once, then forks one confined child per exercise run.

Run as `python -m tutor.sandbox.worker --slot N`. It reads jobs as length-prefixed JSON on stdin and answers
each with a JSON header frame and a raw result frame on stdout. Learner code only ever runs in the children.
"""
from __future__ import annotations

import argparse
import gc
import importlib
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from typing import Any, Callable

from . import host, jail, memory, namespaces, rootfs, seccomp, spare
from .child import blank_reference_sources, keep_warm_up_sources
from .loaded_formulas import blank_loaded_formulas
from .protocol import DEFAULT_JOB, ChannelClosed, Limits, Outcome, read_json, read_source, wipe, write_frame, write_json


def probe_isolation(slot: int) -> jail.Isolation:
    """Find out which protections this machine allows, switching this worker off the network and into a PID
    namespace of its own when it can (from there on this process is PID 1 of it; its parent only waits)."""
    if not host.linux():
        return jail.Isolation.off_linux()
    iso = jail.Isolation(root=os.geteuid() == 0 and namespaces.in_initial_user_namespace())
    if not iso.root or os.environ.get("TUTOR_GRADE_USERNS") == "1":  # (=1: as without root, for tests)
        try:
            namespaces.enter_user_namespace()
            iso.userns = True
        except OSError as e:
            iso.missing.append(f"user namespaces are refused here ({e.strerror}): without root they are "
                               "what isolates learner code")
            return iso  # rlimits and a temp dir only
    try:
        jail.unshare(jail.CLONE_NEWNET)
        iso.network = True
    except OSError as e:
        iso.missing.append(f"no network namespace ({e.strerror})")
    if iso.root and not iso.userns:
        iso.uid = jail.UID_BASE + slot
    try:
        namespaces.become_pid_one(f"tutor-ns-{slot}")
        iso.pidns = True
    except OSError as e:
        iso.missing.append(f"no PID namespace ({e.strerror})")
    pid = os.fork()
    if pid == 0:  # try a private /tmp and read-only mounts in a throwaway child
        try:
            jail.unshare(jail.CLONE_NEWNS)
            jail.mount("none", "/", None, jail.MS_REC | jail.MS_PRIVATE, None)
            jail.mount("tmpfs", "/tmp", "tmpfs", 0, "size=1m")
            os._exit(2 if "/" in namespaces.readonly_mounts() else 0)
        except BaseException:
            os._exit(1)
    probed = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    iso.mounts, iso.readonly = probed in (0, 2), probed == 0
    if not iso.mounts:
        iso.missing.append("no mount namespace (no private /tmp, no read-only or minimal filesystem)")
    if iso.mounts and iso.uid is not None:  # python may sit under /root (mode 700): let the learner's uid import
        jail.expose([sys.prefix, sys.base_prefix, sys.exec_prefix, *sys.path, *os.environ.get("PYTHONPATH",
                                                                                              "").split(":")])
    return iso


def enter_rootfs(iso: jail.Isolation) -> None:
    """Leave only the Python runtime visible (after everything is imported); say why when the kernel refuses."""
    if not iso.mounts:
        return
    try:
        rootfs.enter()
        iso.rootfs = iso.readonly = True
    except OSError as e:
        iso.missing.append(f"no minimal filesystem view ({e})")


def dry_run(iso: jail.Isolation, workdir: str) -> None:
    """Confine a throwaway child exactly as a run is confined; `iso.locked` only when that child ends up in a
    nested user namespace with no capability at all and no-new-privileges set."""
    iso.locked = host.linux()  # (elsewhere there is no user namespace to lock a run into)
    if host.linux():
        why = seccomp.probe()
        iso.onethread = not why
        if why:
            iso.missing.append(why)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            jail.confine(Limits(), iso, os.open(os.devnull, os.O_WRONLY), (w,), workdir)
            if not host.linux():
                host.compute_after_fork()
            caps = namespaces.capabilities() if iso.locked else {}
            left = {k: v for k, v in caps.items() if (v != 1 if k == "NoNewPrivs" else v != 0)}
            os.write(w, f"capabilities left: {left}".encode() if left else b"ok")
        except BaseException as e:  # noqa: BLE001 - said to the grader
            os.write(w, f"{type(e).__name__}: {e}".encode()[:500])
        os._exit(0)
    os.close(w)
    said = spare.read_setup(r, time.monotonic() + 30)
    os.close(r)
    os.waitpid(pid, 0)
    if said != b"ok" and not host.linux():  # no run could hand back a result: fail here, never as a verdict
        raise OSError(f"a forked run cannot work on this system ({said.decode('utf-8', 'replace') or 'it died'})")
    if said != b"ok":
        iso.locked = False
        iso.missing.append("a run cannot drop its capabilities in a user namespace of its own "
                           f"({said.decode('utf-8', 'replace') or 'no answer'})")


def readonly_but(scratch: str) -> None:
    """In a mount namespace of the worker's own, make every mount read-only but a fresh tmpfs on `scratch`
    (where run outputs go). Done once here, every run's namespace starts as a read-only copy of it."""
    jail.unshare(jail.CLONE_NEWNS)
    jail.mount("none", "/", None, jail.MS_REC | jail.MS_PRIVATE, None)
    if "/" in namespaces.readonly_mounts():
        raise OSError("could not remount / read-only")
    jail.mount("tmpfs", scratch, "tmpfs", 0, "size=4g,mode=0711")


def sweep_stale_scratch() -> None:
    """Remove the scratch folders of workers that were killed (kill -9 leaves no chance to clean up)."""
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        parts = name.split("-")
        if name.startswith("tutor-worker-") and len(parts) >= 4 and parts[2].isdigit():
            if not host.alive(int(parts[2])):
                shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)


def load_job(spec: str) -> Callable[[str, str], Any]:
    """`module:function` -> the function."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def warm_up(job: Callable[[str, str], Any]) -> None:
    """Run each exercise's first known wrong variant (and stub) before any fork, so that data, cases, lazy imports
    and torch's first-call setup are paid once here instead of in every child. Never the solution: no right
    gradient is ever computed in the worker, so none lingers in the memory its children inherit."""
    try:
        from tutor.exercises import get, names
    except ImportError:
        return
    for name in names():
        ex = get(name)
        wrong = ex.variants[0].source if ex.variants else ex.stub
        for source in (wrong, ex.stub):
            try:
                job(name, source).to_bytes()
            except Exception:  # noqa: BLE001 - a stub may raise; loading is what counts
                pass


def preload(job: Callable[[str, str], Any]) -> None:
    """Load every case's data before any fork (a child cannot read the package's files): warm-up's cheap part."""
    try:
        from tutor.cases import cases_for
        from tutor.exercises import get, names
        from tutor.run.harness import inputs_for
    except ImportError:
        return
    for name in names():
        for case in cases_for(get(name).unit):
            inputs_for(get(name), case)


def main(argv: list[str] | None = None) -> int:
    """Serve jobs from the grader until it closes our stdin."""
    ap = argparse.ArgumentParser(prog="python -m tutor.sandbox.worker")
    ap.add_argument("--slot", type=int, default=0)
    ap.add_argument("--job", default=DEFAULT_JOB)
    ap.add_argument("--unsafe", action="store_true", help="serve even when full isolation is not available")
    ap.add_argument("--no-warm-up", action="store_true", help="for one-off checks: start without warming up")
    ap.add_argument("--fd-channel", type=int, default=-1,
                    help="a Unix socket to the grader over which results are handed on as memfds")
    ap.add_argument("--warm-spares", action="store_true",
                    help="warm up each idle run child with the last exercise (a learner's kernel: lower latency "
                         "for more CPU per run; a grader does not)")
    ap.add_argument("--settle", type=float, default=0.0,
                    help="seconds to wait after an answer for the checker to say it has judged it, before reaping "
                         "the run and forking the next child (a learner's kernel: 0.2)")
    args = ap.parse_args(argv)
    proto_in, proto_out = os.dup(0), os.dup(1)
    spare.widen(proto_out)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # stray prints from imports go to the log, not into the protocol
    try:
        if host.linux():
            jail.prctl(jail.PR_SET_PDEATHSIG, signal.SIGKILL)
            jail.set_name(f"tutor-worker-{args.slot}")
            jail.prctl(jail.PR_SET_CHILD_SUBREAPER, 1)
        else:
            host.die_with_parent()
        iso = probe_isolation(args.slot)
        import torch

        torch.set_num_threads(1)  # before any op: no thread pool that a fork would break
        job = load_job(args.job)
        (preload if args.no_warm_up else warm_up)(job)
        # Before any fork, so that every child starts without them; a failure here stops the worker (fail closed).
        from tutor.run.guard import lock_autograd, skip_debuggers  # (imports torch: after the namespaces)
        from tutor.run.libraries import refuse_differentiating_libraries

        warm_fd = keep_warm_up_sources() if args.warm_spares else -1
        blank_reference_sources()  # every solution text
        blank_loaded_formulas()  # and TorchScript's derivative formulas, as text in libtorch's memory
        lock_autograd()  # the worker never needs autograd again: its children can never reach it
        refuse_differentiating_libraries()  # sympy and the like import as stand-ins from now on
        skip_debuggers()
        gc.collect()
        gc.freeze()  # children's collections skip everything loaded so far: fewer copy-on-write page faults
        memory.release_free_memory()
        memory.use_huge_pages()  # fork+exit of this worker 22 -> 6 ms (bench/fork_bench.py)
        sweep_stale_scratch()
        enter_rootfs(iso)
        scratch = ""  # a minimal root needs none: output goes to a memfd, a run's files to its private /tmp
        if not iso.rootfs:
            scratch = tempfile.mkdtemp(prefix=f"tutor-worker-{os.getpid()}-")
            os.chmod(scratch, 0o711)
            if iso.readonly:
                readonly_but(scratch)
        dry_run(iso, scratch or "/tmp")
        if not iso.full and not args.unsafe:
            write_json(proto_out, {"ready": False, "refused": True, "isolation": iso.describe(),
                                   "error": "full isolation is not available here: " + "; ".join(iso.missing)})
            return 3
    except BaseException as e:  # noqa: BLE001 - said to the grader in one line
        traceback.print_exc()
        write_json(proto_out, {"ready": False, "error": f"{type(e).__name__}: {e}"})
        return 1
    write_json(proto_out, {"ready": True, "pid": os.getpid(), "isolation": iso.describe(), "full": iso.full,
                           "scratch": scratch})
    try:
        channel = socket.socket(fileno=args.fd_channel) if args.fd_channel >= 0 else None
        return serve(job, iso, scratch, proto_in, proto_out, warm_fd, channel, args.settle)
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def serve(job: Callable[[str, str], Any], iso: jail.Isolation, scratch: str, proto_in: int, proto_out: int,
          warm_fd: int = -1, channel: socket.socket | None = None, settle: float = 0.0) -> int:
    """Answer jobs until the grader closes our stdin. On Linux the next run's child is forked and confined while
    idle (warmed up with the last exercise's wrong variant when `warm_fd` holds them), so a job only sends it
    the learner's code; the child that answered is reaped after the answer (with `settle`, a learner's kernel: once
    the checker says it has judged it, or after `settle` seconds). With a `channel` (a Unix socket to
    the grader) a result's body is handed on as the run's memfd instead of being copied through pipes."""
    ready: spare.Spare | None = None
    while True:
        try:
            msg = read_json(proto_in)
            if msg.get("judged"):  # the checker has judged the last answer (see the wait below)
                continue
            source = read_source(proto_in)  # (a buffer wiped below: nothing of it for the next fork to find)
        except ChannelClosed:
            if ready is not None:
                spare.finish(ready, iso)
            return 0
        used, out = None, None
        try:
            limits, exercise = Limits.from_dict(msg["limits"]), msg["exercise"]
            if ready is not None and (ready.limits != limits or not spare.alive(ready)):
                spare.finish(ready, iso)
                ready = None
            used, ready = ready or spare.fork_spare(job, limits, iso, scratch, shared=channel is not None), None
            out = spare.run(used, exercise, source, iso)
        except Exception as e:  # noqa: BLE001 - the worker's own failure (fork failed, ...), not learner code
            traceback.print_exc()
            out = Outcome("error", detail=f"the worker could not run the job: {type(e).__name__}: {e}")
        shared = used is not None and used.shared >= 0 and out.status == "ok"
        answer(out, used.shared_fd if shared else -1, proto_out, channel)
        # The next child is forked from this process as it is now: nothing of this job (its code, its result)
        # may still be held by a name here, or learner code in that child could find it.
        wipe(source)
        msg = out = source = None
        if settle > 0:  # a learner's check: the CPU is the checker's while it judges this answer (it says when)
            select.select([proto_in], [], [], settle)
        try:
            if used is not None:
                spare.finish(used, iso)
                if host.linux():
                    warm = (exercise, warm_fd) if warm_fd >= 0 else None
                    ready = spare.fork_spare(job, limits, iso, scratch, warm, shared=channel is not None)
        except Exception:  # noqa: BLE001 - e.g. fork refused for a while: the next job forks its own child
            traceback.print_exc()


def answer(out: Outcome, shared_fd: int, proto_out: int, channel: socket.socket | None) -> None:
    """Send the grader the outcome's header, then its payload: as a frame, or (`shared_fd` >= 0) as the memfd
    holding it, over `channel`."""
    if shared_fd < 0 or channel is None:
        write_json(proto_out, out.header())
        write_frame(proto_out, out.payload)
        return
    write_json(proto_out, {**out.header(), "shared": os.fstat(shared_fd).st_size})
    socket.send_fds(channel, [b"S"], [shared_fd])


if __name__ == "__main__":
    sys.exit(main())
