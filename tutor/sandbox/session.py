"""The sandbox worker of this process (a kernel, `tutor check`): started once, in the background when it can."""
from __future__ import annotations

import atexit
import os
import threading

from .handle import Worker

_worker: Worker | None = None
_lock = threading.RLock()


def available() -> bool:
    """Whether learner code can run in a sandbox child here (any host with fork: Linux, macOS); on Windows the
    check runs in-process."""
    from .host import platform

    return platform() != "windows" and os.environ.get("TUTOR_IN_PROCESS") != "1"


def worker(warm_up: bool = True) -> Worker:
    """This process's worker, started (or restarted, after it died) on demand; WorkerError if it cannot start.
    Hold `lock` while using it: one run at a time."""
    global _worker
    with _lock:
        if _worker is None:
            # A learner's own check serves with whatever isolation the machine allows (the report says which);
            # grading is where full isolation is required.
            _worker = Worker(0, warm_up=warm_up, require_full=False, warm_spares=True)
        if _worker.proc is None or _worker.proc.poll() is not None:
            _worker.start()
        elif not _worker.ready:
            _worker.wait_ready()
        return _worker


def judged(used: Worker) -> None:
    """Tell the worker its last answer is judged (it then reaps that run and readies the next), from a thread of
    its own: the worker's wake-up would take this CPU before the report is handed back (1-2 ms on two cores).
    Skipped when another run has started on it meanwhile (that one's judging is not done)."""
    runs = used.runs

    def tell() -> None:
        with _lock:
            if used.runs == runs:
                used.judged()
    threading.Thread(target=tell, daemon=True, name="tutor-judged").start()


def lock() -> threading.RLock:
    """The lock that serialises runs on this process's worker."""
    return _lock


def prestart() -> None:
    """Start the worker now, from the calling thread (a kernel's main thread: the worker dies with the thread
    that started it), and wait for it in the background: it imports torch and gets ready while the learner
    reads. It serves the first check as soon as it can run one (no warm-up of every exercise first): each idle
    run child warms itself up with the exercise checked last."""
    global _worker
    if not available():
        return
    with _lock:
        if _worker is not None and _worker.proc is not None and _worker.proc.poll() is None:
            return
        _worker = Worker(0, warm_up=False, require_full=False, warm_spares=True)
        try:
            _worker.spawn()
        except Exception:  # noqa: BLE001 - the first check starts it again and reports why
            return

    def wait() -> None:
        try:
            worker()
        except Exception:  # noqa: BLE001 - the first check starts it again and reports why
            pass
    threading.Thread(target=wait, daemon=True, name="tutor-sandbox-start").start()


def _stop_at_exit() -> None:
    """When this process ends: end its worker (its pipes and socket closed, it and its children gone), waiting a
    moment at most."""
    if _worker is None:
        return
    locked = _lock.acquire(timeout=2)  # (not while a 'judged' thread is still writing to it)
    try:
        _worker.stop(wait=1.0)
    except Exception:  # noqa: BLE001 - the process is ending anyway
        pass
    finally:
        if locked:
            _lock.release()


atexit.register(_stop_at_exit)
