"""What a forked child does: confine itself, trip the shipped reference, run the learner's code, answer."""
from __future__ import annotations

import json
import linecache
import os
import select
from typing import Any, Callable

from . import jail, memory
from .protocol import RESULT_HEAD, Limits, read_frame, result_frame, write_all
from .shared import write_result


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


# The lesson's pieces a case runs beside the learner's code: they compute other gradients than the exercise's own
# (the model case of `relu` needs the lesson's Lin and Mse). Everything else of the lesson that computes a gradient
# is made to raise in the child: whichever the learner's code reaches for, it is not the exercise's own answer.
BESIDE = {"lin_grad": ("forward_and_backward",), "lin": ("Relu", "Mse"), "relu": ("Lin", "Mse"),
          "mse": ("Lin", "Relu"), "cross_entropy": ("Lin", "Relu")}
_GIVEN = {"lin", "relu", "mse", "logsumexp", "log_softmax", "nll", "Module", "tensor", "torch"}  # forward pieces
_FORWARD = {"forward", "__init__", "__call__"}


def poison_reference(exercise: str) -> None:
    """In a child about to run learner code: make every function of the shipped lesson that computes a gradient
    raise when called — the exercise's reference and all the others the harness does not run beside it — even
    when learner code turns off the checker's own tripwires."""
    import builtins
    import types

    from tutor import lesson
    from tutor.exercises import get, names
    from tutor.run.guard import seal

    builtins.__tutor_reference_used__ = ReferenceUsed  # type: ignore[attr-defined]
    ex = get(exercise)
    beside = [getattr(lesson, n) for n in BESIDE.get(ex.name, ()) if hasattr(lesson, n)]
    targets = [ex.reference, *ex.trapped]
    # every other exercise's reference too: forward_and_backward's is exec'd from the lesson's text (not an attribute
    # of the lesson), and its `l1.g = ...` line is ReLU's gradient for a relu check
    targets += [obj for other in names() if other != ex.name for obj in (get(other).reference, *get(other).trapped)
                if not any(obj is b for b in beside)]
    targets += [obj for name, obj in vars(lesson).items() if name not in _GIVEN and not name.startswith("_")
                and isinstance(obj, (type, types.FunctionType)) and getattr(obj, "__module__", "") == lesson.__name__
                and not any(obj is b for b in beside)]
    for obj in targets:
        funcs = [v for k, v in vars(obj).items() if k not in _FORWARD] if isinstance(obj, type) else [obj]
        if obj is ex.reference or any(obj is t for t in ex.trapped):
            funcs = list(vars(obj).values()) if isinstance(obj, type) else [obj]
        for f in funcs:
            f = getattr(f, "__func__", f)
            if isinstance(f, types.FunctionType) and not f.__code__.co_freevars:
                f.__code__ = _reference_tripwire.__code__
    if not any(f.co_freevars for f in ex.reference_codes()):  # every reference function now raises
        seal()


IDLE = 0.1  # seconds without a job before an idle child warms up (checks in a row: it waits for none)


def run_child(job: Callable[[str, str], Any], limits: Limits, iso: jail.Isolation, out_fd: int, setup_w: int,
              result_w: int, job_r: int, workdir: str, warm: tuple[str, int] | None = None,
              shared_w: int = -1) -> None:
    """The forked child: confine, say so on the setup pipe (then close it), wait for the job (warming up first
    when `warm` is given and none comes for a moment), run it, send one result frame and end. With a result
    memfd (`shared_w`), a result's body goes there and the pipe carries only the frame's head."""
    try:
        keep = (setup_w, result_w, job_r) + ((warm[1],) if warm else ()) + ((shared_w,) if shared_w >= 0 else ())
        try:
            jail.confine(limits, iso, out_fd, keep, workdir)
        except BaseException as e:  # noqa: BLE001 - reported to the worker, learner code has not run
            os.write(setup_w, f"could not confine the run: {type(e).__name__}: {e}".encode()[:2000])
            os._exit(71)
        os.write(setup_w, b"ok")
        os.close(setup_w)
        if warm is not None:
            if not select.select([job_r], [], [], IDLE)[0]:
                warm_up(job, *warm)
            os.close(warm[1])
        memory.stop_wiping_freed_memory()
        try:
            exercise = json.loads(read_frame(job_r))["exercise"]
            source = read_frame(job_r).decode("utf-8", "surrogatepass")
        except Exception:  # noqa: BLE001 - the worker dropped this spare (its limits changed, or it is stopping)
            os._exit(0)
        os.close(job_r)
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
            if kind == b"R" and shared_w >= 0 and write_result(shared_w, chunks):
                write_all(result_w, [RESULT_HEAD.pack(b"S", os.fstat(shared_w).st_size)])  # the body is there
            else:
                write_all(result_w, result_frame(kind, chunks))
            os._exit(0)
    finally:
        os._exit(70)


def keep_warm_up_sources() -> int:
    """Before the worker blanks every solution text: put each exercise's first known wrong variant (never a
    right answer) in a memfd, the only place it is kept; an idle run child reads it, warms up and closes it
    before it reads its job. -1 where there is no memfd (run children are then not warmed up)."""
    from tutor.exercises import get, names

    if not hasattr(os, "memfd_create"):
        return -1
    sources = {name: get(name).variants[0].source for name in names() if get(name).variants}
    fd = os.memfd_create("tutor-warm-up", os.MFD_CLOEXEC)
    os.write(fd, json.dumps(sources).encode())
    return fd


def warm_up(job: Callable[[str, str], Any], exercise: str, fd: int) -> None:
    """In an idle run child, before it reads its job: run `exercise`'s known wrong variant once, so that the
    memory and the first-call paths a run of it touches are this child's own already (no copy-on-write faults
    during the learner's run) and the inputs of that exercise's next run are copied already; then forget the
    variant's text. Whatever it prints is dropped."""
    import gc
    import io
    import sys

    streams = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        source = json.loads(os.pread(fd, os.fstat(fd).st_size, 0)).get(exercise)
        if source:
            job(exercise, source).to_chunks()  # (its result is dropped: a variant's other gradients are right)
        from tutor.cases import cases_for
        from tutor.exercises import get
        from tutor.run.harness import prepare_inputs

        prepare_inputs(get(exercise), cases_for(get(exercise).unit))  # the likely next job's fresh copies
    except Exception:  # noqa: BLE001 - warming up is an optimisation: the run itself says what is wrong
        pass
    finally:
        sys.stdout, sys.stderr = streams
    forget_warm_up()


def forget_warm_up() -> None:
    """After the warm-up: nothing of the variant may reach the learner's run (most variants are the lesson's right
    code with one line wrong: a `Model` variant holds a right `Lin`). Drop every hold on its module and collect
    it while freed memory is still wiped; a function of it still reachable raises when called."""
    import gc
    import sys
    import types

    from tutor.run import whole
    from tutor.run.namespace import SUBMITTED

    whole._SIGNATURE[:] = [None, None]
    sys.modules.pop("__tutor_submission__", None)
    linecache.clearcache()
    gc.collect()
    for obj in gc.get_objects():  # (the run's own objects only: the worker froze what it loaded)
        if isinstance(obj, types.FunctionType) and obj.__code__.co_filename.startswith(SUBMITTED):
            obj.__code__ = _tripwire_for(obj.__code__.co_freevars)


def _tripwire_for(freevars: tuple[str, ...]) -> Any:
    """The tripwire's code with these free variables (a function's code can only be swapped for one with as many)."""
    if not freevars:
        return _reference_tripwire.__code__
    names = ", ".join(freevars)
    outer = compile(f"def outer():\n    {names} = {', '.join(['None'] * len(freevars))}\n"
                    f"    def inner(*a, **k):\n        ({names},)\n        raise __tutor_reference_used__('a shipped "
                    "variant was called: the check needs your own code')\n    return inner\n", "<tripwire>", "exec")
    code = next(c for c in outer.co_consts if hasattr(c, "co_consts"))
    return next(c for c in code.co_consts if hasattr(c, "co_consts"))
