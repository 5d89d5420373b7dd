"""The `%%exercise NAME` cell magic: run the cell as usual, check its source, show the exercise widget.

The cell runs in the notebook's namespace (the learner keeps their definitions, and their own
top-level errors show as ordinary tracebacks); then the check runs the cell's source again, fresh,
with the definitions it needs from the kernel's other cells (its input history: functions, classes,
imports and constants, never data; see `tutor.run.program`), so notebook data cannot leak in.
The magic never raises: "Run All" goes on.
"""
from __future__ import annotations

import ast
from typing import Any

from . import exercises
from .kernel_cells import cell_submission

USAGE = f"usage: %%exercise NAME, with NAME one of {', '.join(exercises.names())}"

_last_cell: dict[str, str] = {}  # exercise → the body of its cell as last run (for "Check again")


def _syntax_error(shell: Any, cell: str) -> str:
    """One line describing the cell's syntax error, or '' when it parses."""
    try:
        ast.parse(shell.transform_cell(cell))
    except SyntaxError as e:
        return f"SyntaxError in line {e.lineno}: {e.msg}"
    except (RecursionError, MemoryError) as e:  # (IPython cannot compile it either)
        return f"Python cannot parse this cell: {type(e).__name__}"
    return ""


def _exercise_name(line: str) -> str:
    words = line.split()
    return words[0] if words else ""


def exercise_cell(line: str, cell: str) -> None:
    """`%%exercise NAME`: run the cell, then check it and show the exercise widget below it."""
    from .widgets.display import say

    try:
        _run_and_check(_exercise_name(line), cell)
    except Exception as e:  # the magic never stops "Run All"
        say(f"tutor: could not check this cell ({type(e).__name__}: {e})")


def _run_and_check(name: str, cell: str) -> None:
    from IPython import get_ipython

    from .widgets.display import say, show_view

    shell = get_ipython()
    given, name = name, exercises.canonical(name)
    known = name in exercises.names()
    problem = _syntax_error(shell, cell)
    raised = None
    if problem:
        say(f"{problem} — the cell did not run" + ("; the check below shows the line" if known else ""))
    else:
        raised = getattr(shell.run_cell(cell, store_history=False), "error_in_exec", None)
    if not name:
        say(USAGE)
        return
    if not known:
        say(f"%%exercise: unknown exercise {given!r}; known: {', '.join(exercises.names())}")
        return
    _last_cell[name] = cell
    from .widgets.exercise import ExerciseView

    view = ExerciseView(name, submission=lambda: cell_submission(shell, name, _last_cell.get(name, cell)),
                        recheck=False)  # Shift+Enter re-checks
    try:
        view.run_check()
        if raised is not None and getattr(view, "report", None) is not None:
            view.report.notes.append(_raised_here(raised))
            view.show_report(view.report)
    except Exception as e:  # shown inside the widget, which still appears
        view.show_error(f"{type(e).__name__}: {e}")
    show_view(view)


def _raised_here(e: BaseException) -> str:
    """The note for a cell that raised when it ran in the notebook, whatever its check says."""
    from . import lesson

    given = getattr(e, "name", None) if isinstance(e, NameError) else None
    fresh = f", with the lesson's own `{given}`" if given in lesson.LESSON_NAMES else ""
    return (f"this cell raised {type(e).__name__} in your notebook ({str(e)[:200]}), so the notebook does not have "
            f"what it defines: the check ran it afresh{fresh}. Fix that (run the cell it needs first) before the "
            "cells below use it")


def load_ipython_extension(shell: Any) -> None:
    """Register `%%exercise` and the CheckReport display hook (`%load_ext tutor`, or `import tutor`)."""
    from .widgets.display import register_report_display

    shell.register_magic_function(exercise_cell, magic_kind="cell", magic_name="exercise")
    register_report_display(shell)
    from . import warm
    from .sandbox.session import prestart

    prestart()  # the sandbox worker imports torch and gets ready while the learner reads the first cells
    warm.start(shell)  # ... and the kernel prepares its judge and plots for the notebook's exercises


def register_if_in_ipython() -> None:
    """On `import tutor` inside IPython, register the magic; outside IPython do nothing (and import nothing)."""
    import sys

    if "IPython" not in sys.modules:
        return
    try:
        shell = sys.modules["IPython"].get_ipython()
        if shell is not None:
            load_ipython_extension(shell)
    except Exception as e:  # registering a convenience must never break `import tutor`
        import warnings

        warnings.warn(f"tutor: %%exercise is not available ({type(e).__name__}: {e}); try %load_ext tutor",
                      RuntimeWarning, stacklevel=2)
