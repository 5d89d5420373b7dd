"""Who handed a file in (parsed from Canvas / Moodle download names), and readable, unique feedback file names."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

# Canvas "Download Submissions": `lastfirst_12345_67890_file.ipynb` (user id, then submission id; `_LATE` after
# the name when late; `lastfirst` is lower-case with no spaces).
CANVAS = re.compile(r"^(?P<name>[^\W\d_](?:[^\W\d_]|[-'])*)(?:_late)?_(?P<id>\d+)_\d{3,}_(?P<file>.+)$",
                    re.IGNORECASE)
# Moodle "Download all submissions": `Full Name_12345_assignsubmission_file_` as a folder, or as the prefix of
# the file's name when not downloaded in folders (12345 is the participant id).
MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?:file|onlinetext)_(?P<file>.*)$")
MAX_NAME_BYTES = 180  # a feedback file's name, before `.html` (file systems allow 255 bytes)
DEFAULT_NAMES = ("untitled", "notebook", "copy of")  # names Jupyter and Colab give a notebook (casefolded)
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet runs a cell starting so as a formula


@dataclass(frozen=True)
class Student:
    """A student as the LMS knows them: a display name and, when the download name carried it, their ID."""

    name: str
    id: str = ""

    @property
    def display(self) -> str:
        """`Jörg Müller (12345)`, or the name alone."""
        return f"{self.name} ({self.id})" if self.id else self.name

    @property
    def key(self) -> str:
        """What makes two submissions the same student's: the LMS ID, else the name."""
        return f"id:{self.id}" if self.id else f"name:{self.name.casefold()}"


def lms_student(label: str) -> Student | None:
    """The student named by a Canvas or Moodle download name anywhere in the label's path, outermost first: the
    LMS names the folder (or the file) it made; a name inside it is the student's own choice, and a file named
    like a classmate's download must not put its verdict under that classmate."""
    for part in PurePosixPath(label).parts:
        part = unicodedata.normalize("NFC", part)
        for pattern in (MOODLE, CANVAS):
            m = pattern.match(part)
            if m:
                return Student(m["name"].strip(), m["id"])
    return None


def students(labels: list[str]) -> dict[str, Student]:
    """Each submission label's student: from the LMS download name, else the folder or the file's stem.

    Sibling folders name their students when they look like one folder per student: a file name repeats
    across them and most hold one or two files (`alice/backprop.ipynb`, `bob/backprop.ipynb`, and then also
    `carol/Copy of backprop.ipynb`). Otherwise the file's stem does (`section-a/alice.ipynb`), with its folder
    added when the same stem stands in several folders (`alice (section-b)`: two students, not one)."""
    paths = {label: PurePosixPath(unicodedata.normalize("NFC", label)) for label in labels}
    per_student = student_folders(list(paths.values()))
    folders_of: dict[str, set[PurePosixPath]] = {}
    for p in paths.values():
        folders_of.setdefault(p.stem.casefold(), set()).add(p.parent)
    out = {}
    for label, p in paths.items():
        found = lms_student(label)
        if found is None:
            if p.parent in per_student:
                found = Student(p.parent.name)
            elif len(folders_of[p.stem.casefold()]) > 1 and p.parent.name not in ("", "."):
                found = Student(f"{p.stem} ({p.parent.name})")
            else:
                found = Student(p.stem)
        out[label] = found
    return out


def student_folders(paths: list[PurePosixPath]) -> set[PurePosixPath]:
    """The folders that look like one per student (see `students`)."""
    files: dict[PurePosixPath, list[str]] = {}
    for p in paths:
        if p.parent.name not in ("", ".") and lms_student(str(p)) is None:
            files.setdefault(p.parent, []).append(p.stem.casefold())
    siblings: dict[PurePosixPath, list[PurePosixPath]] = {}
    for folder in files:
        siblings.setdefault(folder.parent, []).append(folder)
    found: set[PurePosixPath] = set()
    for folders in siblings.values():
        stems = [stem for f in folders for stem in set(files[f])]
        repeated = {stem for stem in stems if stems.count(stem) > 1}
        sizes = sorted(len(files[f]) for f in folders)
        if repeated and sizes[len(sizes) // 2] <= 2:
            # a folder whose file is named otherwise counts when the name is a variant of the assignment's
            # (`Copy of backprop`, `backprop_final`) or a notebook's default (`Untitled1`): `section-b/dave` not
            words = {w for stem in repeated for w in _words(stem)}
            found.update(f for f in folders if any(stem in repeated or _words(stem) & words
                                                   or stem.startswith(DEFAULT_NAMES) for stem in files[f]))
    return found


def _words(stem: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", stem)) - {"copy", "of"}


def readable(label: str) -> str:
    """A file name for a submission label, unicode kept (`group a/Müller.ipynb` -> `group_a__Müller.ipynb`)."""
    s = unicodedata.normalize("NFC", label).replace("/", "__")
    s = re.sub(r"[^\w.\-]+", "_", s).strip("._") or "submission"
    raw = s.encode("utf-8")
    if len(raw) > MAX_NAME_BYTES:
        s = raw[:MAX_NAME_BYTES].decode("utf-8", "ignore")
    return s


class UniqueNames:
    """Hands out a distinct readable file name per label: `-2`, `-3`, ... on a clash (compared
    case-insensitively, as macOS and Windows file systems compare them)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, label: str) -> str:
        base = name = readable(label)
        k = 1
        while name.casefold() in self.used:
            k += 1
            name = f"{base}-{k}"
        self.used.add(name.casefold())
        return name


def cell(text: str) -> str:
    """Text for a CSV cell a spreadsheet shows as text: a file named `=HYPERLINK(...).ipynb` is not a formula."""
    return "'" + text if text.startswith(FORMULA) else text


def uncell(text: str) -> str:
    """The text `cell` was given (an instructor may copy a cell from gradebook.csv into overrides.csv)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA) else text
