"""Learner source → a fresh namespace holding only what the lesson provides and what the source defines."""
from __future__ import annotations

import ast
import builtins
import dis
import inspect
import linecache
import re
import textwrap
import types
from typing import Any

import numpy as np
import torch

from .. import lesson
from .result import ErrorInfo

# Top-level statements kept when learner source is re-executed: definitions and imports, not calls or data.
_KEEP = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


class LoadError(Exception):
    """Learner source that cannot be loaded (syntax error, raised at definition, entry not defined)."""

    def __init__(self, info: ErrorInfo):
        super().__init__(info.message)
        self.info = info


def submission_filename(exercise: str) -> str:
    """The pseudo file name learner code is compiled under, so tracebacks can point at its lines."""
    return f"<your {exercise} code>"


_HELP = re.compile(r"\?{0,2}[A-Za-z_][\w.]*\?{0,2}")  # IPython's `Relu?`, `torch.matmul??`, `?w`


def _ipython_only(line: str) -> bool:
    s = line.strip()
    return s.startswith(("%", "!")) or ("?" in s and _HELP.fullmatch(s) is not None)


def strip_magics(source: str) -> str:
    """Blank out IPython-only lines — magics, shell escapes, help (`%%exercise lin_grad`, `!ls`, `Relu?`) —
    keeping line numbers: the cell ran in the notebook, so its definitions must load here too."""
    return "\n".join("" if _ipython_only(ln) else ln for ln in source.splitlines()) + "\n"


def _is_constant(node: ast.AST) -> bool:
    if not isinstance(node, ast.Assign):
        return False
    try:
        ast.literal_eval(node.value)
        return True
    except ValueError:
        return False


def load(source: str, exercise: str, entry: str) -> tuple[Any, dict[str, Any]]:
    """Execute the definitions in `source` in a fresh namespace; return (the entry object, the namespace)."""
    filename = submission_filename(exercise)
    text = strip_magics(textwrap.dedent(source))
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    try:
        tree = ast.parse(text, filename)
    except SyntaxError as e:
        line = (e.text or "").rstrip("\n")
        raise LoadError(ErrorInfo("SyntaxError", f"line {e.lineno}: {e.msg}", line.strip(), e.lineno)) from None
    tree.body = [n for n in tree.body if isinstance(n, _KEEP) or _is_constant(n)]
    ns: dict[str, Any] = {"__name__": "__tutor_submission__", "__builtins__": builtins}
    ns.update(lesson.LESSON_NAMES)
    try:
        exec(compile(tree, filename, "exec"), ns)
    except Exception as e:  # raised while defining: the learner's line, not ours
        raise LoadError(error_info(e, filename)) from None
    if entry not in ns or ns[entry] is lesson.LESSON_NAMES.get(entry):
        raise LoadError(ErrorInfo("NameError", f"no definition of `{entry}` found in your code", kind="missing-entry"))
    return ns[entry], ns


def error_info(exc: BaseException, filename: str, kind: str = "raises") -> ErrorInfo:
    """Describe an exception by the deepest line of learner code it passed through."""
    line, lineno = "", None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            lineno = tb.tb_lineno
            line = linecache.getline(filename, lineno).strip()
        tb = tb.tb_next
    message = str(exc).split("\n")[0][:500]
    if isinstance(exc, NameError) and kind == "raises":
        kind = "name-error"
    return ErrorInfo(type(exc).__name__, message, line, lineno, kind)


def _codes(obj: Any) -> list[types.CodeType]:
    """Every code object of a function or of a class's methods, nested ones included."""
    funcs = []
    if isinstance(obj, type):
        for cls in obj.__mro__:
            if cls.__module__ == "__tutor_submission__":
                for v in vars(cls).values():
                    v = getattr(v, "__func__", v)
                    if isinstance(v, types.FunctionType):
                        funcs.append(v.__code__)
    elif isinstance(obj, types.FunctionType):
        funcs.append(obj.__code__)
    out, stack = [], list(funcs)
    while stack:
        code = stack.pop()
        out.append(code)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return out


def data_globals(entry: Any, ns: dict[str, Any]) -> list[str]:
    """Names the entry reads from outside its arguments that hold data, or that do not exist at all."""
    found: list[str] = []
    seen: set[int] = set()
    todo = [entry]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for code in _codes(obj):
            for ins in dis.get_instructions(code):
                if ins.opname not in ("LOAD_GLOBAL", "LOAD_NAME"):
                    continue
                name = ins.argval
                if name in ns:
                    value = ns[name]
                    if isinstance(value, (torch.Tensor, np.ndarray)):
                        found.append(name)
                    elif getattr(value, "__module__", None) == "__tutor_submission__":
                        todo.append(value)  # the learner's own helper: look inside it too
                elif not hasattr(builtins, name):
                    found.append(name)
    return list(dict.fromkeys(found))


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
            for node in ast.walk(ast.parse("".join(lines))):
                if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                    return textwrap.dedent("".join(lines[start - 1:node.end_lineno]))
    raise OSError(f"could not find the source of class {cls.__name__}")
