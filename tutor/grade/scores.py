"""Points for one verdict: all or nothing, or (`--partial`) a share per gradient right in every case; overrides."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .gradebook import Row
from .overrides import Override

# The model case runs the learner's piece inside the whole 784-50-1 network, where one wrong tensor spoils
# others downstream. Each model gradient is computed from these of the exercise's own tensors (besides a
# class's forward output, which feeds everything after it).
MODEL_DEPENDS = {
    "linear": {"x.g": ("inp.g",), "w1.g": ("inp.g", "w.g"), "b1.g": ("inp.g", "b.g"), "w2.g": ("w.g",),
               "b2.g": ("b.g",)},
    "relu": {"x.g": ("inp.g",), "w1.g": ("inp.g",), "b1.g": ("inp.g",), "w2.g": (), "b2.g": ()},
    "mse": {t: ("inp.g",) for t in ("x.g", "w1.g", "b1.g", "w2.g", "b2.g")},
    "cross_entropy": {t: ("inp.g",) for t in ("x.g", "w1.g", "b1.g", "w2.g", "b2.g")},
}


@dataclass
class Part:
    """One tensor of an exercise under partial credit: whether it was right in every case, and its points."""

    tensor: str
    right: bool
    points: float
    wrong_in: list[str] = field(default_factory=list)  # the cases where it was wrong (or blamed for the model)


@dataclass
class Score:
    """An exercise's points for one submission, and why."""

    points: float
    max_points: float
    parts: list[Part] = field(default_factory=list)  # set under --partial for a failing exercise
    comment: str = ""  # the instructor's override comment
    overridden: bool = False  # the instructor's override set the points
    note: str = ""  # why a failing exercise earned no partial credit


def parts_of(exercise: str) -> tuple[str, ...]:
    """The tensors an exercise's points are shared over: a class's forward output and every gradient."""
    from ..exercises import get

    ex = get(exercise)
    return ((ex.forward,) if ex.forward else ()) + ex.grads


def right_tensors(exercise: str, report: dict[str, Any]) -> dict[str, list[str]] | None:
    """Each tensor -> the cases it was wrong in ([] when right in every case); None when the failure is not any
    tensor's (it did not load, timed out, read globals, ...), which earns nothing."""
    from ..cases import case_by_name
    from ..exercises import get

    ex = get(exercise)
    checks = report.get("checks", [])
    checked = {c.get("tensor", "") for c in checks}
    names = [t for t in parts_of(exercise) if t in checked]  # a tensor never checked earns nothing
    if not names:
        return None
    wrong: dict[str, list[str]] = {t: [] for t in names}
    model_failures = []
    for chk in checks:
        if chk.get("passed"):
            continue
        tensor, case = chk.get("tensor", ""), chk.get("case", "")
        if not tensor or not case:
            return None
        try:
            kind = case_by_name(case).kind
        except KeyError:
            return None
        if tensor in wrong and (kind != "model" or ex.unit == "model"):
            wrong[tensor].append(case)
        elif kind == "model":
            model_failures.append((tensor, case))
        else:
            return None
    failed_alone = {t for t, cases in wrong.items() if cases}
    for tensor, case in model_failures:
        depends = set(MODEL_DEPENDS.get(ex.unit, {}).get(tensor, names)) | {ex.forward}
        depends &= set(names)
        blamed = (depends & failed_alone) or depends or set(names)  # what failed alone; else all it depends on
        for t in blamed:
            if case not in wrong[t]:
                wrong[t].append(case)
    return wrong


def score(exercise: str, row: Row, points: float, partial: bool = False, override: Override | None = None) -> Score:
    """The points `row` earns out of `points`; an override's score (when it gives one) replaces them."""
    from ..exercises import get

    s = Score(points if row.passed else 0.0, points)
    if partial and not row.passed:
        wrong = right_tensors(exercise, row.report)
        if wrong is not None and any(wrong.values()):  # a failure no tensor explains earns nothing
            # Points are for the gradients; a class's forward output earns nothing when right (it may be the
            # notebook's given code) but costs a share when wrong (a failing exercise never earns them all).
            # (A forward that only "failed" because the run raised is not known to be wrong: nothing earns then.)
            forward = get(exercise).forward
            stages = {c.get("stage") for c in row.report.get("checks", [])
                      if c.get("tensor") == forward and not c.get("passed")}
            raised = stages == {"runs"}
            if forward in wrong and (not wrong[forward] or raised):
                del wrong[forward]
            share = points / len(wrong)
            s.parts = [Part(t, not cases, 0.0 if cases else share, cases) for t, cases in wrong.items()]
            s.points = round(sum(p.points for p in s.parts), 2)
        elif pieces := sorted({c["tensor"].split(": ")[0] for c in row.report.get("checks", [])
                               if not c.get("passed") and ": " in c.get("tensor", "")}):
            named = " and ".join(f"`{p}`" for p in pieces)  # checks of a piece this exercise calls: `lin_grad: b.g`
            s.note = f"No partial credit: your {named}, which this exercise calls, is wrong (see its own " \
                     "exercise); this one is checked only once that is right."
        elif any(c.get("tensor") for c in row.report.get("checks", [])):  # (a grader verdict says why itself)
            s.note = "No partial credit: the failure is not one tensor's (e.g. the code reads the notebook's " \
                     "globals, or fails in a way no single tensor explains)."
    if override is not None:
        s.comment = override.comment
        if override.score is not None:
            s.points, s.overridden = override.score, True
    return s


def num(x: float) -> str:
    """Points as written in the exports: `3`, `1.5`, `0.67`."""
    return f"{round(x, 2):g}"


def explain(s: Score) -> str:
    """One line per reason the points are what they are (partial credit, the instructor's override)."""
    lines = []
    if s.parts:
        each = " · ".join(f"{p.tensor} {'right' if p.right else 'wrong'}: {num(p.points)}" for p in s.parts)
        output = any(not p.tensor.endswith(".g") for p in s.parts)  # a wrong forward output takes a share
        lines.append(f"Partial credit, a share per gradient right in every case"
                     f"{' (the wrong forward output takes one too)' if output else ''}: {each}.")
    elif s.note:
        lines.append(s.note)
    if s.overridden:
        lines.append(f"Score set by your instructor: {num(s.points)} / {num(s.max_points)}.")
    if s.comment:
        lines.append(f"Instructor's comment: {s.comment}")
    return "\n".join(lines)
