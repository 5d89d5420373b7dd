"""The source text of a learner's live definition (a function, or a class with its learner-written bases)."""
from __future__ import annotations

import ast
import inspect
import linecache
import textwrap
import types
from typing import Any


def source_of(obj: Any) -> str:
    """Source text of a live function or class, including learner-defined base classes (notebook cells too)."""
    if isinstance(obj, type):
        parts = [_class_source(c) for c in reversed(obj.__mro__)
                 if c is not object and c.__module__ not in ("builtins",) and not c.__module__.startswith("tutor")]
        return "\n\n".join(parts)
    return textwrap.dedent(inspect.getsource(obj))


def _class_source(cls: type) -> str:
    try:
        return textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):  # classes defined in IPython cells: find them through a method's cell
        pass
    for v in vars(cls).values():
        v = getattr(v, "__func__", v)
        if isinstance(v, types.FunctionType):
            lines = linecache.getlines(v.__code__.co_filename)
            try:
                tree = ast.parse("".join(lines))
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                    return textwrap.dedent("".join(lines[start - 1:node.end_lineno]))
    raise OSError(f"could not find the source of class {cls.__name__}")


def source_or_none(obj: Any) -> str | None:
    """Like `source_of`, but None where the source cannot be found (a definition is still checked without it)."""
    try:
        return source_of(obj)
    except Exception:  # inspect raises OSError, TypeError and, for odd objects, more
        return None
