"""tutor: learn backpropagation from scratch, with a checker that names your mistake."""
from .checker import check
from .mnist import MnistError, mnist
from .report import Check, CheckReport, Diagnosis

__all__ = ["check", "mnist", "MnistError", "CheckReport", "Check", "Diagnosis"]
