"""Read notebooks robustly and find their `%%exercise NAME` cells (shared by `release` and `grade`)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .exercises import canonical

MAGIC = "%%exercise"


def entry_names() -> dict[str, str]:
    """Exercise -> the name its code must define (`relu` -> `Relu`), for `.py` submissions."""
    from .exercises import get, names

    return {n: get(n).entry for n in names()}


class NotebookError(ValueError):
    """A file that is not a readable notebook (or script), with a one-line reason naming it."""


@dataclass
class ExerciseCell:
    """One exercise a hand-in answers: its `%%exercise NAME` cell (or plain definition), the code, where."""

    exercise: str
    source: str  # the learner's code: the cell below its magic line (a `.py` file: the whole file)
    index: int  # cell index in the notebook (-1 for a `.py` file)
    program: str = ""  # what its check runs: the cells of the notebook (or file) the definition needs
    plain: bool = False  # found by its definition alone: no `%%exercise NAME` cell


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
    if not data.strip():
        said = "the file is empty (0 bytes)" if not data else "the file holds only blank space"
        raise NotebookError(f"{path}: {said}, expected notebook JSON: was it saved before it was handed in?")
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
        name = canonical(words[1]) if len(words) > 1 else ""  # as the magic does: `%%exercise Relu` checks relu
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


_LESSON = ("torch", "tensor", "Module", "lin", "relu", "mse")  # names the lesson's namespace starts with


def notebook_source(nb: dict[str, Any]) -> str:
    """Every code cell of a notebook as one source, each after a `# %% cell N` marker (N counts all cells from 1):
    the text a check reads the learner's definitions from, by the rule of `tutor.run.program`."""
    return "".join(f"# %% cell {i + 1}\n{cell_source(c).rstrip()}\n"
                   for i, c in enumerate(nb["cells"]) if c.get("cell_type") == "code")


def answered(source: str) -> list[ExerciseCell]:
    """The exercises a source answers (a notebook's `notebook_source`, a `.py` file, a "Save as Python" export):
    those with a `%%exercise NAME` cell and those whose definition it holds without one (`Relu`, `MSE`,
    `relu_grad`...). Each comes with its code and the excerpt of the source its check runs."""
    from .exercises import get, names
    from .run.entry import excerpt, find_entry
    from .run.needs import definitions_of
    from .run.program import build

    prog = build(source)
    if len(prog.cells) == 1 and prog.cells[0].error is not None:
        # It still answers every exercise it seems to name; running it reports the syntax error per exercise.
        return [ExerciseCell(n, source, -1, source) for n in names() if get(n).entry in source]
    found = []
    for name in names():
        ex = get(name)
        entry, _ = find_entry(prog, ex)
        magic = [c for c in prog.cells if c.exercise == name]
        if not entry and not magic:
            if ex.entry in prog.kinds and ex.entry not in _LESSON:  # bound, but not to a definition: a verdict says so
                found.append(ExerciseCell(name, source, -1, source))
            continue
        cell = definitions_of(prog, entry)[-1].cell if definitions_of(prog, entry) else magic[-1]
        code = cell.text  # (an `%%exercise` cell's body: the magic line is not part of it)
        index = int(cell.label[5:]) - 1 if cell.label[5:].isdigit() else -1
        found.append(ExerciseCell(name, code if prog.has_cells else source, index, excerpt(prog, ex),
                                  plain=prog.has_cells and not magic))
    return found


def script_exercises(path: str | Path, data: bytes | None = None) -> list[ExerciseCell]:
    """The exercises a `.py` file answers (its definitions, or an export's `%%exercise` cells)."""
    path = Path(path)
    try:
        raw = path.read_bytes() if data is None else data
    except OSError as e:
        raise NotebookError(f"{path}: cannot read ({e.strerror or e})") from None
    return answered(python_source(raw, path))


def python_source(raw: bytes, path: str | Path) -> str:
    """A .py file's text as Python reads it (PEP 263: UTF-8 unless a `# -*- coding: latin-1 -*-` line says
    otherwise; a BOM is dropped); NotebookError when Python could not read it either."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)
    except (UnicodeDecodeError, SyntaxError, LookupError) as e:
        raise NotebookError(f"{path}: cannot read as Python source ({e})") from None
    if "\0" in text:
        raise NotebookError(f"{path}: not Python source (it holds null bytes)")
    return text


def submission_exercises(path: str | Path, data: bytes | None = None) -> dict[str, ExerciseCell]:
    """Exercise name -> its cell for a `.ipynb` or `.py` submission (the last definition wins when repeated)."""
    path = Path(path)
    if path.suffix == ".py":
        return {c.exercise: c for c in script_exercises(path, data)}
    return {c.exercise: c for c in answered(notebook_source(read_notebook(path, data)))}
