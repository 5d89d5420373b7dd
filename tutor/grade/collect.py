"""Find the submissions to grade (files and folders) and read each one's exercise cells."""
from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..notebook import NotebookError, submission_exercises

SUFFIXES = (".ipynb", ".py")
MAX_BYTES = 64 << 20  # a notebook larger than this is not read (reported as malformed)


class CollectError(ValueError):
    """A path given on the command line that cannot be graded (the instructor's input, not a submission)."""


@dataclass
class Submission:
    """One submitted file: its label in the gradebook, content hash, and the code of each exercise it answers."""

    label: str  # the path as given, or relative to the folder given
    path: Path
    sha: str = ""
    cells: dict[str, str] = field(default_factory=dict)  # exercise -> learner code (its cell, or the file)
    programs: dict[str, str] = field(default_factory=dict)  # exercise -> what its check runs (the cells it needs)
    plain: set[str] = field(default_factory=set)  # exercises answered by a definition without an `%%exercise` cell
    malformed: str = ""  # one-line reason when the file could not be read as a submission


def _label(path: Path, root: Path | None) -> str:
    label = path.relative_to(root).as_posix() if root is not None else str(path)
    try:
        label.encode("utf-8")
    except UnicodeEncodeError:  # a name not in UTF-8 (a zip made on Windows, unpacked on Linux): read as Windows's
        label = label.encode("utf-8", "surrogateescape").decode("cp1252", "replace")
    return label


def find_files(paths: list[str]) -> list[tuple[Path, str]]:
    """Expand the paths given (files and folders, recursively) into (file, label) pairs, in a stable order."""
    found: list[tuple[Path, str]] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            # never into a linked folder; a linked file is listed, and refused when read (read_submission)
            files = sorted(Path(d, n) for d, dirs, names in os.walk(p) for n in names
                           if ".ipynb_checkpoints" not in Path(d).parts)
            found += [(f, _label(f, p)) for f in files if f.suffix in SUFFIXES and not f.name.startswith(".")
                      and (f.is_file() or f.is_symlink())]
        elif p.is_file():
            if p.suffix not in SUFFIXES:
                raise CollectError(f"{given}: not a submission (expected a .ipynb or .py file, or a folder of them)")
            found.append((p, _label(p, None)))
        else:
            raise CollectError(f"{given}: no such file or folder")
    seen: dict[str, Path] = {}
    unique = []
    for f, label in found:
        if label in seen and seen[label].resolve() == f.resolve():
            continue
        if label in seen:  # same relative name under two folders given: keep both apart
            label = _label(f, None)
        seen[label] = f
        unique.append((f, label))
    return unique


def read_submission(path: Path, label: str, known: set[str]) -> Submission:
    """Hash and parse one file; a file that cannot be parsed is kept, marked malformed."""
    sub = Submission(label, path)
    if path.is_symlink():
        # A link could point at what a student may not read (the solutions the grader holds, a classmate's
        # file) while the grader, who reads submissions with its own rights, follows it: never followed.
        sub.sha = hashlib.sha256(f"link:{label}".encode()).hexdigest()
        sub.malformed = f"{label}: a symbolic link, not a file: not read (hand in the file itself)"
        return sub
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            sub.sha = hashlib.sha256(f"too-large:{size}".encode()).hexdigest()
            sub.malformed = f"{label}: {size >> 20} MB, larger than the {MAX_BYTES >> 20} MB a submission may be"
            return sub
        data = path.read_bytes()
    except OSError as e:
        raise CollectError(f"{label}: cannot read ({e.strerror or e})") from None
    sub.sha = hashlib.sha256(data).hexdigest()
    try:
        cells = submission_exercises(path, data)
    except NotebookError as e:
        sub.malformed = str(e)
        return sub
    except (RecursionError, MemoryError, ValueError) as e:  # hostile JSON ([[[[...]]]]) must not stop the class
        logging.getLogger("tutor.grade").warning("reading %s failed: %r", label, e)
        sub.malformed = f"{label}: not a notebook the grader can read ({type(e).__name__})"
        return sub
    sub.cells = {name: cell.source for name, cell in cells.items() if name in known}
    sub.programs = {name: cell.program or cell.source for name, cell in cells.items() if name in known}
    sub.plain = {name for name, cell in cells.items() if name in known and cell.plain}
    try:  # JSON may escape a lone surrogate (\ud800) that no kernel could run nor any export write
        for code in (*sub.cells.values(), *sub.programs.values()):
            code.encode("utf-8")
    except UnicodeEncodeError as e:
        sub.cells, sub.programs, sub.plain = {}, {}, set()
        sub.malformed = f"{label}: its code holds text that is not valid Unicode ({e.reason}: {e.object[e.start]!r})"
    return sub


def collect(paths: list[str], known: set[str]) -> list[Submission]:
    """Every submission under `paths`, read and parsed."""
    return [read_submission(f, label, known) for f, label in find_files(paths)]
