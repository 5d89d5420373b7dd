"""Identical hand-ins: per exercise, submissions whose code is the same once comments and blank lines are gone."""
from __future__ import annotations

import csv
import hashlib
import html
import io
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from .names import cell

CSV_COLUMNS = ("exercise", "group", "size", "lines", "submission", "student")
LINKS_PER_GROUP = 40  # submissions linked under a group in summary.html; similar.csv lists them all


def normalized(code: str) -> str:
    """The code without comments, trailing spaces and blank lines (strings and indentation untouched)."""
    lines = code.splitlines()
    # The common case, fast: no triple quotes, and a # on a line without quotes starts a comment.
    if '"""' not in code and "'''" not in code:
        if all("#" not in ln or ("'" not in ln and '"' not in ln) for ln in lines):
            return "\n".join(kept for ln in lines if (kept := ln.split("#", 1)[0].rstrip()))
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        for t in sorted((t for t in tokens if t.type == tokenize.COMMENT), key=lambda t: t.start, reverse=True):
            row, col = t.start
            lines[row - 1] = lines[row - 1][:col]
    except (tokenize.TokenError, IndentationError, SyntaxError, IndexError):
        # not plain Python (an IPython `Relu?` line...): only whole-line comments go
        lines = [ln for ln in lines if not ln.lstrip().startswith("#")]
    return "\n".join(ln.rstrip() for ln in lines if ln.strip())


@dataclass
class Member:
    """One submission in a group."""

    label: str
    key: str  # the same student's files share it (Student.key)
    student: str  # as scores.csv names them
    page: str  # its feedback page, relative to --out


@dataclass
class Group:
    """Submissions with the same code for one exercise."""

    lines: int  # of the code, comments and blank lines removed, not counting lines given in the released cell
    members: list[Member]


@dataclass
class SimilarCode:
    """Per exercise, submissions grouped by their normalized code."""

    ignore: dict[str, str] = field(default_factory=dict)  # exercise -> normalized code everyone starts from
    by_code: dict[str, dict[str, list[Member]]] = field(default_factory=dict)  # exercise -> code hash -> members
    lines: dict[str, int] = field(default_factory=dict)  # code hash -> lines of normalized code

    def add(self, exercise: str, code: str | None, member: Member) -> None:
        """Note one submission's code for an exercise (None: it has no cell for it)."""
        if code is None:
            return
        norm = normalized(code)
        if not norm or norm == self.ignore.get(exercise):
            return
        key = hashlib.sha256(norm.encode()).hexdigest()
        # the lines the students wrote themselves: the released cell's given lines say nothing of copying
        given = Counter(self.ignore.get(exercise, "").splitlines())
        self.lines[key] = sum((Counter(norm.splitlines()) - given).values()) or 1
        self.by_code.setdefault(exercise, {}).setdefault(key, []).append(member)

    def groups(self) -> dict[str, list[Group]]:
        """Per exercise, the groups handed in by two or more students: the longest code first (three
        identical lines say little, thirty say more), then the largest group."""
        out = {}
        for ex, codes in self.by_code.items():
            groups = [Group(self.lines[k], m) for k, m in codes.items() if len({x.key for x in m}) > 1]
            if groups:
                out[ex] = sorted(groups, key=lambda g: (-g.lines, -len(g.members), g.members[0].label))
        return out


def stubs(assignment: str | None) -> dict[str, str]:
    """The released notebook's code per exercise, normalized: a cell handed back untouched is not flagged."""
    if not assignment:
        return {}
    from ..notebook import NotebookError, submission_exercises

    try:  # read as a submission is read, so an untouched cell compares equal
        return {name: normalized(c.source) for name, c in submission_exercises(assignment).items()}
    except (NotebookError, OSError):
        return {}


def write_csv(path: Path, groups: dict[str, list[Group]]) -> None:
    """similar.csv: one row per submission in a group (`exercise, group, size, lines, submission, student`)."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for ex, gs in groups.items():
            for n, g in enumerate(gs, 1):
                for m in g.members:
                    w.writerow([ex, n, len(g.members), g.lines, cell(m.label), cell(m.student)])


def section_html(groups: dict[str, list[Group]]) -> str:
    """The summary.html section listing each exercise's groups, linked to the feedback pages."""
    if not groups:
        return ('<section id="similar"><h2>Identical code</h2><p>No two students handed in the same code for '
                "an exercise (comments and blank lines aside).</p></section>")
    items = []
    for ex, gs in groups.items():
        for g in gs:
            links = ", ".join(f'<a href="{html.escape(quote(m.page))}#{html.escape(ex)}">{html.escape(m.label)}</a>'
                              for m in g.members[:LINKS_PER_GROUP])
            more = f" and {len(g.members) - LINKS_PER_GROUP} more" if len(g.members) > LINKS_PER_GROUP else ""
            items.append(f"<li><b>{html.escape(ex)}</b>, {g.lines} line{'s' * (g.lines > 1)}, "
                         f"{len(g.members)} submissions: {links}{more}</li>")
    return ('<section id="similar"><h2>Identical code</h2><p>Per exercise, submissions by different students '
            "whose code is the same once comments and blank lines are removed (also in "
            "<code>similar.csv</code>). Short correct answers can match by chance: read them before "
            "concluding anything.</p><ul>" + "".join(items) + "</ul></section>")
