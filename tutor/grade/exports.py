"""What the instructor reads: gradebook.csv, one feedback page per student, Gradescope's results.json."""
from __future__ import annotations

import csv
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .gradebook import Row
from .summary import ClassTally, ExerciseTally, summary_html

CSV_COLUMNS = ("submission", "exercise", "passed", "score", "codes")


@dataclass
class Graded:
    """One submission with its verdict per expected exercise."""

    label: str
    rows: dict[str, Row]  # exercise -> verdict, in the expected order


def slug(label: str) -> str:
    """A file name for a submission label (`group a/alice.ipynb` -> `group_a__alice.ipynb`)."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", label.replace("/", "__")).strip("._")
    return s or "submission"


def score(row: Row, points: float) -> float:
    """All or nothing: the exercise's points when it passed."""
    return points if row.passed else 0.0


def _num(x: float) -> str:
    return f"{x:g}"


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Feedback: {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
h1 {{ font-size: 1.4rem; }} h2 {{ font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }}
.pass {{ color: #17692f; }} .fail {{ color: #a11; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: .6rem; }}
</style></head><body>
<h1>Feedback: {title}</h1>
<p>Score: <b>{got} / {total}</b></p>
{sections}
</body></html>
"""


def feedback_page(g: Graded, points: dict[str, float]) -> str:
    """One student's feedback: every exercise's report as the widget's static HTML."""
    sections = []
    for ex, row in g.rows.items():
        verdict = "PASS" if row.passed else "FAIL"
        sections.append(f'<section id="{html.escape(ex)}"><h2 class="{verdict.lower()}">{html.escape(ex)}: '
                        f"{verdict} ({_num(score(row, points[ex]))} / {_num(points[ex])})</h2>\n{row.html}</section>")
    got = sum(score(row, points[ex]) for ex, row in g.rows.items())
    total = sum(points[ex] for ex in g.rows)
    return PAGE.format(title=html.escape(g.label), got=_num(got), total=_num(total), sections="\n".join(sections))


def gradescope(g: Graded, points: dict[str, float]) -> dict:
    """Gradescope's autograder results.json for one submission."""
    tests = [{"name": ex, "score": score(row, points[ex]), "max_score": points[ex],
              "status": "passed" if row.passed else "failed", "output": row.text}
             for ex, row in g.rows.items()]
    return {"score": sum(t["score"] for t in tests), "tests": tests, "visibility": "visible",
            "stdout_visibility": "hidden"}


def write_all(out: Path, graded: Iterable[Graded], points: dict[str, float]) -> tuple[ClassTally, list[Path]]:
    """Write every export under `out`, one submission at a time; return (the class's tally, paths written)."""
    for sub in ("feedback", "gradescope"):
        (out / sub).mkdir(exist_ok=True)
    csv_path, tmp = out / "gradebook.csv", out / "gradebook.csv.tmp"
    used: set[str] = set()
    tally, last, n = ClassTally({ex: ExerciseTally() for ex in points}), None, 0
    with open(tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for n, g in enumerate(graded, 1):
            name = slug(g.label)
            while name in used:  # two labels with the same slug
                name += "_"
            used.add(name)
            for ex, row in g.rows.items():
                w.writerow([g.label, ex, int(row.passed), _num(score(row, points[ex])), " ".join(row.codes)])
                tally.add(g.label, f"feedback/{name}.html", ex, row)
            (out / "feedback" / f"{name}.html").write_text(feedback_page(g, points), encoding="utf-8")
            (out / "gradescope" / name).mkdir(exist_ok=True)
            last = gradescope(g, points)
            (out / "gradescope" / name / "results.json").write_text(json.dumps(last, indent=1), encoding="utf-8")
    tmp.replace(csv_path)
    (out / "summary.html").write_text(summary_html(tally), encoding="utf-8")
    written = [csv_path, out / "summary.html", out / "feedback", out / "gradescope"]
    if n == 1 and last is not None:  # Gradescope's autograder grades one submission, reads results/results.json
        (out / "results.json").write_text(json.dumps(last, indent=1), encoding="utf-8")
        written.append(out / "results.json")
    return tally, written
