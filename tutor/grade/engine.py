"""Grade a class: collect submissions, skip what the gradebook has, run the rest on the workers, export."""
from __future__ import annotations

import hashlib
import json
import os
import time
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..exercises import get
from ..report import CheckReport
from .collect import CollectError, Submission, collect
from .exports import Graded, Scoring, write_all
from .gradebook import Gradebook, GradebookError, Row
from .memo import VerdictMemo
from .names import students
from .overrides import read_overrides, unmatched
from .summary import ClassTally
from ..sandbox.pool import Pool, Task, WorkerError, default_workers
from ..sandbox.protocol import Limits, Outcome
from ..judge.outcome import grader_report, report_for
from ..sandbox.protocol import DEFAULT_JOB

log = logging.getLogger("tutor.grade")


@dataclass
class Settings:
    """Everything `tutor grade` can be told besides the submissions and --out."""

    limits: Limits = field(default_factory=Limits)
    workers: int = field(default_factory=default_workers)
    points: dict[str, float] = field(default_factory=dict)  # exercise -> points (default 1)
    expected: list[str] | None = None  # the assignment's exercises; None: every exercise seen in a submission
    job: str = DEFAULT_JOB
    plots: str = "failing"  # which feedback reports get gradient plots: all | failing | none
    unsafe: bool = False  # grade even when the sandbox's full isolation is not available here
    announce: Callable[[str], None] = lambda line: None  # told the isolation in force before any code runs
    partial: bool = False  # a share of an exercise's points per tensor right in every case
    stubs: dict[str, str] = field(default_factory=dict)  # the released code per exercise (not flagged as identical)


@dataclass
class Summary:
    """What one grading run did."""

    submissions: int
    exercises: list[str]
    graded_now: int  # exercise runs done in this run (the rest came from the gradebook)
    passed: int  # (submission, exercise) pairs that passed
    total: int  # (submission, exercise) pairs
    seconds: float
    isolation: str = ""
    written: list[Path] = field(default_factory=list)
    tally: ClassTally | None = None  # per exercise: passes and the mistakes made (summary.html)
    warnings: list[str] = field(default_factory=list)  # e.g. overrides.csv rows that match nothing


def config_key(limits: Limits, plots: str = "failing") -> str:
    """What a stored verdict depends on besides the file: the limits, the plots setting, the checker itself (its
    code and data, and torch's version): a gradebook graded by another checker is graded again, not reused."""
    key = json.dumps([checker_digest(), limits.to_dict(), plots], sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def checker_digest() -> str:
    """A digest of every file of the tutor package (code and MNIST data, ~1.5 MB: a few ms) and torch's version:
    the package's version number stays the same from one commit to the next."""
    from importlib.metadata import PackageNotFoundError, version

    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".npz", ".json")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    try:
        digest.update(version("torch").encode())
    except PackageNotFoundError:
        pass
    return digest.hexdigest()


def render_html(report: CheckReport, plots: str = "failing", figures: str | None = None) -> str:
    """The report as the widget's static HTML; gradient plots (slow to draw) for `plots` = all | failing | none.

    `figures`: those plots already drawn for an identical report (see `plots_fragment`)."""
    from ..render.html import render_html as render

    return render(report, plots=False, figures=plots_fragment(report, plots) if figures is None else figures)


def plots_fragment(report: CheckReport, plots: str = "failing") -> str:
    """The report's gradient plots as an HTML fragment ('' when `plots` says none are drawn for it)."""
    from ..render.focus import plotted
    from ..render.html import plots_html

    draw = plots == "all" or (plots == "failing" and not report.passed)
    return plots_html(plotted(report)) if draw and report.samples else ""


def _stored(book: Gradebook, sha: str, exercise: str) -> Row:
    row = book.get(sha, exercise)
    if row is None:  # cannot happen after a completed _run; said plainly if it ever does
        raise GradebookError(f"no verdict stored for {exercise} of submission {sha[:12]}")
    return row


def expected_exercises(subs: list[Submission], settings: Settings, known: list[str]) -> list[str]:
    """The assignment's exercises, else every exercise any submission answers (in lesson order)."""
    if settings.expected is not None:
        return list(settings.expected)
    # an `%%exercise` cell says what is asked; a plain definition (a notebook's own `class Model`) only answers
    seen = {ex for s in subs for ex in s.cells if ex not in s.plain} or {ex for s in subs for ex in s.cells}
    return [ex for ex in known if ex in seen]


_JUDGE_LOCK = threading.Lock()  # CPython's compile() and matplotlib are not safe from several threads at once


def verdict(task: Task, out: Outcome, limits: Limits, plots: str) -> tuple[CheckReport, str]:
    """Judge one outcome (runs in a pool thread); a checker failure on odd data is a `crashed` verdict."""
    with _JUDGE_LOCK:
        return _verdict(task, out, limits, plots)


# Identical results (the same mistake in other words) are judged and drawn once; TUTOR_GRADE_MEMO=0 turns it off
# (bench/grade_bench.py --no-memo-too times the case where no two results are alike).
_MEMO = VerdictMemo(256 if os.environ.get("TUTOR_GRADE_MEMO", "") != "0" else 0)


def _verdict(task: Task, out: Outcome, limits: Limits, plots: str) -> tuple[CheckReport, str]:
    key = _MEMO.key(task.exercise, out, limits, plots)
    hit = _MEMO.get(key)
    if hit is not None:
        report, figures = hit
    else:
        try:
            report = report_for(task.exercise, out, limits)
        except Exception as e:  # noqa: BLE001 - learner-shaped data the judge could not handle
            log.exception("judging %s failed", task.exercise)
            report = grader_report(task.exercise, "crashed", f"the checker could not judge what your code handed "
                                   f"back ({type(e).__name__}: {e})")
        figures = plots_fragment(report, plots)
        _MEMO.put(key, report, figures)
    report.seconds = out.wall
    return report, render_html(report, plots, figures)


def grade(paths: list[str], out: Path, settings: Settings,
          progress: Callable[[int, int], None] = lambda done, total: None) -> Summary:
    """Grade every submission under `paths` into the gradebook under `out`, then write the exports."""
    from ..exercises import names

    start = time.monotonic()
    known = names()
    subs = collect(paths, set(known))
    if not subs:
        raise CollectError(f"no .ipynb or .py submissions found in {' '.join(paths)}")
    expected = expected_exercises(subs, settings, known)
    if not expected:
        raise CollectError("no `%%exercise NAME` cell found in any submission; pass --assignment RELEASED.ipynb "
                           "to say which exercises to expect")
    out.mkdir(parents=True, exist_ok=True)
    overrides = read_overrides(out / "overrides.csv")  # before grading: a bad row stops the run with its line
    book = Gradebook(out / "gradebook.sqlite", config_key(settings.limits, settings.plots))
    try:
        graded_now, isolation = _run(subs, expected, book, settings, out, progress)
        scoring = Scoring({ex: settings.points.get(ex, 1.0) for ex in expected}, settings.partial, overrides,
                          settings.stubs)
        who = students([s.label for s in subs])
        results = (Graded(s.label, {ex: _stored(book, s.sha, ex) for ex in expected},
                          {ex: s.cells.get(ex) for ex in expected}, who[s.label]) for s in subs)
        tally, written = write_all(out, results, scoring)
    finally:
        book.close()
    return Summary(len(subs), expected, graded_now, tally.passed, len(subs) * len(expected),
                   time.monotonic() - start, isolation, written, tally,
                   unmatched(overrides, [s.label for s in subs], expected))


def _run(subs: list[Submission], expected: list[str], book: Gradebook, settings: Settings, out: Path,
         progress: Callable[[int, int], None]) -> tuple[int, str]:
    """Store grader verdicts (malformed, missing) and run every exercise not in the gradebook yet."""
    done = book.done()
    # Identical code for an exercise is run once, whichever files it came from (runs are deterministic).
    pending: dict[tuple[str, str], list[int]] = {}  # (exercise, code hash) -> submissions waiting on it
    tasks: list[Task] = []
    for i, sub in enumerate(subs):
        for ex in expected:
            if (sub.sha, ex) in done:
                continue
            if sub.malformed or ex not in sub.cells:
                code, msg = ("malformed", f"The notebook could not be read: {sub.malformed}") if sub.malformed \
                    else ("missing", f"No `%%exercise {ex}` cell and no definition of `{get(ex).entry}` (or a name "
                          "like it) was found in your notebook.")
                r = grader_report(ex, code, msg)
                book.put(sub.sha, ex, False, r.codes, r.to_dict(), str(r), render_html(r), 0.0)
                done.add((sub.sha, ex))
                continue
            program = sub.programs.get(ex, sub.cells[ex])  # the cells its check needs, by the rule of tutor.run.program
            key = (ex, hashlib.sha256(program.encode()).hexdigest())
            if key not in pending:
                pending[key] = []
                tasks.append(Task(key, ex, program))
            if i not in pending[key]:
                pending[key].append(i)
    waiting = [0] * len(subs)
    for idxs in pending.values():
        for i in idxs:
            waiting[i] += 1
    finished = sum(w == 0 for w in waiting)
    progress(finished, len(subs))
    if not tasks:
        return 0, ""
    import torch

    torch.set_num_threads(1)  # judging beside busy workers: one thread each is faster on a loaded machine
    pool = Pool(min(settings.workers, len(tasks)), settings.limits, settings.job, log=out / "workers.log",
                require_full=not settings.unsafe)
    pool.start()  # IsolationRefused here, before any submission runs, unless settings.unsafe
    settings.announce(pool.isolation)
    try:
        for task, (report, page) in pool.map(tasks, lambda t, o: verdict(t, o, settings.limits, settings.plots)):
            stored = {subs[i].sha for i in pending[task.key]}
            for sha in stored:
                book.put(sha, task.exercise, report.passed, report.codes, report.to_dict(), str(report), page,
                         report.seconds)
            for i in pending[task.key]:
                waiting[i] -= 1
                finished += waiting[i] == 0
            progress(finished, len(subs))
        if pool.failed:  # not stored: the next run does them again
            task, why = pool.failed[0]
            raise WorkerError(f"{len(pool.failed)} run(s) were not graded because the grader failed, not the "
                              f"students' code ({task.exercise}: {why})")
    finally:
        pool.close()
    return len(tasks), pool.isolation
