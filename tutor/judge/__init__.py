"""The verdict: compare a `SubmissionRun` with the reference and torch autograd, stage by stage."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..cases import TOLERANCE, Case, autograd_grads, case_by_name, unit_inputs
from ..exercises import Exercise, get
from ..report import Check, CheckReport, Diagnosis
from ..run import run_entry
from ..run.harness import expected_names
from ..run.namespace import LoadError, load
from ..run.result import CaseRun, SubmissionRun
from .compare import Closeness, closeness, shape_str
from .diagnose import (diagnose_error, diagnose_globals, diagnose_not_finite, diagnose_problem, diagnose_value, owner,
                       raised)
from .found import Found
from .samples import samples
from .pieces import RAN, blocked_by_pieces, case_label, downstream, part_names, piece_runs, whole_names

__all__ = ["judge"]


@lru_cache(maxsize=None)
def reference_run(name: str, case: Case) -> CaseRun:
    """The reference implementation on a case (cached: cases are fixed)."""
    ex = get(name)
    return run_entry(ex, ex.reference, case, guard=False)


@lru_cache(maxsize=None)
def variant_run(name: str, index: int, case: Case) -> CaseRun:
    """A known wrong variant on a case (cached; only computed when a failure needs naming)."""
    ex = get(name)
    try:
        entry, _ = load(ex.variants[index].source, f"{name}-variant", ex.entry)
    except LoadError:
        return CaseRun(case.name)
    return run_entry(ex, entry, case, guard=False)


@lru_cache(maxsize=None)
def _autograd_arrays(unit: str, case: Case) -> dict[str, np.ndarray]:
    """torch autograd's gradients on a case as arrays (views of the cached tensors: made once)."""
    return {k: v.numpy() for k, v in autograd_grads(unit, case).items()}


@lru_cache(maxsize=None)
def _scale(name: str, case: Case, tensor: str, stage: str) -> float:
    """max|expected| of a reference or autograd gradient (fixed per case, so computed once)."""
    if stage == "reference":
        values = reference_run(name, case).values[tensor]
    else:
        values = autograd_grads(get(name).unit, case)[tensor].numpy()
    return float(np.max(np.abs(values)))


@lru_cache(maxsize=None)
def _reference_vs_autograd(name: str, case: Case, tensor: str) -> float:
    """max|reference - autograd| for one gradient on a case (fixed, so computed once)."""
    ref = reference_run(name, case).values[tensor]
    return float(np.max(np.abs(ref - autograd_grads(get(name).unit, case)[tensor].numpy())))


def _passes_by_triangle(name: str, case: Case, tensor: str, chk: Check, tol: float) -> bool:
    """After the reference stage passed: |got - autograd| <= |got - reference| + |reference - autograd|. When that
    bound is within tolerance the autograd stage passes without comparing the arrays again; the bound (within a
    rounding error of the exact distance) is what `chk` then shows."""
    if chk.stage != "reference" or chk.max_abs_err is None or not np.isfinite(chk.max_abs_err):
        return False
    bound = chk.max_abs_err + _reference_vs_autograd(name, case, tensor)
    rel = bound / max(_scale(name, case, tensor, "autograd"), 1e-12)
    if rel > tol:
        return False
    chk.stage, chk.max_abs_err, chk.rel_err = "autograd", bound, rel
    return True


def judge(exercise: str, run: SubmissionRun) -> CheckReport:
    """Judge what learner code gave back; the learner's code is not touched here."""
    ex = get(exercise)
    report = CheckReport(ex.name, passed=False, title=ex.title, notes=list(run.notes))
    if run.load_error is not None:
        err = run.load_error
        if run.missing_entry:
            report.diagnoses.append(Diagnosis("not-defined", err.message + "."))
        else:
            report.diagnoses.append(diagnose_error(err, ex, lambda: []))
        report.checks.append(Check("loads", False, f"{err.type}: {err.message}", stage="runs"))
        return report
    with np.errstate(all="ignore"):  # (learner values that overflow are judged as inf/nan, never a warning)
        _judge_cases(ex, run, report)
    run.globals_used = [n for n in run.globals_used if n not in ex.provided]  # w1..b2: the checker sets them
    if run.globals_used:
        names = ", ".join(f"`{n}`" for n in run.globals_used)
        report.diagnoses.insert(0, diagnose_globals(run))
        report.checks.append(Check("uses only its arguments", False, f"reads {names}", stage="runs"))
    report.passed = all(c.passed for c in report.checks) and not report.errors
    report.diagnoses = _dedupe(report.diagnoses)
    report.samples = samples(ex, run, report)
    return report


def _judge_cases(ex: Exercise, run: SubmissionRun, report: CheckReport) -> None:
    """Every case: the pieces alone first (their failures block what depends on them), then the model."""
    found = Found()
    cases = sorted(((case_by_name(c.case), c) for c in run.cases), key=lambda cc: cc[0].kind != "unit")
    failed: dict[str, set[str]] = {}  # piece ("" for the exercise itself) -> its values that failed alone
    if ex.unit == "model":
        own = _helpers_of_their_own(ex, cases)
        if own:
            report.notes.append(f"your {' and '.join(own)} {'do' if len(own) > 1 else 'does'} not set `inp.g` as the "
                                "book's does (a helper of your own that returns its gradient, say): checked inside "
                                f"{ex.entry} only, where the whole step is right")
        for case, crun in cases:
            if case.kind == "unit" and crun.error is not None:  # a piece raised: its own line says which
                report.checks.append(Check(f"{case.name} · your pieces", False, raised(crun.error), case=case.name,
                                           stage="runs"))
                found.adder(case, "", crun)(diagnose_error(crun.error, ex, lambda: []))
                failed.setdefault("the pieces", set()).add("")
            for piece, part, sub in piece_runs(ex, case, crun):
                if piece in own:
                    continue
                before = len(report.checks)
                _judge_case(part, case, sub, report, found, names=tuple(n for n in part_names(ex, piece)
                            if n in sub.values or n in sub.problems), piece=piece)
                if any(not c.passed for c in report.checks[before:]):
                    failed.setdefault(piece, set()).add("")
        for case, crun in cases:
            if case.kind == "model":
                _judge_case(ex, case, crun, report, found, names=whole_names(ex, case),
                            blocked=blocked_by_pieces(failed))
    else:
        for case, crun in cases:
            blocked = downstream(ex.unit, failed.get("", set()), crun.error) if case.kind == "model" else {}
            before = len(report.checks)
            _judge_case(ex, case, crun, report, found, blocked=blocked)
            if case.kind == "unit":
                failed.setdefault("", set()).update(c.tensor for c in report.checks[before:] if not c.passed)
                if crun.error is not None:
                    failed[""].add(RAN)
    report.diagnoses.extend(found.ordered(run))


# The book's optional helpers of the whole step: a learner's own function of that name may follow another protocol.
_OPTIONAL_HELPERS = ("relu_grad", "mse_grad")


def _helpers_of_their_own(ex: Exercise, cases: list[tuple[Case, CaseRun]]) -> list[str]:
    """The optional helpers (`relu_grad`, `mse_grad`) that, called alone as the book's, set no `inp.g` at all, when
    the whole model is right without judging them: the learner's own helpers, not wrong ones of the book's."""
    quiet = set()
    for case, crun in cases:
        for piece, _, sub in piece_runs(ex, case, crun):
            if piece in _OPTIONAL_HELPERS and sub.problems.get("inp.g") == "missing" and "inp.g" not in sub.values:
                quiet.add(piece)
    if not quiet:
        return []
    scratch = CheckReport(ex.name, passed=False)
    for case, crun in cases:
        if case.kind == "model":
            _judge_case(ex, case, crun, scratch, Found(), names=whole_names(ex, case))
    right = bool(scratch.checks) and all(c.passed for c in scratch.checks)
    return sorted(quiet) if right else []


def _judge_case(ex: Exercise, case: Case, crun: CaseRun, report: CheckReport, found: "Found",
                names: tuple[str, ...] | None = None, piece: str = "", blocked: dict[str, str] | None = None) -> None:
    tol = TOLERANCE[case.dtype]
    ref = reference_run(ex.name, case)
    auto = _autograd_arrays(ex.unit, case)
    variants = _lazy(lambda: [(i, variant_run(ex.name, i, case)) for i in range(len(ex.variants))])
    unit = case.kind == "unit" and ex.unit != "model"
    context = {k: v.numpy() for k, v in unit_inputs(ex.unit, case, copy=False).items()} if unit else {}
    add = found.adder(case, piece, crun)
    for name in names if names is not None else expected_names(ex, case):
        key = f"{piece}: {name}" if piece else name
        label = f"your {piece} alone · {case_label(case)} · {name}" if piece else f"{case_label(case, ex)} · {name}"
        expected = ref.values[name]
        chk = Check(label, False, "", case=case.name, tensor=key, expected_shape=tuple(expected.shape), tol=tol)
        report.checks.append(chk)
        if blocked and name in blocked:
            chk.stage, chk.message = "not checked", f"not checked: needs {blocked[name]}"
            continue
        if crun.error is not None:
            chk.stage, chk.message = "runs", raised(crun.error)
            add(diagnose_error(crun.error, ex, variants, case.n))
            continue
        got = crun.values.get(name)
        if got is None:
            problem = crun.problems.get(name, "missing")
            chk.stage, chk.message = "exists", f"{name} {problem}"
            add(diagnose_problem(name, problem, expected, crun, tol))
            continue
        chk.got_shape = tuple(got.shape)
        dtype = crun.problems.get(name, "")  # a value of another dtype than its tensor: named unless worse is wrong
        if dtype:
            add = found.adder(case, piece, crun, dtype=(name, dtype))
        if got.shape != expected.shape:
            chk.stage = "shape"
            chk.message = f"{name} has shape {shape_str(got.shape)} but {owner(name)} has shape " \
                          f"{shape_str(expected.shape)}"
            add(diagnose_value(name, got, expected, case, ex, tol, variants, context), got, expected)
            continue
        first = _closeness(ex, case, name, got, expected, context, tol, "reference")
        if not np.isfinite(first[1].max_abs):  # (the reference is finite: nan or inf in got, or a float32 overflow)
            bad = int(np.size(got) - np.isfinite(got).sum())
            if bad:
                chk.stage, chk.message = "finite", f"{name} has {bad} non-finite entries (nan or inf)"
                add(diagnose_not_finite(name, got, ex, variants))
                continue
        for stage, target in (("reference", expected), ("autograd", auto.get(name))):
            if target is None:
                continue
            if stage == "reference":
                adjusted, c = first
            else:
                adjusted = _subgradient(ex, case, name, got, target, context)
                if adjusted is target and _passes_by_triangle(ex.name, case, name, chk, tol):
                    continue
                c = _closeness(ex, case, name, got, target, context, tol, stage, adjusted)[1]
            chk.stage, chk.max_abs_err, chk.rel_err, chk.worst_index = stage, c.max_abs, c.rel, c.worst
            if not c.ok:
                against = "the reference" if stage == "reference" else "torch autograd"
                chk.message = (f"{name} differs from {against}: max abs error {c.max_abs:.3g} at {list(c.worst)}, "
                               f"relative error {c.rel:.3g} > {tol:g}" + (f" ({name} is {dtype})" if dtype else ""))
                measured = c if stage == "reference" and adjusted is target else None
                add(diagnose_value(name, got, expected, case, ex, tol, variants, context, measured), got, expected)
                break
        else:
            if dtype:
                chk.stage, chk.message = "dtype", f"{name} is {dtype}"
                add(diagnose_problem(name, dtype, expected, crun, tol))
                continue
            chk.passed = True
            chk.message = f"max abs error {chk.max_abs_err:.2g}, relative error {chk.rel_err:.2g} ≤ {tol:g}"
        add = found.adder(case, piece, crun)
    for name in crun.mutated:
        add(Diagnosis("mutates-input", f"your code changed `{name}` in place (an in-place op such as `clamp_min_` "
                      "or `+=`, in forward or backward). A layer should only read its inputs: other layers still "
                      "need them unchanged.", name, severity="warning"))


def _closeness(ex: Exercise, case: Case, name: str, got: np.ndarray, target: np.ndarray,
               context: dict[str, np.ndarray], tol: float, stage: str,
               adjusted: np.ndarray | None = None) -> tuple[np.ndarray, Closeness]:
    """(what `got` is compared with, how close it is): the target, or ReLU's choice at 0 taken where it applies.
    Compared first, before any check for nan or inf: a finite distance proves there is none (one pass less)."""
    if adjusted is None:
        adjusted = _subgradient(ex, case, name, got, target, context)
    scale = _scale(ex.name, case, name, stage) if adjusted is target else None
    return adjusted, closeness(got, adjusted, tol, scale=scale)


def _subgradient(ex: Exercise, case: Case, name: str, got: np.ndarray, expected: np.ndarray,
                 context: dict[str, np.ndarray]) -> np.ndarray:
    """At inputs exactly 0, ReLU's gradient may be 0 or pass through: accept whichever the learner chose.

    Returns `expected` itself when nothing needs adjusting (callers rely on the identity to reuse its scale)."""
    if ex.unit != "relu" or case.kind != "unit" or name != "inp.g" or got.shape != expected.shape:
        return expected
    at_zero = np.flatnonzero(context["inp"] == 0)  # (few: only there is a choice to look at)
    if at_zero.size == 0:
        return expected
    g, up = got.reshape(-1)[at_zero], context["up"].reshape(-1)[at_zero]
    # np.isclose(g, 0, atol=1e-12) | np.isclose(g, up, rtol=1e-6, atol=1e-12), written out (both are finite here)
    either = (np.abs(g) <= 1e-12) | (np.abs(g - up) <= 1e-12 + 1e-6 * np.abs(up))
    adjusted = expected.copy()
    adjusted.reshape(-1)[at_zero[either]] = g[either]
    return adjusted


def _lazy(fn):
    cache: list = []

    def get_once():
        if not cache:
            cache.append(fn())
        return cache[0]
    return get_once


def _dedupe(diagnoses: list[Diagnosis]) -> list[Diagnosis]:
    """One diagnosis per code; an error raised outside the learner's lines is only a knock-on when others exist."""
    own = [d for d in diagnoses if d.severity == "error" and not (d.code == "raises" and not d.line)]
    if own:
        diagnoses = [d for d in diagnoses if not (d.code == "raises" and not d.line)]
    # "the numbers are right, the shape is not" holds on one case only when the same gradient is wrong on another
    # (`b.g = out.g.sum()`: right on a 1-wide layer): what is wrong on the other case is the mistake
    deeper = {d.tensor for d in diagnoses if d.severity == "error" and d.code != "wrong-shape" and d.tensor}
    diagnoses = [d for d in diagnoses if not (d.code == "wrong-shape" and d.tensor in deeper)]
    # "w.g was never set" says nothing more where another case found where w's gradient went instead
    found = {d.tensor for d in diagnoses if d.code in ("wrong-attribute", "returns-instead-of-setting")}
    diagnoses = [d for d in diagnoses if not (d.code == "missing-grad" and d.tensor in found)]
    seen, out = set(), []
    for d in diagnoses:
        if d.code not in seen:
            seen.add(d.code)
            out.append(d)
    return out
