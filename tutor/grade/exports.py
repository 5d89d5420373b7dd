"""What the instructor reads: gradebook.csv, scores.csv, similar.csv, feedback pages, Gradescope's results.json."""
from __future__ import annotations

import csv
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .gradebook import Row
from .names import Student, UniqueNames, cell, readable, students
from .overrides import Override, lookup
from .scores import Score, explain, num, score
from .similar import Member, SimilarCode, section_html, write_csv
from .summary import ClassTally, ExerciseTally, summary_html

CSV_COLUMNS = ("submission", "exercise", "passed", "score", "codes", "comment")


@dataclass
class Graded:
    """One submission with its verdict per expected exercise."""

    label: str
    rows: dict[str, Row]  # exercise -> verdict, in the expected order
    code: dict[str, str | None] = field(default_factory=dict)  # exercise -> the student's code (None: no cell)
    student: Student | None = None  # None: from the label alone


@dataclass
class Scoring:
    """How verdicts become points: points per exercise, partial credit, the instructor's overrides."""

    points: dict[str, float]
    partial: bool = False
    overrides: dict[tuple[str, str], Override] = field(default_factory=dict)
    stubs: dict[str, str] = field(default_factory=dict)  # exercise -> released code, not flagged as identical

    def scores(self, g: Graded) -> dict[str, Score]:
        """Each exercise's points for one submission."""
        return {ex: score(ex, row, self.points[ex], self.partial, lookup(self.overrides, g.label, ex))
                for ex, row in g.rows.items()}


def slug(label: str) -> str:
    """A readable file name for a submission label (`group a/Müller.ipynb` -> `group_a__Müller.ipynb`)."""
    return readable(label)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback: {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
h1 {{ font-size: 1.4rem; }} h2 {{ font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }}
.pass {{ color: #17692f; }} .fail {{ color: #a11; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: .6rem; }}
.note {{ background: #fff8e0; border-left: 3px solid #c90; padding: .4rem .6rem; white-space: pre-wrap; }}
.ln {{ color: #999; user-select: none; }} .hit {{ background: #fde2e2; }}
</style></head><body>
<h1>Feedback: {title}</h1>
<p>Score: <b>{got} / {total}</b></p>
{sections}
</body></html>
"""


def code_html(code: str, row: Row) -> str:
    """The student's code with line numbers, the lines a diagnosis quotes (where it raised) marked."""
    quoted = {d.get("line", "").strip() for d in row.report.get("diagnoses", [])} - {""}
    lines = []
    for n, line in enumerate(code.splitlines(), 1):
        text = f'<span class="ln">{n:>3}  </span>{html.escape(line)}'
        lines.append(f'<span class="hit">{text}</span>' if line.strip() in quoted else text)
    return "<pre><code>" + "\n".join(lines) + "</code></pre>"


def feedback_page(g: Graded, scores: dict[str, Score]) -> str:
    """One student's feedback: per exercise, their code, the points and why, and the widget's static report."""
    sections = []
    for ex, row in g.rows.items():
        s = scores[ex]
        verdict = "PASS" if row.passed else "FAIL"
        note = explain(s)
        code = g.code.get(ex)
        sections.append(
            f'<section id="{html.escape(ex)}"><h2 class="{verdict.lower()}">{html.escape(ex)}: {verdict} '
            f"({num(s.points)} / {num(s.max_points)})</h2>\n"
            + (f'<p class="note">{html.escape(note)}</p>\n' if note else "")
            + (f'<details open class="code"><summary>Your code</summary>{code_html(code, row)}</details>\n'
               if code is not None else "")
            + f"{row.html}</section>")
    got = sum(s.points for s in scores.values())
    total = sum(s.max_points for s in scores.values())
    title = g.label if g.student is None else f"{g.student.name} ({g.label})"
    return PAGE.format(title=html.escape(title), got=num(got), total=num(total), sections="\n".join(sections))


def results_json(tests: list[dict], visibility: str = "visible") -> dict:
    """Gradescope's results.json around its tests: the total score, who sees it (stdout: only you)."""
    return {"score": round(sum(t["score"] for t in tests), 2), "tests": tests, "visibility": visibility,
            "stdout_visibility": "hidden"}


def gradescope(g: Graded, scores: dict[str, Score], visibility: str = "visible") -> dict:
    """Gradescope's autograder results.json for one submission (one test per exercise)."""
    tests = []
    for ex, row in g.rows.items():
        s, note = scores[ex], explain(scores[ex])
        tests.append({"name": ex, "score": s.points, "max_score": s.max_points,
                      "status": "passed" if row.passed else "failed", "visibility": visibility,
                      "output": (note + "\n\n" if note else "") + row.text})
    return results_json(tests, visibility)


@dataclass
class StudentScores:
    """scores.csv's row for one student: the best points per exercise over their submissions."""

    student: Student
    labels: list[str] = field(default_factory=list)
    points: dict[str, float] = field(default_factory=dict)
    best: dict[str, dict] = field(default_factory=dict)  # exercise -> its Gradescope test (kept for one student)
    overridden: set[str] = field(default_factory=set)  # exercises whose points an override set

    def add(self, label: str, scores: dict[str, Score], tests: list[dict] | None) -> None:
        """Count one submission of this student's: per exercise the best points, but a score the instructor set
        wins over the grader's (a penalty on one file is not undone by another file)."""
        self.labels.append(label)
        for i, (ex, s) in enumerate(scores.items()):
            rank, held = (s.overridden, s.points), (ex in self.overridden, self.points.get(ex, -float("inf")))
            if ex not in self.points or rank > held:
                self.points[ex] = s.points
                if s.overridden:
                    self.overridden.add(ex)
                if tests is not None:
                    self.best[ex] = tests[i]


def write_scores(path: Path, people: dict[str, StudentScores], exercises: list[str]) -> None:
    """scores.csv: `student, id`, one column of points per exercise, `total`, `submissions`."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student", "id", *exercises, "total", "submissions"])
        for p in people.values():
            pts = [p.points.get(ex, 0.0) for ex in exercises]
            w.writerow([cell(p.student.name), p.student.id, *map(num, pts), num(sum(pts)),
                        cell("; ".join(p.labels))])


def write_all(out: Path, graded: Iterable[Graded], scoring: Scoring | dict[str, float]
              ) -> tuple[ClassTally, list[Path]]:
    """Write every export under `out`, one submission at a time; return (the class's tally, paths written)."""
    if not isinstance(scoring, Scoring):
        scoring = Scoring(dict(scoring))
    exercises = list(scoring.points)
    for sub in ("feedback", "gradescope"):
        (out / sub).mkdir(exist_ok=True)
    csv_path, tmp = out / "gradebook.csv", out / "gradebook.csv.tmp"
    name_for = UniqueNames()
    tally = ClassTally({ex: ExerciseTally() for ex in exercises})
    similar = SimilarCode(ignore=scoring.stubs)
    people: dict[str, StudentScores] = {}
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for g in graded:
            student = g.student or students([g.label])[g.label]
            name = name_for(g.label)
            page = f"feedback/{name}.html"
            scores = scoring.scores(g)
            for ex, row in g.rows.items():
                w.writerow([cell(g.label), ex, int(row.passed), num(scores[ex].points), " ".join(row.codes),
                            cell(scores[ex].comment)])
                tally.add(g.label, page, ex, row)
                similar.add(ex, g.code.get(ex), Member(g.label, student.key, student.display, page))
            (out / page).write_text(feedback_page(g, scores), encoding="utf-8")
            (out / "gradescope" / name).mkdir(exist_ok=True)
            result = gradescope(g, scores)
            (out / "gradescope" / name / "results.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
            person = people.setdefault(student.key, StudentScores(student))
            person.add(g.label, scores, result["tests"] if len(people) == 1 else None)
    tmp.replace(csv_path)
    write_scores(out / "scores.csv", people, exercises)
    groups = similar.groups()
    tally.identical = {ex: [len(g.members) for g in gs] for ex, gs in groups.items()}
    write_csv(out / "similar.csv", groups)
    (out / "summary.html").write_text(summary_html(tally, section_html(groups)), encoding="utf-8")
    written = [csv_path, out / "scores.csv", out / "summary.html", out / "similar.csv", out / "feedback",
               out / "gradescope"]
    if len(people) == 1:  # Gradescope's autograder grades one student, reads results/results.json
        (only,) = people.values()
        result = results_json([only.best[ex] for ex in exercises if ex in only.best])
        (out / "results.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
        written.append(out / "results.json")
    return tally, written
