"""`check(exercise, submission)`: run learner code in a sandbox child, judge what came back, return a `CheckReport`."""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import torch

from .exercises import get, names
from .judge import judge
from .report import CheckReport
from .run import run_submission, source_of
from .run.source import source_or_none
from .sandbox import session
from .sandbox.handle import WorkerError
from .sandbox.protocol import Limits

def exercise_for(obj: Any) -> str:
    """The exercise a live definition belongs to, by its name (`Relu`, `ReLU` → `relu`; `mse_grad` → `mse`)."""
    from .run.entry import ALIASES, FREE_FORMS, plain

    name = getattr(obj, "__name__", "")
    for ex in names():
        entry = get(ex).entry
        is_class = isinstance(obj, type) or get(ex).style != "class"
        if name == entry or (is_class and plain(name) in ALIASES.get(entry, ())) or \
                plain(name) == plain(FREE_FORMS.get(entry, ("-",))[0]):
            return ex
    raise ValueError(f"cannot tell which exercise {name or obj!r} is for; name it: "
                     f"check(exercise, code) with exercise one of {', '.join(names())}")


def submission_source(submission: Any, exercise: str = "") -> str:
    """Source text of a submission: a string of code, a path to a .py file, or a live function/class (in a
    kernel: with the definitions it needs from the kernel's other cells)."""
    if isinstance(submission, os.PathLike):
        return Path(submission).read_text()
    if isinstance(submission, str):
        return submission
    try:
        from .kernel_cells import live_submission

        found = live_submission(submission, exercise or exercise_for(submission))
    except Exception:  # noqa: BLE001 - no kernel history to read: the definition's own source
        found = None
    if found:
        return found
    try:
        return source_of(submission)
    except (OSError, TypeError) as e:  # made by exec, a magic Python keeps no text of, a builtin...
        name = getattr(submission, "__name__", type(submission).__name__)
        raise ValueError(f"cannot read the code of {name} ({e}): pass it as a string, "
                         f"tutor.check({exercise or 'exercise'!r}, code), or define it in a plain cell") from None


def defined_in_kernel(entry: str) -> Any:
    """The kernel's own `entry` (`Relu`), for `tutor.check("relu")`; ValueError saying what to pass otherwise."""
    import sys

    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    found = shell.user_ns.get(entry) if shell is not None else None
    if found is None or not callable(found):
        raise ValueError(f"tutor.check needs your code: no `{entry}` is defined here. Pass it, "
                         f"`tutor.check({entry})`, or a string of code")
    return found


def saved_source(submission: Any, exercise: str) -> str | None:
    """The code a check of a live definition read (in a kernel: from its cells, where `inspect` finds no class
    source), to save as the code that passed for later notebooks to load; None when there is none."""
    try:
        return submission_source(submission, exercise)
    except (OSError, TypeError, ValueError):
        return source_or_none(submission)


def resolve(exercise: Any, submission: Any = None) -> tuple[str, str]:
    """(exercise name, source) of what `check` was given: `("lin_grad", code)`, `("relu", Relu)`, `(Relu,)` or, in
    a notebook, `("relu",)` (the notebook's own definition, as `%%exercise` would check it)."""
    if submission is None and not isinstance(exercise, str):
        exercise, submission = exercise_for(exercise), exercise
    ex = get(exercise)
    if submission is None:
        submission = defined_in_kernel(ex.entry)
    return ex.name, submission_source(submission, ex.name)


def check(exercise: Any, submission: Any = None, limits: Limits | None = None, warm_up: bool = True) -> CheckReport:
    """Check a submission for an exercise: `check("lin_grad", code)`, `check("relu", Relu)` or `check(Relu)`.

    The learner's code runs in a sandboxed child process (a fork of a worker that holds torch and the cases);
    only plain arrays come back, and the verdict is computed here, in this process. `warm_up=False` (one-off
    checks: `tutor check`) starts that worker without first running every exercise once."""
    name, source = resolve(exercise, submission)
    limits = limits or CHECK_LIMITS
    start = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: one thread is as fast idle and far faster on a busy machine
    try:
        report = _checked(name, source, limits, warm_up)
    finally:
        torch.set_num_threads(threads)
    report.seconds = time.perf_counter() - start
    return report


# A check in a notebook: a learner's endless loop ends in seconds, their prints are kept to a screenful or two.
CHECK_LIMITS = Limits(wall=10.0, cpu=10.0, memory_mb=2048, output_kb=16)


def _checked(exercise: str, source: str, limits: Limits, warm_up: bool) -> CheckReport:
    from .judge.outcome import grader_report, report_for

    if not session.available():
        if os.environ.get("TUTOR_IN_PROCESS") == "1":
            return _in_process(exercise, source, "TUTOR_IN_PROCESS=1 is set")
        report = _in_process(exercise, source, "this platform has no fork (Windows), so no sandbox child: your "
                             "code ran in the checker's own process")
        report.notes.append("your code ran in this process, not in a sandbox (Windows has no fork): an endless "
                            "loop or sys.exit in it stops the check itself")
        return report
    try:
        with session.lock():
            worker = session.worker(warm_up=warm_up)
            out = worker.run(exercise, source, limits)
            if out.status == "error":  # the worker itself failed (not the learner's child): once more, afresh
                worker = session.worker(warm_up=warm_up)
                out = worker.run(exercise, source, limits)
            isolation = worker.isolation
    except WorkerError as e:  # learner code never runs in this process where a sandbox exists: no verdict
        return grader_report(exercise, "error", f"The checker's sandbox could not start ({e}): your code was not "
                             "checked. Run the check again; if this persists, restart the kernel.")
    if out.status == "error":  # twice: say so, never a verdict on the learner's code
        return grader_report(exercise, "error", f"The checker's sandbox failed while running your code, twice "
                             f"({out.detail}): this is not your code's fault. Run the check again.")
    report = report_for(exercise, out, limits)
    session.judged(worker)  # (the worker reaps this run and readies the next only now: the judging had the CPU)
    report.output = out.output + ("\n[... the rest was cut off]" if out.output_cut else "")
    report.isolation = f"a sandboxed child process ({isolation})"
    return report


def _in_process(exercise: str, source: str, why: str) -> CheckReport:
    report = judge(exercise, run_submission(exercise, source))
    report.isolation = f"in-process: {why}"
    return report
