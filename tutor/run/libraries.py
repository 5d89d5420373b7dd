"""Libraries that differentiate for the learner (sympy, jax, ...), made into stand-ins in a sandbox child.

torch depends on sympy, so it is installed wherever tutor is, and `sympy.diff` of the forward, evaluated with
numpy, passed every exercise without a gradient written by hand; Colab ships jax and tensorflow. In a sandbox
child these packages import as stand-ins: importing them, even at the top of a notebook that shows sympy's
`diff` as the lesson does, is harmless, and calling anything in them ends the run as `uses-autograd`.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

from .guard import trip

# Top-level packages that compute derivatives, symbolically, numerically or by automatic differentiation.
REFUSED = ("sympy", "mpmath", "jax", "jaxlib", "autograd", "tensorflow", "tf_keras", "keras", "theano", "aesara",
           "pytensor", "casadi", "numdifftools", "findiff", "mxnet", "paddle", "tinygrad", "micrograd", "chainer",
           "scipy")  # (scipy.differentiate.derivative meets the float64 tolerance on a softmax: Colab ships it)


def refused(module: str) -> str | None:
    """The refused package a module name belongs to, or None."""
    top = module.partition(".")[0]
    return top if top in REFUSED else None


class _StandIn:
    """Whatever learner code takes from a refused package: it can be named and passed around, not used."""

    def __init__(self, path: str) -> None:
        object.__setattr__(self, "_path", path)

    def __getattr__(self, name: str) -> Any:
        return _stand_in(self._path, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        trip(f"used {refused(self._path)} ({self._path}), a library that differentiates for you")

    def __repr__(self) -> str:
        return f"<{self._path}: refused while tutor checks>"


class _RefusedModule(types.ModuleType):
    def __getattr__(self, name: str) -> Any:
        return _stand_in(self.__name__, name)


def _stand_in(path: str, name: str) -> _StandIn:
    """The stand-in for `path.name`; a dunder is missing, as on any object (copy, pickle and hasattr look)."""
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    return _StandIn(f"{path}.{name}")


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        return importlib.machinery.ModuleSpec(name, self, is_package=True) if refused(name) else None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _RefusedModule(spec.name)
        module.__path__ = []  # a package: `from sympy.core.function import Derivative` finds stand-ins too
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        pass


def refuse_differentiating_libraries() -> None:
    """From now on, in this process, the packages in REFUSED import as stand-ins (those imported already too)."""
    for name in [n for n in sys.modules if refused(n)]:
        real = sys.modules.pop(name)
        stand_in = _Finder().create_module(importlib.machinery.ModuleSpec(name, None))
        for module in list(sys.modules.values()):  # e.g. torch.utils._sympy's own `sympy`
            d = getattr(module, "__dict__", None)
            if isinstance(d, dict):
                for key in [k for k, v in d.items() if v is real]:
                    d[key] = stand_in
    sys.meta_path.insert(0, _Finder())
