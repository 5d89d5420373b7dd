"""The `tutor` command: `tutor check EXERCISE FILE [--json]`, `tutor list` (and grading verbs)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import exercises


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


def _check(args: argparse.Namespace) -> int:
    if args.exercise not in exercises.names():
        exercises.get(args.exercise)  # (raises: unknown exercise, and which are known)
    path = Path(args.file)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read {args.file}: {e.strerror or e}") from None
    from .sandbox.session import prestart

    prestart()  # its sandbox worker imports torch while this process does (bench/first_cell_bench.py)
    ex = exercises.get(args.exercise)
    from .notebook import NotebookError, notebook_source, python_source, read_notebook

    try:  # a notebook: every code cell (the learner's definitions from anywhere in it)
        source = notebook_source(read_notebook(path)) if path.suffix == ".ipynb" else python_source(raw, path)
    except NotebookError as e:
        raise UsageError(str(e)) from None
    from .checker import check
    from .run.entry import excerpt

    report = check(ex.name, excerpt(source, ex), warm_up=False)
    if report.codes[:1] == ["not-defined"]:
        cell = f"has no `%%exercise {ex.name}` cell and " if path.suffix == ".ipynb" else ""
        raise UsageError(f"{args.file} {cell}defines no `{ex.entry}` (needed by exercise {ex.name})")
    print(report.to_json(indent=2) if args.json else str(report))
    return 0 if report.passed else 1


def _list(args: argparse.Namespace) -> int:
    width = max(map(len, exercises.names()))
    for name in exercises.names():
        print(f"{name:{width}}  {_title(name)}")
    return 0


def _title(name: str) -> str:
    """An exercise's title read from its spec file without importing it (importing loads torch: slow)."""
    import ast
    import importlib.util

    spec = importlib.util.find_spec(f"{exercises.__name__}.{name}")
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "title" and isinstance(node.value, ast.Constant):
                return str(node.value.value)
    except (OSError, SyntaxError, TypeError, AttributeError):
        pass
    return exercises.get(name).title  # a title that is not a plain string in the file


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every `tutor` verb."""
    parser = argparse.ArgumentParser(prog="tutor", description="Check backprop-from-scratch exercises.")
    sub = parser.add_subparsers(dest="verb", required=True)
    p = sub.add_parser("check", help="check a file's definition for an exercise")
    p.add_argument("exercise", help="exercise name (see `tutor list`)")
    p.add_argument("file", help="a .py file (or a notebook with a %%%%exercise cell)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(run=_check)
    p = sub.add_parser("list", help="list the exercises")
    p.set_defaults(run=_list)
    for module in ("tutor.grade.cli", "tutor.release", "tutor.gradescope.cli"):
        try:
            mod = __import__(module, fromlist=["add_parser"])
        except ImportError:
            continue
        if hasattr(mod, "add_parser"):
            mod.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, exercises.UnknownExercise) as e:
        print(f"tutor: {e}", file=sys.stderr)
        if getattr(args, "json", False):  # `--json` prints exactly one JSON object, always
            import json

            print(json.dumps({"error": str(e), "passed": False}))
        return 2
    except BrokenPipeError:  # `tutor check ... | head`: the reader left; not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        print("tutor: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
