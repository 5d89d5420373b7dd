"""OUT/overrides.csv: the instructor's own scores and comments, kept across runs and applied to every export."""
from __future__ import annotations

import codecs
import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .names import uncell

COLUMNS = ("submission", "exercise", "score", "comment")


class OverrideError(ValueError):
    """overrides.csv cannot be used as it is (one line naming the row; grading does not start)."""


@dataclass(frozen=True)
class Override:
    """One row: the points to give (None: keep the grader's) and a comment for the student."""

    score: float | None
    comment: str
    line: int  # in overrides.csv, for messages


def read_overrides(path: Path) -> dict[tuple[str, str], Override]:
    """(submission, exercise) -> override; creates the file with its header when absent, never rewrites it."""
    if not path.exists():
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerow(COLUMNS)
        return {}
    text = _text(path)
    if not text.strip():  # emptied by hand: no overrides (the file stays as it is)
        return {}
    first = text.split("\n", 1)[0]
    # spreadsheets in some locales save with `;`; Excel's "Unicode text" with tabs
    delimiter = next((d for d in "\t;" if d in first and "," not in first), ",")
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise OverrideError(f"{path}: the header must have the columns {', '.join(COLUMNS)}; "
                            f"missing {', '.join(missing)} (found: {', '.join(header) or 'nothing'})")
    reader.fieldnames = header
    out: dict[tuple[str, str], Override] = {}
    for n, row in enumerate(reader, 2):
        cells = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
        if not any(cells.values()):
            continue
        key = (unicodedata.normalize("NFC", uncell(cells["submission"])), cells["exercise"].lower())
        if not all(key):
            raise OverrideError(f"{path} line {n}: give both a submission (as in gradebook.csv) and an exercise")
        if key in out:
            raise OverrideError(f"{path} line {n}: {key[0]}, {key[1]} is already overridden on line "
                                f"{out[key].line}; keep one row per submission and exercise")
        try:  # `2,5` as a spreadsheet in a decimal-comma locale writes it
            points = float(re.sub(r"^([-+]?\d*),(\d+)$", r"\1.\2", cells["score"])) if cells["score"] else None
        except ValueError:
            points = math.nan
        if points is not None and not math.isfinite(points):
            raise OverrideError(f"{path} line {n}: score {cells['score']!r} is not a number "
                                "(leave it empty to keep the grader's score and only add a comment)")
        out[key] = Override(points, cells["comment"], n)
    return out


def _text(path: Path) -> str:
    """The file's text as a spreadsheet may have saved it: UTF-8 (with a byte-order mark or not), UTF-16 with
    one ("Unicode text"), else Windows-1252 (Excel's plain "CSV" on Windows)."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise OverrideError(f"{path}: cannot read it ({e.strerror or e})") from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def lookup(overrides: dict[tuple[str, str], Override], label: str, exercise: str) -> Override | None:
    """The override for a submission's exercise (names compared in one Unicode form: NFD from macOS matches)."""
    return overrides.get((unicodedata.normalize("NFC", label), exercise))


def unmatched(overrides: dict[tuple[str, str], Override], labels: list[str], exercises: list[str]) -> list[str]:
    """One warning per override that matches nothing graded in this run (a typo would otherwise go unseen)."""
    labels_set, warnings = {unicodedata.normalize("NFC", label) for label in labels}, []
    for (label, exercise), o in overrides.items():
        if label not in labels_set:
            warnings.append(f"overrides.csv line {o.line}: no submission {label!r} in this run (use the "
                            "`submission` column of gradebook.csv)")
        elif exercise not in exercises:
            warnings.append(f"overrides.csv line {o.line}: exercise {exercise!r} is not graded in this run "
                            f"({', '.join(exercises)})")
    return warnings
