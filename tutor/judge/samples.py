"""The gradients a report draws: the first failing case with a batch > 1, or on a pass the piece alone on its
largest batch, as copies (never views of the judge's cached arrays)."""
from __future__ import annotations

import numpy as np

from ..cases import Case, case_by_name, cases_for, unit_inputs
from ..exercises import Exercise, get
from ..report import CheckReport, GradientSample
from ..run.harness import expected_names
from ..run.result import SubmissionRun
from ..run.whole import pieces as whole_pieces
from .pieces import split


# What each piece's own plot draws besides the gradients (render/plots.py): relu's gradient ÷ out.g against
# its input (a step), mse's against the residual, cross-entropy's per digit with its label.
PLOT_INPUTS = {"relu": ("inp", "up"), "mse": ("inp", "targ"), "cross_entropy": ("inp", "targ")}


def _plain_case(ex: Exercise) -> Case:
    """The case a pass is drawn from: the piece alone on the largest batch (for a linear layer the 784→hidden
    one, whose w.g is 28×28 tiles); the whole-model exercises, the model."""
    if ex.unit == "model":
        return next(c for c in cases_for(ex.unit) if c.kind == "model")
    return max((c for c in cases_for(ex.unit) if c.kind == "unit" and (c.layer == 1 or ex.unit != "linear")),
               key=lambda c: c.n)


def samples(ex: Exercise, run: SubmissionRun, report: CheckReport) -> list[GradientSample]:
    """Gradients to plot: the first failing case with a batch > 1 (else any failing), or on a pass the piece
    alone on its largest batch; with the inputs the piece's own plot needs (copies, never the cached cases)."""
    failing = [c.case for c in report.checks if not c.passed and c.case]
    by_name = {c.case: c for c in run.cases}
    order = sorted(dict.fromkeys(failing), key=lambda n: case_by_name(n).n == 1)
    chosen = order[0] if order else _plain_case(ex).name
    if chosen not in by_name:
        return []
    case, crun = case_by_name(chosen), by_name[chosen]
    from . import reference_run  # (the judge's cache: this module is imported by it)

    ref = reference_run(ex.name, case)
    out = []
    for name in expected_names(ex, case):
        if not name.endswith(".g") or name not in ref.values:
            continue
        r, g = ref.values[name], crun.values.get(name)
        image = (28, 28) if 784 in r.shape else None
        unit = _piece_unit(ex, name) if case.kind == "unit" else ""
        out.append(GradientSample(name, chosen, _trim(r), None if g is None else _trim(g), image,
                                  unit=unit, inputs=_plot_inputs(unit, case)))
    return out


def _piece_unit(ex: Exercise, name: str) -> str:
    """The piece a value of a case run alone belongs to: the exercise's, or a whole model's piece ("Relu: inp.g")."""
    if ex.unit != "model":
        return ex.unit
    piece, _ = split(name)
    found = whole_pieces(ex.style).get(piece)
    return get(found[0]).unit if found else ""


def _plot_inputs(unit: str, case: Case) -> dict[str, np.ndarray]:
    """What the piece's own plot needs of what it got on this case (copies of at most 256 rows)."""
    if unit not in PLOT_INPUTS:
        return {}
    given = unit_inputs(unit, case, copy=False)
    return {k: _trim(given[k].numpy()) for k in PLOT_INPUTS[unit]}


def _trim(a: np.ndarray, rows: int = 256) -> np.ndarray:
    """A copy (never a view of the judge's cached arrays: a report is the learner's to change) of at most `rows`."""
    return np.array(a[:rows] if a.ndim >= 1 and a.shape[0] > rows and a.shape[0] != 784 else a)
