"""tutor: learn backpropagation from scratch, with a checker that names your mistake."""
from . import progress
from .checker import check
from .magic import load_ipython_extension, register_if_in_ipython
from .mnist import MnistError, mnist
from .progress import last_code, passed
from .report import Check, CheckReport, Diagnosis
from .widgets import configure
from .widgets import show_exercise as exercise

# `tutor.progress` is the progress module, callable: `tutor.progress()` displays the dashboard.
register_if_in_ipython()  # `%%exercise` and the CheckReport widget, when imported in a kernel

__all__ = ["check", "mnist", "MnistError", "CheckReport", "Check", "Diagnosis", "exercise", "progress",
           "passed", "last_code", "configure", "load_ipython_extension"]
