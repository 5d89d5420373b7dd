"""The exercises, one module each; `get(name)` and `names()` look them up."""
from __future__ import annotations

from .spec import Exercise, Variant

_MODULES = ("lin_grad", "forward_and_backward", "relu", "mse", "lin", "model", "cross_entropy")


class UnknownExercise(KeyError):
    """An exercise name that does not exist."""

    def __str__(self) -> str:
        return str(self.args[0])


def names() -> list[str]:
    """Exercise names in lesson order."""
    return list(_MODULES)


def canonical(name: str) -> str:
    """The exercise a `%%exercise NAME` line means: its name or the class it asks for, in any case and with or without
    underscores or hyphens (`CrossEntropy`, `cross-entropy`, `Relu` → `cross_entropy`, `relu`); else `name`
    lower-cased."""
    for known in _MODULES:
        if name.replace("_", "").replace("-", "").lower() == known.replace("_", ""):
            return known
    return name.lower()


def get(name: str) -> Exercise:
    """The exercise called `name`; UnknownExercise lists the known ones when there is none."""
    if name not in _MODULES:
        raise UnknownExercise(f"unknown exercise {name!r}; known: {', '.join(_MODULES)}")
    from importlib import import_module

    return import_module(f"{__name__}.{name}").EXERCISE


__all__ = ["Exercise", "Variant", "UnknownExercise", "canonical", "get", "names"]
