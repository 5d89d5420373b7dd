"""Which of a report's gradient samples are worth drawing: the widget and the grader's feedback agree."""
from __future__ import annotations

import dataclasses

from ..report import CheckReport

MAX_PLOTS = 2  # figures drawn for a failing check (see `plotted`); a pass draws one


def plotted(report: CheckReport, most: int = MAX_PLOTS) -> CheckReport:
    """The report with the samples worth drawing: the failing gradients; on a pass, the one that fits the exercise.

    Each figure costs 100 ms or more on a busy 2-core machine; drawing only what failed keeps
    "Check again" quick and puts the learner's eye on the gradient that is wrong.
    """
    failing = {(c.tensor, c.case) for c in report.checks if not c.passed}
    chosen = [s for s in report.samples if (s.tensor, s.case) in failing]
    if not chosen:  # a pass (or a failure no sample shows): the piece's own picture (relu's step, mse's
        # residual, cross-entropy's digits), else the first-layer weights as digit-like images
        own = [s for s in report.samples if s.inputs]
        weights = [s for s in report.samples if s.tensor.startswith("w") and s.image_shape]
        chosen, most = own or weights or report.samples, 1
    return dataclasses.replace(report, samples=chosen[:most])
