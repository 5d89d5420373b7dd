"""`check(exercise, submission)`: run learner code, judge it, return a `CheckReport`."""
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

_BY_ENTRY = {"lin_grad": "lin_grad", "Relu": "relu", "Mse": "mse", "Lin": "lin"}


def exercise_for(obj: Any) -> str:
    """The exercise a live definition belongs to, by its name (`Relu` → `relu`)."""
    name = getattr(obj, "__name__", "")
    if name not in _BY_ENTRY:
        raise ValueError(f"cannot tell which exercise {name or obj!r} is for; name it: "
                         f"check(exercise, code) with exercise one of {', '.join(names())}")
    return _BY_ENTRY[name]


def submission_source(submission: Any) -> str:
    """Source text of a submission: a string of code, a path to a .py file, or a live function/class."""
    if isinstance(submission, os.PathLike):
        return Path(submission).read_text()
    if isinstance(submission, str):
        return submission
    return source_of(submission)


def check(exercise: Any, submission: Any = None) -> CheckReport:
    """Check a submission for an exercise: `check("lin_grad", code)`, `check("relu", Relu)` or `check(Relu)`."""
    if submission is None and not isinstance(exercise, str):
        exercise, submission = exercise_for(exercise), exercise
    ex = get(exercise)
    source = submission_source(submission)
    start = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small matrices: one thread is as fast idle and far faster on a busy machine
    try:
        report = judge(ex.name, run_submission(ex.name, source))
    finally:
        torch.set_num_threads(threads)
    report.seconds = time.perf_counter() - start
    return report
