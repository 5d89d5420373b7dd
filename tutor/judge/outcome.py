"""Turn what a worker handed back into a `CheckReport`, judged here in the grader with its own reference."""
from __future__ import annotations

from ..report import Check, CheckReport, Diagnosis
from ..run.result import ErrorInfo, SubmissionRun
from ..sandbox.protocol import Limits, Outcome

_STAGE = {"timeout": "runs", "memory": "runs", "crashed": "runs", "malformed": "exists", "missing": "exists"}


def grader_report(exercise: str, code: str, message: str) -> CheckReport:
    """A failing report carrying one grader verdict code, rendered like any other report."""
    check = Check("grading", False, message, stage=_STAGE.get(code, "runs"))
    return CheckReport(exercise, passed=False, checks=[check], diagnoses=[Diagnosis(code, message)])


def _errors(run: SubmissionRun) -> list[ErrorInfo]:
    return [e for e in [run.load_error, *(c.error for c in run.cases)] if e is not None]


def _is_memory(err: ErrorInfo) -> bool:
    return err.type == "MemoryError" or "can't allocate memory" in err.message or "out of memory" in err.message


def _is_fork_limit(err: ErrorInfo) -> bool:
    return err.type == "BlockingIOError" and "Resource temporarily unavailable" in err.message


def report_for(exercise: str, out: Outcome, limits: Limits) -> CheckReport:
    """The verdict for one exercise run: the judge's when the run handed back data, else a grader code."""
    if out.status == "timeout":
        return grader_report(exercise, "timeout", f"Your code did not finish: it was {out.detail}. "
                             "Look for a loop that never ends, or a Python loop over every entry of a tensor (the "
                             "checker runs batches of up to 1,000 MNIST digits: loop over examples at most, and let "
                             "matrix products do the rest).")
    if out.status == "memory":
        return grader_report(exercise, "memory", f"Your code {out.detail}.")
    if out.status == "crashed":
        return grader_report(exercise, "crashed", f"Your code crashed the run: {out.detail}.")
    if out.status != "ok":
        raise RuntimeError(f"worker status {out.status!r} ({out.detail}), expected one of ok/timeout/memory/crashed")
    try:
        run = SubmissionRun.from_bytes(out.payload)
    except Exception as e:  # noqa: BLE001 - learner code may have tampered with what was sent back
        return grader_report(exercise, "crashed", "Your code's run handed back a result the grader could not "
                             f"read ({type(e).__name__}): it interfered with the checker.")
    if run.exercise != exercise:
        return grader_report(exercise, "crashed", f"Your code's run answered exercise {run.exercise!r}, expected "
                             f"{exercise!r}: it interfered with the checker.")
    from ..cases import cases_for
    from ..exercises import get

    expected = sorted(c.name for c in cases_for(get(exercise).unit))
    got = sorted(c.case for c in run.cases)
    if run.load_error is None and got != expected:
        return grader_report(exercise, "crashed", f"Your code's run answered {len(got)} cases, expected the "
                             f"{len(expected)} cases every check runs: it interfered with the checker.")
    errors = _errors(run)
    if any(_is_memory(e) for e in errors):
        return grader_report(exercise, "memory", f"Your code ran out of memory (limit {limits.memory_mb} MB).")
    if any(_is_fork_limit(e) for e in errors):
        return grader_report(exercise, "crashed", f"Your code started more processes than allowed "
                             f"({limits.nproc}): a fork bomb?")
    for e in errors:  # the worker's own tripwire on the shipped reference (see worker.poison_reference)
        if e.type == "ReferenceUsed":
            e.kind = "uses-reference"
    from ..judge import judge

    try:
        report = judge(exercise, run)
    except Exception as e:  # noqa: BLE001 - learner-shaped data the judge could not handle: a verdict, not a crash
        return grader_report(exercise, "crashed", f"the checker could not judge what your code handed back "
                             f"({type(e).__name__}: {e})")
    if out.output_cut:
        report.diagnoses.append(Diagnosis("output-limit", f"Your code printed more than {limits.output_kb} KB; "
                                          "the rest of its output was cut off.", severity="warning"))
    return report
