"""tutor: learn backpropagation from scratch, with a checker that names your mistake."""
from .mnist import MnistError, mnist
from .report import Check, CheckReport, Diagnosis

__all__ = ["mnist", "MnistError", "CheckReport", "Check", "Diagnosis"]
