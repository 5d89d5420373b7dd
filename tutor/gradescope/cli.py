"""`tutor gradescope ASSIGNMENT.ipynb --out autograder.zip`: an autograder for Gradescope."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

VISIBILITY = ("visible", "after_due_date", "after_published", "hidden")


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `gradescope` subcommand to the `tutor` command's subparsers."""
    p = sub.add_parser("gradescope", help="write an autograder zip for Gradescope",
                       description="Write Gradescope's autograder zip (setup.sh, run_autograder, the tutor package) "
                                   "that grades each submission as `tutor grade` does.")
    p.add_argument("assignment", metavar="ASSIGNMENT.ipynb", help="the released notebook: its exercises are graded")
    p.add_argument("--out", required=True, metavar="ZIP", help="the zip to write, e.g. autograder.zip")
    p.add_argument("--points", metavar="SPEC",
                   help="points per exercise: lin_grad=2,relu=1 or a .toml file (default 1 each)")
    p.add_argument("--partial", action="store_true",
                   help="partial credit: a share of an exercise's points per tensor right in every case")
    p.add_argument("--visibility", choices=VISIBILITY, default="visible",
                   help="when students see the results on Gradescope (default: visible)")
    p.add_argument("--time", type=float, metavar="S", default=20.0,
                   help="wall-clock seconds per exercise (default 20: Gradescope's half a CPU is slow)")
    p.add_argument("--cpu", type=float, metavar="S", default=5.0, help="CPU seconds per exercise (default 5)")
    p.add_argument("--memory", type=int, metavar="MB", default=96,
                   help="MB per run on top of the worker's own (default 96: the grader and its worker peak at about "
                        "690 MB of Gradescope's default 768 MB; raise both together)")
    p.add_argument("--require-isolation", action="store_true",
                   help="refuse to grade where the sandbox's namespaces are not available (by default the "
                        "container is the sandbox and the limits are enough)")
    p.set_defaults(run=run_gradescope)
    return p


def run_gradescope(args: argparse.Namespace) -> int:
    """Write the zip from parsed arguments; returns the exit status."""
    from ..exercises import names
    from ..grade.cli import GradeUsageError, assignment_exercises, parse_points
    from .bundle import AutograderConfig, write_zip

    known = names()
    try:
        if min(args.time, args.cpu, args.memory) <= 0:
            raise GradeUsageError("--time, --cpu and --memory must be positive")
        if not Path(args.assignment).is_file():
            raise GradeUsageError(f"{args.assignment}: no such file")
        exercises = assignment_exercises(args.assignment, known)
        points = parse_points(args.points, known)
        unknown = [ex for ex in points if ex not in exercises]
        if unknown:
            raise GradeUsageError(f"--points: {', '.join(unknown)} is not an exercise of {args.assignment} "
                                  f"({', '.join(exercises)})")
        out = Path(args.out)
        if out.suffix != ".zip":
            raise GradeUsageError(f"--out {args.out}: expected a .zip file name")
        if out.is_dir():
            raise GradeUsageError(f"--out {args.out}: is a folder; expected a .zip file name")
        config = AutograderConfig(exercises, {ex: points.get(ex, 1.0) for ex in exercises},
                                  {"time": args.time, "cpu": args.cpu, "memory": args.memory}, args.partial,
                                  args.visibility, unsafe=not args.require_isolation)
        out.parent.mkdir(parents=True, exist_ok=True)
        names_in_zip = write_zip(out, Path(args.assignment), config)
    except GradeUsageError as e:
        print(f"tutor gradescope: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"tutor gradescope: cannot write {args.out}: {e.strerror or e}", file=sys.stderr)
        return 1
    total = sum(config.points.values())
    print(f"wrote {out} ({len(names_in_zip)} files): grades {', '.join(exercises)} out of {total:g} points"
          f"{' with partial credit' if args.partial else ''}. Upload it as the assignment's autograder on "
          "Gradescope (Configure Autograder > Zip file upload, Ubuntu 22.04 or later base image).")
    return 0
