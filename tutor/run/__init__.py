"""Run learner code on every case and hand back plain arrays: the only place learner code executes."""
from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ..cases import Case, cases_for
from ..exercises import Exercise, get
from .guard import TRIPPED, AutogradUsed, guarded, imported_traps
from .harness import call_model, call_unit, collect, inputs_for
from .namespace import LoadError, error_info, globals_where, load, submission_filename
from .source import source_of
from .standin import MATTERED, stand_in_for_data
from .result import CaseRun, ErrorInfo, SubmissionRun

__all__ = ["run_submission", "run_entry", "source_of", "SubmissionRun", "CaseRun", "ErrorInfo"]


def run_submission(exercise: str, source: str) -> SubmissionRun:
    """Load learner source in a fresh namespace and run its definition of the exercise on every case."""
    ex = get(exercise)
    notes: list[str] = []
    try:
        entry, ns = load(source, ex.name, ex.entry, notes)
    except LoadError as e:
        return SubmissionRun(ex.name, load_error=e.info, missing_entry=e.info.kind == "missing-entry", notes=notes)
    where = globals_where(entry, ns, getattr(ex, "provided", ()))
    data = stand_in_for_data(where, ns)
    run = SubmissionRun(ex.name, globals_used=list(where), notes=notes, globals_where=where)
    reference_hit = _reference_in(ns, ex)
    if reference_hit:
        run.load_error = ErrorInfo("ReferenceUsed", f"{reference_hit} comes from the tutor package: "
                                   "the check needs your own code, not the shipped reference", kind="uses-reference")
        return run
    for case in cases_for(ex.unit):
        if run.cases and _out_of_memory(run.cases[-1].error):  # it would again: filling the limit is slow
            run.cases.append(CaseRun(case.name, error=run.cases[-1].error))
        else:
            run.cases.append(run_entry(ex, entry, case, submission_filename(ex.name)))
    unused = [n for n in data if n not in MATTERED]  # read, but nothing of its value was needed: as in the notebook
    run.globals_used = [n for n in where if n not in unused]
    notes += [f"{where[n]}, but nothing your code computes from it was needed for a gradient: checked with a "
              "stand-in holding no data" for n in unused]
    imported = imported_traps(ns)
    for crun in run.cases:  # name the import, made at load time, that led there
        if crun.error is not None and crun.error.kind == "uses-autograd" and imported:
            crun.error.message += f"; your code imports `{imported[0]}` from torch's autograd"
    return run


def _out_of_memory(err: ErrorInfo | None) -> bool:
    return err is not None and err.type == "MemoryError"


def run_entry(ex: Exercise, entry: Any, case: Case, filename: str = "", guard: bool = True) -> CaseRun:
    """Run one definition on one case; `guard=False` for our own trusted code (reference, variants)."""
    t = inputs_for(ex, case)
    before = inputs_for(ex, case, copy=False) if guard else {}  # the originals: no snapshot copy needed
    run = CaseRun(case.name)
    hits: list[str] = []
    tripped = len(TRIPPED)
    try:
        if guard:
            with guarded(ex.reference_codes()) as hits, torch.no_grad():
                named, returned = _call(ex, entry, case, t)
        else:
            with torch.no_grad():
                named, returned = _call(ex, entry, case, t)
    except AutogradUsed as e:
        run.error = error_info(e, filename, kind="uses-autograd")
        return run
    except Exception as e:
        run.error = error_info(e, filename)
    if TRIPPED[tripped:]:  # it reached autograd, swallowed that, and carried on (or failed after): autograd it is
        run.error = ErrorInfo("AutogradUsed", _autograd_message(TRIPPED[tripped]), kind="uses-autograd")
    if run.error is not None:
        return run
    if hits:
        run.error = ErrorInfo("ReferenceUsed", f"{hits[0]} from the tutor package was called: the check needs "
                              "your own code, not the shipped reference", kind="uses-reference")
        return run
    collect(ex, case, named, returned, t.get("up"), run)
    run.mutated = [_SHOWN_AS.get(k, k) for k, v in t.items() if k in before and not _same(v, before[k])]
    return run


_BITS = {8: np.int64, 4: np.int32, 2: np.int16, 1: np.int8}


def _same(given: Any, original: torch.Tensor) -> bool:
    """Whether a tensor handed to learner code still equals the original: a large one compared bit for bit through
    an integer view (a third of torch.equal's time on a batch of 1000 digits), a small one by torch.equal."""
    try:
        if type(given) is not torch.Tensor or original.numel() < 16384 or given.dtype != original.dtype or \
                given.shape != original.shape or not (given.is_contiguous() and original.is_contiguous()) or \
                given.is_conj() or given.is_neg():
            return bool(torch.equal(given, original))
        a, b = given.detach().numpy(), original.numpy()
        bits = _BITS[a.itemsize]
        return bool((a.view(bits) == b.view(bits)).all())
    except Exception:  # noqa: BLE001 - whatever learner code made of it: not the tensor it was given
        return False


_SHOWN_AS = {"up": "out.g"}


def _autograd_message(deed: str) -> str:
    return f"your code {deed}, then carried on: compute the gradient by hand"


def _call(ex: Exercise, entry: Any, case: Case, t: dict[str, torch.Tensor]) -> tuple[dict[str, Any], Any]:
    return call_model(ex, entry, t) if case.kind == "model" else call_unit(ex, entry, t)


def _reference_in(ns: dict[str, Any], ex: Exercise) -> str:
    """Name of a shipped reference object the learner's namespace holds or inherits from ('' when none)."""
    codes = ex.reference_codes()
    for name, value in ns.items():
        if name.startswith("__") or name in ("Module", "torch", "tensor"):
            continue
        if getattr(value, "__name__", "") in ("tutor.lesson", "tutor.exercises") or value is ex.reference:
            return name
        classes = value.__mro__ if isinstance(value, type) else ()
        if any(c is ex.reference or c in ex.trapped for c in classes):
            return name
        funcs = [getattr(v, "__func__", v) for c in classes for v in vars(c).values()] or [value]
        if any(getattr(f, "__code__", None) in codes for f in funcs):
            return name
    return ""
