"""Read notebooks robustly and find their `%%exercise NAME` cells (shared by `release` and `grade`)."""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAGIC = "%%exercise"


def entry_names() -> dict[str, str]:
    """Exercise -> the name its code must define (`relu` -> `Relu`), for `.py` submissions."""
    from .exercises import get, names

    return {n: get(n).entry for n in names()}


class NotebookError(ValueError):
    """A file that is not a readable notebook (or script), with a one-line reason naming it."""


@dataclass
class ExerciseCell:
    """One `%%exercise NAME` cell: the exercise it answers, the learner's code under the magic line, where."""

    exercise: str
    source: str  # the learner's code: the cell below its magic line (a `.py` file: the whole file)
    index: int  # cell index in the notebook (-1 for a `.py` file)


def cell_source(cell: dict[str, Any]) -> str:
    """A cell's source as one string (nbformat stores it as a string or a list of lines)."""
    src = cell.get("source", "")
    if isinstance(src, list):
        if not all(isinstance(s, str) for s in src):
            raise NotebookError("a cell's source is a list holding non-strings")
        return "".join(src)
    if not isinstance(src, str):
        raise NotebookError(f"a cell's source is a {type(src).__name__}, expected a string or a list of strings")
    return src


def read_notebook(path: str | Path, data: bytes | None = None) -> dict[str, Any]:
    """Parse a notebook's JSON into a dict, raising NotebookError with a one-line reason when it is not one."""
    path = Path(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise NotebookError(f"{path}: cannot read ({e.strerror or e})") from None
    try:
        nb = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as e:
        raise NotebookError(f"{path}: not UTF-8 text (byte {e.start}), expected notebook JSON") from None
    except json.JSONDecodeError as e:
        raise NotebookError(f"{path}: not valid notebook JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        got = type(nb).__name__ if not isinstance(nb, dict) else f"keys {sorted(nb)[:5]}"
        raise NotebookError(f"{path}: JSON without a 'cells' list (got {got}), expected a Jupyter notebook")
    for i, cell in enumerate(nb["cells"]):
        if not isinstance(cell, dict) or not isinstance(cell.get("cell_type"), str):
            raise NotebookError(f"{path}: cell {i} is not a notebook cell object")
        try:
            cell_source(cell)
        except NotebookError as e:
            raise NotebookError(f"{path}: cell {i}: {e}") from None
    return nb


def parse_magic(source: str) -> tuple[str, str] | None:
    """`(NAME, body)` when the source's first non-blank line is `%%exercise NAME` (NAME lower-cased), else None."""
    lines = source.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        words = line.split()
        if words[0] != MAGIC:
            return None
        name = words[1].lower() if len(words) > 1 else ""  # as the magic does: `%%exercise Relu` checks relu
        return name, "".join(lines[i + 1:])
    return None


def exercise_cells(nb: dict[str, Any]) -> list[ExerciseCell]:
    """Every `%%exercise NAME` code cell in notebook order."""
    found = []
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        parsed = parse_magic(cell_source(cell))
        if parsed is not None:
            found.append(ExerciseCell(parsed[0], parsed[1], i))
    return found


def script_exercises(path: str | Path, data: bytes | None = None) -> list[ExerciseCell]:
    """The exercises a `.py` file defines (by top-level name); the whole file is the source of each."""
    path = Path(path)
    try:
        text = (path.read_bytes() if data is None else data).decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise NotebookError(f"{path}: cannot read as UTF-8 Python source ({e})") from None
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError:
        # It still answers every exercise it seems to name; running it reports the syntax error per exercise.
        return [ExerciseCell(ex, text, -1) for ex, entry in entry_names().items() if entry in text]
    except ValueError as e:  # null bytes
        raise NotebookError(f"{path}: not Python source ({e})") from None
    defined = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.Assign):
            defined.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            defined.update((a.asname or a.name).split(".")[0] for a in node.names)
    return [ExerciseCell(ex, text, -1) for ex, entry in entry_names().items() if entry in defined]


def submission_exercises(path: str | Path, data: bytes | None = None) -> dict[str, ExerciseCell]:
    """Exercise name -> its cell for a `.ipynb` or `.py` submission (the last cell wins when one is repeated)."""
    path = Path(path)
    cells = script_exercises(path, data) if path.suffix == ".py" else exercise_cells(read_notebook(path, data))
    return {c.exercise: c for c in cells}
