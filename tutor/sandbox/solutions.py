"""Blanking what learner code must not find in a sandbox child: every text of the shipped solutions."""
from __future__ import annotations

import dataclasses
import linecache
import os
import types
from typing import Any

_CODE_MARKS = ("=", "def ", "return", "\n")  # a text that may hold code (names, labels and codes are kept)


def _blank(value: Any) -> Any:
    """The same structure with every code-like string emptied (non-text values kept as they are)."""
    if isinstance(value, str):
        return "" if any(m in value for m in _CODE_MARKS) else value
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)) and not hasattr(value, "_fields"):
        return type(value)(_blank(v) for v in value)
    return value


def blank_code_constants(module: types.ModuleType) -> None:
    """Empty a module's UPPERCASE text constants (and containers of them) that may hold code."""
    for name, value in list(vars(module).items()):
        if name.isupper() and isinstance(value, (str, dict, tuple, list)):
            setattr(module, name, _blank(value))


def blank_exercise(ex: Any) -> None:
    """An exercise spec without its reference text, stub or wrong variants' code (frozen: set through object)."""
    object.__setattr__(ex, "reference_source", "")
    object.__setattr__(ex, "stub", "")
    object.__setattr__(ex, "variants", tuple(dataclasses.replace(v, source="") for v in ex.variants))


def hide_package_lines(package_dir: str) -> None:
    """Make linecache (which `inspect.getsource` reads through) return nothing for the package's own files."""
    prefix = os.path.realpath(package_dir) + os.sep
    original = linecache.updatecache

    def updatecache(filename: str, module_globals: Any = None) -> list[str]:
        if os.path.realpath(filename).startswith(prefix):
            return []
        return original(filename, module_globals)
    linecache.updatecache = updatecache  # type: ignore[assignment]
