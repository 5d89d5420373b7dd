"""The grader's side of the workers: start them once, feed them jobs in parallel, restart one that dies."""
from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from .handle import IsolationRefused, Worker, WorkerError
from .protocol import DEFAULT_JOB, Limits, Outcome

__all__ = ["Pool", "Task", "WorkerError", "IsolationRefused", "default_workers"]


@dataclass
class Task:
    """One exercise of one submission to run."""

    key: Any
    exercise: str
    source: str


_STOP = object()


class Pool:
    """N workers, each owned by one thread for its whole life (a worker dies with the thread that started it)."""

    def __init__(self, size: int, limits: Limits, job: str = DEFAULT_JOB, log: Path | None = None,
                 require_full: bool = True) -> None:
        self.size, self.limits, self.job, self.log = max(1, size), limits, job, log
        self.require_full = require_full
        self.failed: list[tuple[Task, str]] = []  # runs the workers failed twice (grader-side): not verdicts
        self.tasks: queue.Queue[Any] = queue.Queue()
        self.done: queue.Queue[Any] = queue.Queue(maxsize=2 * self.size)  # outcomes hold results: bounded
        self.threads: list[threading.Thread] = []
        self.isolation = ""

    def start(self) -> None:
        """Start every worker; raise WorkerError with the first one's reason when any cannot start."""
        started: queue.Queue[Any] = queue.Queue()
        for slot in range(self.size):
            t = threading.Thread(target=self._serve, args=(slot, started), daemon=True, name=f"grade-worker-{slot}")
            t.start()
            self.threads.append(t)
        for _ in range(self.size):
            ok = started.get()
            if isinstance(ok, Exception):
                self.close()
                raise ok
            self.isolation = ok

    def _serve(self, slot: int, started: queue.Queue[Any]) -> None:
        worker = Worker(slot, self.job, self.log, require_full=self.require_full)
        try:
            worker.start()
        except BaseException as e:  # noqa: BLE001 - whatever stops a worker, start() must hear of it, never wait
            started.put(e if isinstance(e, WorkerError) else WorkerError(f"grading worker {slot} could not start: "
                                                                         f"{type(e).__name__}: {e}"))
            return
        started.put(worker.isolation)
        try:
            while (task := self.tasks.get()) is not _STOP:
                try:
                    out = worker.run(task.exercise, task.source, self.limits)
                    if out.status == "error":  # the worker's failure (killed from outside, ...): once more
                        worker.start()
                        out = worker.run(task.exercise, task.source, self.limits)
                    self.done.put((task, out))  # judged by the caller: this worker goes straight on
                except BaseException as e:  # noqa: BLE001 - handed to the main thread, which stops cleanly
                    self.done.put((task, e))
        finally:
            worker.stop()

    def map(self, tasks: Iterable[Task], handle: Callable[[Task, Outcome], Any]) -> Iterator[tuple[Task, Any]]:
        """Run tasks in parallel; yield `(task, handle(task, outcome))` as each finishes. `handle` runs in the
        calling thread while the workers go on with the next tasks; a pool failure is re-raised here. A run the
        workers failed twice (status `error`) is not handed to `handle`: it goes to `self.failed`."""
        n = 0
        for task in tasks:
            self.tasks.put(task)
            n += 1
        for _ in range(n):
            task, result = self.done.get()
            if isinstance(result, BaseException):
                raise result
            if result.status == "error":
                self.failed.append((task, result.detail))
                continue
            yield task, handle(task, result)

    def close(self) -> None:
        """Stop every worker and wait for their threads."""
        while not self.tasks.empty():  # drop what was not started (after an error)
            try:
                self.tasks.get_nowait()
            except queue.Empty:
                break
        for _ in self.threads:
            self.tasks.put(_STOP)
        deadline = time.monotonic() + 60
        for t in self.threads:
            while t.is_alive() and time.monotonic() < deadline:
                try:  # a thread may be waiting to hand over an outcome nobody will read now
                    self.done.get_nowait()
                except queue.Empty:
                    pass
                t.join(timeout=0.1)
        self.threads = []


def default_workers() -> int:
    """How many workers by default: the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
