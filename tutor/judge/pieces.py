"""What depends on what: a piece's checks come before the model that uses it, and the model's rows that need a
piece that failed alone say "not checked" instead of showing a knock-on error from inside the model."""
from __future__ import annotations

from ..cases import Case
from ..exercises import Exercise, get
from ..run.result import CaseRun, ErrorInfo
from ..run.whole import MODEL_GRADS, pieces, split

# unit -> model gradient -> the values of the piece run alone it needs ("out": the piece's forward output)
_NEEDS = {
    "linear": {"x.g": ("inp.g", "out"), "w1.g": ("inp.g", "w.g", "out"), "b1.g": ("inp.g", "b.g", "out"),
               "w2.g": ("w.g", "out"), "b2.g": ("b.g", "out")},
    "relu": {"x.g": ("inp.g", "out"), "w1.g": ("inp.g", "out"), "b1.g": ("inp.g", "out"),
             "w2.g": ("out",), "b2.g": ()},
}


RAN = "run of the piece alone (it raised there)"


def downstream(unit: str, failed: set[str], error: ErrorInfo | None = None) -> dict[str, str]:
    """Model gradients that need a value which failed alone → those values, as the "not checked" row says them.
    A model run that raised after a piece failed alone is a knock-on, all rows blocked: even on a line of the
    learner's that is right (a transposed inp.g at batch 1 makes the next layer's out.g a matrix, and its own
    `w.g = inp.t() @ out.g` raises)."""
    if RAN in failed or (failed and error is not None):
        said = RAN if RAN in failed else ", ".join(sorted(failed))
        return {grad: f"a right {said}" for grad in MODEL_GRADS}
    blocked = {}
    for grad in MODEL_GRADS:
        needs = _NEEDS.get(unit, {}).get(grad, tuple(sorted(failed)))
        bad = [n for n in needs if n in failed]
        if bad:
            blocked[grad] = "a right " + ", ".join(bad)
    return blocked


def blocked_by_pieces(failed: dict[str, set[str]]) -> dict[str, str]:
    """A whole-model exercise: every model value needs every piece; a failing piece blocks them all."""
    if not failed:
        return {}
    if "the pieces" in failed:  # (they could not even be run alone)
        return {name: "right pieces (checked alone above)" for name in ("loss", *MODEL_GRADS)}
    said = ", ".join(f"`{p}`" for p in failed)
    return {name: f"a right {said} (checked alone above)" for name in ("loss", *MODEL_GRADS)}


def part_names(ex: Exercise, piece: str) -> tuple[str, ...]:
    """The values of a piece checked alone: `lin_grad` → inp.g, w.g, b.g."""
    return pieces(ex.style)[piece][2]


def whole_names(ex: Exercise, case: Case) -> tuple[str, ...]:
    """The whole model's values on a case: the loss `Model` returns, then the five gradients."""
    return ((ex.forward,) if ex.forward else ()) + MODEL_GRADS


def piece_runs(ex: Exercise, case: Case, crun: CaseRun) -> list[tuple[str, Exercise, CaseRun]]:
    """Each piece the learner's code has, with the exercise that judges it and its own slice of the run."""
    if case.kind != "unit" or crun.error is not None:
        return []
    out = []
    for piece, (exercise, _, _) in pieces(ex.style).items():
        pre = f"{piece}: "
        strip = lambda d: {k[len(pre):]: v for k, v in d.items() if k.startswith(pre)}  # noqa: E731
        values, problems = strip(crun.values), strip(crun.problems)
        if values or problems:
            out.append((piece, get(exercise), CaseRun(crun.case, values=values, problems=problems,
                                                      extras=strip(crun.extras))))
    return out


def case_label(case: Case, ex: Exercise | None = None) -> str:
    """How a case is shown in a row: its name, or for a piece run alone its batch, dtype and width."""
    if ex is not None or not case.whole:
        return case.name
    dt = str(case.dtype).replace("torch.", "")
    return f"batch {case.n} · {dt} · width {case.hidden}" + (" · layer 2" if case.layer == 2 else "")


__all__ = ["blocked_by_pieces", "case_label", "downstream", "part_names", "piece_runs", "split", "whole_names"]
