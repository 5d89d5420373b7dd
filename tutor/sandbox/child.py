"""What a forked child does: confine itself, trip the shipped reference, run the learner's code, answer."""
from __future__ import annotations

import linecache
import os
from typing import Any, Callable

from . import jail
from .protocol import Limits


class ReferenceUsed(Exception):
    """Learner code called the shipped reference (which, in a worker's child, only raises)."""


def _reference_tripwire(*args: Any, **kwargs: Any) -> None:
    raise __tutor_reference_used__("a function of the shipped reference (tutor.lesson) was called: "  # noqa: F821
                                   "the check needs your own code")


def blank_reference_sources() -> None:
    """Forget every text that holds a solution — references, variants, stubs, the exercise files' code constants —
    so that learner code finds nothing to copy or exec; and every cached source line."""
    import sys

    from tutor.exercises import get, names

    from .solutions import blank_code_constants, blank_exercise, hide_package_lines

    for name in names():
        blank_exercise(get(name))
    for mod_name, module in list(sys.modules.items()):
        if mod_name == "tutor.lesson" or mod_name.startswith("tutor.exercises"):
            blank_code_constants(module)
    linecache.clearcache()
    hide_package_lines(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def poison_reference(exercise: str) -> None:
    """In a child about to run learner code: make the exercise's shipped reference raise when called, even
    when learner code turns off the checker's own tripwires. The harness never calls it for this exercise."""
    import builtins
    import types

    from tutor.exercises import get

    builtins.__tutor_reference_used__ = ReferenceUsed  # type: ignore[attr-defined]
    ex = get(exercise)
    for obj in (ex.reference, *ex.trapped):
        for f in (vars(obj).values() if isinstance(obj, type) else [obj]):
            if isinstance(f, types.FunctionType) and not f.__code__.co_freevars:
                f.__code__ = _reference_tripwire.__code__


def run_child(job: Callable[[str, str], Any], exercise: str, source: str, limits: Limits, iso: jail.Isolation,
           out_fd: int, setup_w: int, result_w: int, workdir: str) -> None:
    """The forked child: confine, say so on the setup pipe (then close it), run the job, send the result."""
    try:
        try:
            jail.confine(limits, iso, out_fd, (setup_w, result_w), workdir)
        except BaseException as e:  # noqa: BLE001 - reported to the worker, learner code has not run
            os.write(setup_w, f"could not confine the run: {type(e).__name__}: {e}".encode()[:2000])
            os._exit(71)
        os.write(setup_w, b"ok")
        os.close(setup_w)
        try:
            poison_reference(exercise)
        except Exception:  # noqa: BLE001 - unknown exercise: the job itself says so
            pass
        me = os.getpid()
        try:
            kind, chunks = b"R", job(exercise, source).to_chunks()
        except MemoryError:
            kind, chunks = b"M", []
        except BaseException as e:  # noqa: BLE001 - SystemExit, KeyboardInterrupt, anything
            kind, chunks = b"X", [f"{type(e).__name__}: {e}".encode("utf-8", "replace")[:1000]]
        if os.getpid() == me:  # a copy forked by learner code does not answer
            for chunk in (kind, *chunks):
                view = memoryview(chunk).cast("B")
                while view:
                    view = view[os.write(result_w, view):]
            os._exit(0)
    finally:
        os._exit(70)
