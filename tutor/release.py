"""`tutor release SOURCE.ipynb OUT.ipynb`: the student version of an instructor's notebook, solutions removed."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from .notebook import NotebookError, cell_source, parse_magic, read_notebook

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
PLACEHOLDER = "# YOUR CODE HERE"


class ReleaseError(ValueError):
    """A source notebook that cannot be released, with the cell and line at fault."""


def _placeholder(indent: str) -> str:
    return f"{indent}{PLACEHOLDER}\n{indent}raise NotImplementedError()\n"


def strip_solutions(source: str, stub: str | None = None) -> tuple[str, int]:
    """Replace each BEGIN/END SOLUTION region; return (new source, regions replaced). When the regions are the
    whole code (only blank lines or the magic line outside them) and a stub is given, the code becomes the stub."""
    lines = source.splitlines(keepends=True)
    out: list[str] = []
    outside: list[str] = []
    start: int | None = None
    regions = 0
    for no, line in enumerate(lines, 1):
        mark = line.strip()
        if mark.startswith(BEGIN):
            if start is not None:
                raise ReleaseError(f"line {no}: `{BEGIN}` inside the solution opened on line {start}")
            start = no
            indent = line[: len(line) - len(line.lstrip())]
        elif mark.startswith(END):
            if start is None:
                raise ReleaseError(f"line {no}: `{END}` without a `{BEGIN}` before it")
            out.append(_placeholder(indent))
            start, regions = None, regions + 1
        elif start is None:
            out.append(line if line.endswith("\n") or no < len(lines) else line + "\n")
            outside.append(line)
    if start is not None:
        raise ReleaseError(f"line {start}: `{BEGIN}` without a `{END}` after it")
    if regions and stub is not None and all(not s.strip() or s.lstrip().startswith("%%") for s in outside):
        magic = [s for s in outside if s.lstrip().startswith("%%")]
        return "".join(magic) + stub, regions
    return "".join(out).rstrip("\n"), regions


def release(nb: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The released notebook (solutions replaced, outputs stripped) and the exercises it holds."""
    from .exercises import UnknownExercise, get

    exercises = []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        source = cell_source(cell)
        parsed = parse_magic(source)
        stub = None
        if parsed is not None:
            try:
                stub = get(parsed[0]).stub
            except UnknownExercise as e:
                raise ReleaseError(f"cell {i}: `%%exercise {parsed[0]}`: {e}") from None
            exercises.append(parsed[0])
        where = f"cell {i}" + (f" (%%exercise {parsed[0]})" if parsed else "")
        try:
            cell["source"], _ = strip_solutions(source, stub)
        except ReleaseError as e:
            raise ReleaseError(f"{where}: {e}") from None
        cell["outputs"], cell["execution_count"] = [], None
    return nb, exercises


def run_release(args: argparse.Namespace) -> int:
    """`tutor release` from parsed arguments; returns the exit status."""
    src, dst = Path(args.source), Path(args.out)
    try:
        if dst.exists() and dst.resolve() == src.resolve():
            raise ReleaseError("OUT is the source notebook: releasing would overwrite the solutions")
        nb, exercises = release(read_notebook(src))
        text = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
        if BEGIN in text or END in text:
            raise ReleaseError("a solution marker is left outside code cells (markdown or raw cells?)")
        dst.parent.mkdir(parents=True, exist_ok=True)
        dst.write_text(text, encoding="utf-8")
    except (NotebookError, ReleaseError, OSError) as e:
        where = "" if isinstance(e, NotebookError) else f"{src}: "
        print(f"tutor release: {where}{e}", file=sys.stderr)
        return 2
    print(f"released {dst} with exercises: {', '.join(exercises) or '(none)'}")
    return 0


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """Add the `release` subcommand to the `tutor` command's subparsers."""
    p = sub.add_parser("release", help="make the student version of a notebook (solutions removed)",
                       description=f"Replace code between `{BEGIN}` and `{END}` with the exercise's stub "
                                   f"(or `{PLACEHOLDER}`) and strip outputs.")
    p.add_argument("source", help="the instructor's notebook, with solutions")
    p.add_argument("out", help="where to write the student notebook")
    p.set_defaults(run=run_release)
    return p
