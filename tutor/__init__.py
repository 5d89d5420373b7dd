"""tutor: learn backpropagation from scratch, with a checker that names your mistake.

`import tutor` is light (no torch): the checker, MNIST and the report classes load on first use, so the
`tutor` command's `list` and `--help` answer at once, and a kernel shows `%%exercise` right away.
"""
from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

from . import progress
from .magic import load_ipython_extension, register_if_in_ipython
from .progress import last_code, passed, passing_code
from .widgets import configure
from .widgets import show_exercise as exercise

# name → (module, attribute), imported on first use
_LAZY = {
    "check": ("attempt", "check"),
    "definitions": ("run.entry", "definitions"),
    "mnist": ("mnist", "mnist"),
    "MnistError": ("mnist", "MnistError"),
    "CheckReport": ("report", "CheckReport"),
    "Check": ("report", "Check"),
    "Diagnosis": ("report", "Diagnosis"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(import_module(f".{module}", __name__), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'tutor' has no attribute {name!r}")


class _Package(types.ModuleType):
    """Keeps `tutor.mnist` the function: importing the submodule `tutor.mnist` must not replace it."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _LAZY and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


class _Progress(types.ModuleType):
    """`tutor.progress()` displays the dashboard while `tutor.progress` stays the progress module."""

    def __call__(self) -> None:
        from .widgets.progress_view import show_progress_dashboard

        show_progress_dashboard()


sys.modules[__name__].__class__ = _Package
progress.__class__ = _Progress

register_if_in_ipython()  # `%%exercise` and the CheckReport widget, when imported in a kernel

__all__ = ["check", "mnist", "MnistError", "CheckReport", "Check", "Diagnosis", "exercise", "progress",
           "passed", "last_code", "passing_code", "configure", "load_ipython_extension"]
