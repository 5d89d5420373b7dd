"""`tutor grade SUBMISSIONS... --out DIR`: options, progress bar, one-line errors, exit status."""
from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from pathlib import Path
from typing import Any, TextIO

from ..sandbox.protocol import Limits


class GradeUsageError(ValueError):
    """Bad input from the instructor: one line, exit status 2."""


class Progress:
    """`grading 37/100 submissions [#####.....] 0:12 left` on stderr (a line per 10% when not a terminal)."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream, self.quiet = stream or sys.stderr, quiet
        self.tty = self.stream.isatty()
        self.start = time.monotonic()
        self.first: int | None = None
        self.last_step = -1

    def __call__(self, done: int, total: int) -> None:
        """Show `done` of `total` submissions finished, with an ETA from the rate so far."""
        if self.quiet or total == 0:
            return
        if self.first is None:
            self.first, self.start = done, time.monotonic()
        rate_done = done - self.first
        left = total - done
        eta = "--:--" if rate_done <= 0 else _clock((time.monotonic() - self.start) / rate_done * left)
        bar = "#" * int(20 * done / total) + "." * (20 - int(20 * done / total))
        line = f"grading {done}/{total} submissions [{bar}] {eta} left"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
            self.stream.flush()
        elif (step := 10 * done // total) != self.last_step:
            self.last_step = step
            print(line, file=self.stream, flush=True)


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds + 0.5), 60)
    return f"{m}:{s:02d}"


def parse_points(value: str | None, known: list[str]) -> dict[str, float]:
    """`--points lin_grad=2,relu=1` or a TOML file (`lin_grad = 2`, or the same under `[points]`)."""
    if not value:
        return {}
    if value.endswith(".toml"):
        try:
            import tomllib
        except ImportError:  # Python 3.10: the same parser, from PyPI (a dependency there)
            import tomli as tomllib
        try:
            data: dict[str, Any] = tomllib.loads(Path(value).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise GradeUsageError(f"--points {value}: cannot read it as TOML ({e})") from None
        data = data.get("points", data)
    else:
        data = {}
        for part in filter(None, value.split(",")):
            name, eq, num = part.partition("=")
            if not eq:
                raise GradeUsageError(f"--points: {part!r} is not NAME=POINTS (e.g. lin_grad=2)")
            data[name.strip()] = num.strip()
    points = {}
    for name, num in data.items():
        if name not in known:
            raise GradeUsageError(f"--points: unknown exercise {name!r}; known: {', '.join(known)}")
        try:
            points[name] = float(num)
        except (TypeError, ValueError):
            raise GradeUsageError(f"--points: {name} = {num!r} is not a number") from None
        if points[name] < 0:
            raise GradeUsageError(f"--points: {name} = {num} is negative")
    return points


def assignment_exercises(path: str, known: list[str]) -> list[str]:
    """The exercises of a released (or source) notebook, in its order."""
    from ..notebook import NotebookError, exercise_cells, read_notebook

    try:
        cells = exercise_cells(read_notebook(path))
    except NotebookError as e:
        raise GradeUsageError(f"--assignment: {e}") from None
    names = list(dict.fromkeys(c.exercise for c in cells))
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        what = f"unknown exercise(s) {', '.join(unknown)}" if unknown else "no `%%exercise NAME` cell"
        raise GradeUsageError(f"--assignment {path}: {what}; known exercises: {', '.join(known)}")
    return names


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `grade` subcommand to the `tutor` command's subparsers."""
    d = Limits()
    p = sub.add_parser("grade", help="grade a class's notebooks into a gradebook",
                       description="Grade submitted notebooks (and .py files) safely in parallel worker processes.")
    p.add_argument("submissions", nargs="+", help=".ipynb / .py files, or folders of them")
    p.add_argument("--out", required=True, metavar="DIR", help="folder for gradebook.sqlite, gradebook.csv, feedback/, ...")
    p.add_argument("--assignment", metavar="RELEASED.ipynb", help="the released notebook: its exercises are the ones expected")
    p.add_argument("--points", metavar="SPEC", help="points per exercise: lin_grad=2,relu=1 or a .toml file (default 1 each)")
    p.add_argument("--workers", type=int, metavar="N", help="parallel workers (default: the number of cores)")
    p.add_argument("--time", type=float, metavar="S", default=d.wall, help=f"wall-clock seconds per exercise (default {d.wall:g})")
    p.add_argument("--cpu", type=float, metavar="S", default=d.cpu, help=f"CPU seconds per exercise (default {d.cpu:g})")
    p.add_argument("--memory", type=int, metavar="MB", default=d.memory_mb, help=f"MB of memory per run (default {d.memory_mb})")
    p.add_argument("--processes", type=int, metavar="N", default=d.nproc, help=f"processes per run (default {d.nproc})")
    p.add_argument("--output-kb", type=int, metavar="KB", default=d.output_kb, help=f"printed output kept (default {d.output_kb})")
    p.add_argument("--plots", choices=("all", "failing", "none"), default="failing",
                   help="which feedback reports get gradient plots (slow to draw; default: failing ones)")
    p.add_argument("--partial", action="store_true",
                   help="partial credit: a share of an exercise's points per tensor right in every case")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--unsafe", action="store_true",
                   help="grade even where the sandbox's full isolation is not available (or not on Linux)")
    p.add_argument("--job", default=None, help=argparse.SUPPRESS)  # module:function run in workers (development)
    p.set_defaults(run=run_grade)
    return p


def run_grade(args: argparse.Namespace) -> int:
    """Run `tutor grade` from parsed arguments; returns the exit status."""
    from .collect import CollectError
    from .engine import Settings, grade
    from .gradebook import GradebookError
    from .overrides import OverrideError
    from .similar import stubs
    from ..sandbox.pool import IsolationRefused, WorkerError, default_workers
    from .summary import summary_text
    from ..exercises import names

    from ..sandbox.host import platform

    known = names()
    if platform() == "windows" or (platform() != "linux" and not args.unsafe):
        here = "Windows has no fork: grade in WSL or a Linux container" if platform() == "windows" else \
            "pass --unsafe to grade here in a partial sandbox (no namespaces: a submission can read and write " \
            "your files)"
        print(f"tutor grade: grading needs Linux, where learner code runs in a full sandbox (this is "
              f"{sys.platform}); {here}", file=sys.stderr)
        return 3
    try:
        if min(args.time, args.cpu) <= 0 or min(args.memory, args.processes, args.output_kb) <= 0:
            raise GradeUsageError("--time, --cpu, --memory, --processes and --output-kb must be positive")
        if args.workers is not None and args.workers < 1:
            raise GradeUsageError(f"--workers {args.workers}: expected 1 or more")
        limits = Limits(wall=args.time, cpu=args.cpu, memory_mb=args.memory, nproc=args.processes,
                        output_kb=args.output_kb)
        settings = Settings(limits=limits, workers=args.workers or default_workers(),
                            points=parse_points(args.points, known),
                            expected=assignment_exercises(args.assignment, known) if args.assignment else None)
        settings.plots = args.plots
        settings.unsafe = args.unsafe
        settings.announce = lambda line: print(f"isolation: {line}", flush=True)
        settings.partial, settings.stubs = args.partial, stubs(args.assignment)
        if args.job:
            settings.job = args.job
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise GradeUsageError(f"--out {args.out}: exists and is not a folder")
        out.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(out / "grader.log")
        logging.getLogger("tutor.grade").addHandler(handler)
        try:
            summary = grade(args.submissions, out, settings, Progress(quiet=args.quiet))
        finally:
            logging.getLogger("tutor.grade").removeHandler(handler)
            handler.close()
    except (GradeUsageError, CollectError, OverrideError) as e:
        print(f"tutor grade: {e}", file=sys.stderr)
        return 2
    except IsolationRefused as e:
        print(f"tutor grade: refusing to run learner code: {e} (pass --unsafe to grade anyway)", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print(f"\ntutor grade: interrupted; every verdict so far is saved in {Path(args.out) / 'gradebook.sqlite'}: "
              "run the same command again to grade the rest", file=sys.stderr)
        return 130
    except (WorkerError, GradebookError, OSError) as e:
        print(f"tutor grade: could not finish grading: {e} (results so far are saved; run again to resume)",
              file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - our own bug: one line here, the traceback in grader.log
        try:
            with open(Path(args.out) / "grader.log", "a", encoding="utf-8") as fh:
                traceback.print_exc(file=fh)
        except OSError:
            pass
        print(f"tutor grade: internal error: {type(e).__name__}: {e} (traceback in {args.out}/grader.log; "
              "results so far are saved)", file=sys.stderr)
        return 1
    print(f"graded {summary.submissions} submissions x {len(summary.exercises)} exercises "
          f"({', '.join(summary.exercises)}): {summary.passed}/{summary.total} passed; "
          f"{summary.graded_now} runs now, the rest from the gradebook; {summary.seconds:.1f} s")
    if summary.tally is not None:
        print(summary_text(summary.tally))
    for warning in summary.warnings:
        print(f"tutor grade: warning: {warning}", file=sys.stderr)
    print(f"wrote {out / 'scores.csv'}, {out / 'gradebook.csv'}, {out / 'summary.html'}, {out / 'similar.csv'}, "
          f"{out / 'feedback'}/, {out / 'gradescope'}/ (your scores and comments: {out / 'overrides.csv'})")
    return 0
