"""The class at a glance: per exercise, how many passed and which mistakes were made how often, by whom."""
from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote

from .gradebook import Row

LINKS_PER_CODE = 40  # students linked under a mistake in summary.html; the rest are counted


@dataclass
class ExerciseTally:
    """One exercise over the class: passes, and each code with the submissions that got it."""

    passed: int = 0
    total: int = 0
    mistakes: Counter = field(default_factory=Counter)  # codes of failing verdicts
    warnings: Counter = field(default_factory=Counter)  # codes that came with a pass
    who: dict[tuple[bool, str], list[tuple[str, str]]] = field(default_factory=dict)  # (passed, code) -> [(label, page)]


@dataclass
class ClassTally:
    """Every exercise's tally, in the expected order."""

    exercises: dict[str, ExerciseTally] = field(default_factory=dict)
    identical: dict[str, list[int]] = field(default_factory=dict)  # exercise -> sizes of its identical-code groups

    def add(self, label: str, page: str, exercise: str, row: Row) -> None:
        """Count one verdict (`page`: the student's feedback file, relative to --out)."""
        t = self.exercises.setdefault(exercise, ExerciseTally())
        t.total += 1
        t.passed += row.passed
        (t.warnings if row.passed else t.mistakes).update(row.codes)
        for code in row.codes:
            t.who.setdefault((row.passed, code), []).append((label, page))

    @property
    def passed(self) -> int:
        """(submission, exercise) pairs that passed."""
        return sum(t.passed for t in self.exercises.values())


def summary_text(tally: ClassTally, most: int = 3) -> str:
    """A few lines for the terminal: pass counts and the most common mistakes per exercise."""
    width = max([len("exercise"), *(len(ex) for ex in tally.exercises)])
    lines = [f"{'exercise':<{width}}  {'passed':>13}  most common mistakes"]
    for ex, t in tally.exercises.items():
        share = f"{t.passed}/{t.total} {100 * t.passed / max(t.total, 1):3.0f}%"
        common = " · ".join(f"{code} {n}" for code, n in t.mistakes.most_common(most)) or "—"
        lines.append(f"{ex:<{width}}  {share:>13}  {common}")
    if tally.identical:
        groups = "; ".join(f"{ex} {len(sizes)} group{'s' * (len(sizes) > 1)} ({sum(sizes)} submissions)"
                           for ex, sizes in tally.identical.items())
        lines.append(f"identical code (similar.csv): {groups}")
    return "\n".join(lines)


def summary_html(tally: ClassTally, extra: str = "") -> str:
    """summary.html: per exercise, the pass rate and every code with links to the students' feedback; then
    `extra` (more sections, e.g. identical code)."""
    sections = []
    for ex, t in tally.exercises.items():
        rows = []
        for kind, passed, counts in (("mistake", False, t.mistakes), ("warning", True, t.warnings)):
            for code, n in counts.most_common():
                people = t.who[(passed, code)]
                links = ", ".join(f'<a href="{html.escape(quote(page))}#{html.escape(ex)}">'
                                  f"{html.escape(label)}</a>" for label, page in people[:LINKS_PER_CODE])
                more = f" and {len(people) - LINKS_PER_CODE} more" if len(people) > LINKS_PER_CODE else ""
                rows.append(f'<tr class="{kind}"><td><code>{html.escape(code)}</code></td><td>{kind}</td>'
                            f"<td>{n}</td><td>{links}{more}</td></tr>")
        table = ("<table><tr><th>code</th><th>kind</th><th>how many</th><th>who</th></tr>"
                 + "".join(rows) + "</table>") if rows else "<p>Nothing to report: every check passed.</p>"
        sections.append(f'<section id="{html.escape(ex)}"><h2>{html.escape(ex)}: {t.passed} of {t.total} '
                        f"passed</h2>{table}</section>")
    return PAGE.format(sections="\n".join(sections) + extra)


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Class summary</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 70rem; margin: 2rem auto; padding: 0 1rem; color: #222; }}
h2 {{ font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 3px 10px; text-align: left; vertical-align: top;
border-bottom: 1px solid #eee; }} tr.warning td {{ color: #7a5a00; }}
</style></head><body>
<h1>Class summary</h1>
<p>Per exercise: how many passed, each mistake the checker named (and each warning) with how many
submissions made it, linked to their feedback.</p>
{sections}
</body></html>
"""
