"""Learner source → a fresh namespace holding what the lesson provides and the definitions the source makes
(the rule of what checked code may use is in `program`)."""
from __future__ import annotations

import __future__
import ast
import builtins
import inspect
import linecache
import sys
import types
from typing import Any

from .. import lesson
from ..exercises import get
from .entry import FREE_FORMS, fatal_syntax_error, find_entry
from .fits import fitting
from .guard import AutogradUsed
from .bytecode import global_loads, global_stores
from .cells import split_lines, strip_magics
from .needs import definitions_of, needed
from .program import build
from .result import ErrorInfo

__all__ = ["LoadError", "load", "error_info", "data_globals", "globals_where", "strip_magics",
           "submission_filename"]

NOWHERE = "defined nowhere in your code"  # (said of a global: the judge picks its advice by these two)
UNIMPORTABLE = "cannot be imported here"


class LoadError(Exception):
    """Learner source that cannot be loaded (syntax error, raised at definition, entry not defined)."""

    def __init__(self, info: ErrorInfo):
        super().__init__(info.message)
        self.info = info


SUBMITTED = "<your "  # how every pseudo file name of learner code begins


def submission_filename(exercise: str) -> str:
    """The pseudo file name learner code is compiled under, so tracebacks can point at its lines."""
    return f"{SUBMITTED}{exercise} code>"


def _cell_filename(exercise: str, label: str) -> str:
    return submission_filename(exercise) if not label else f"{SUBMITTED}{exercise} code, {label}>"


def _ours(co_filename: str, filename: str) -> bool:
    """Whether a code object was compiled from the learner's source (any of its cells)."""
    return co_filename == filename or co_filename.startswith(filename[:-1] + ", ")


def load(source: str, exercise: str, entry: str, notes: list[str] | None = None) -> tuple[Any, dict[str, Any]]:
    """Execute what `source` defines that the entry needs, by the rule of `program`, in a fresh namespace;
    return (the entry object, the namespace). One-line notes on what was found are added to `notes`."""
    notes = [] if notes is None else notes
    prog = build(source)
    ex = get(exercise.partition("-")[0])  # (the judge loads known variants as "relu-variant")
    names: dict[int, str] = {}
    for cell in prog.cells:
        fname = _cell_filename(exercise, cell.label)
        while fname in names.values():
            fname = fname[:-1] + "'>"
        names[id(cell)] = fname
        linecache.cache[fname] = (len(cell.text), None, [ln + "\n" for ln in split_lines(cell.text)], fname)
    name, how = find_entry(prog, ex)
    _syntax_error(prog, ex, name)
    if not name:
        raise LoadError(ErrorInfo("NameError", f"no definition of `{entry}` found in your code", kind="missing-entry"))
    module = types.ModuleType("__tutor_submission__")  # a real module: `@dataclass` looks its class's module up
    sys.modules[module.__name__] = module
    ns: dict[str, Any] = module.__dict__
    ns["__builtins__"] = builtins
    ns.update(lesson.LESSON_NAMES)
    prog, fit_note = fitting(prog, ex, name)
    statements = needed(prog, name)
    futures = _futures(prog)
    for i, st in enumerate(statements):
        fname = names[id(st.cell)]
        flags = _future_flags(futures, prog, st)
        try:
            # dont_inherit: not this module's `from __future__ import annotations`, only the learner's own
            exec(compile(ast.Module(body=[st.node], type_ignores=[]), fname, "exec", flags, dont_inherit=True), ns)
        except ImportError as e:
            if st.kind not in ("module", "import", "star"):
                raise LoadError(_load_error(e, prog, exercise)) from None
            # (the notebook had it: a course's own `exp` package, fastcore...): named when its names are missed
            where = f" ({st.cell.label})" if st.cell.label else ""
            for bound in st.binds or {"*"}:
                ns.setdefault(_UNIMPORTED, {})[bound] = f"`{ast.unparse(st.node)}`{where}, which {UNIMPORTABLE} " \
                                                        f"({e})"
        except Exception as e:  # raised while defining: the learner's line, not ours
            later = set().union(*(s.binds for s in statements[i + 1:] if s.resets)) if i + 1 < len(statements) else set()
            if not st.binds or not st.binds <= later:  # (a definition replaced later raised in the notebook too)
                raise LoadError(_load_error(e, prog, exercise)) from None
    obj = ns.get(name)
    if obj is None or obj is lesson.LESSON_NAMES.get(name) and name == entry:
        raise LoadError(ErrorInfo("NameError", f"no definition of `{entry}` found in your code", kind="missing-entry"))
    notes += _notes(prog, ex, entry, name, how) + [fit_note] * bool(fit_note)
    notes += _lesson_given(ex, ns)
    ns[_DATA] = dict(prog.data)
    if how == "free":
        from .harness import free_function_layer

        obj = free_function_layer(ex.unit, obj)
    return obj, ns


def _futures(prog: Any) -> list[tuple[int, int, int]]:
    """(cell index, line, compiler flag) of each `from __future__ import ...` in the learner's source."""
    out = []
    for i, cell in enumerate(prog.cells):
        for node in cell.tree.body if cell.tree is not None else ():
            if isinstance(node, ast.ImportFrom) and node.module == "__future__":
                for alias in node.names:
                    feature = getattr(__future__, alias.name, None)
                    if isinstance(feature, type(__future__.annotations)):
                        out.append((i, node.lineno, feature.compiler_flag))
    return out


def _future_flags(futures: list[tuple[int, int, int]], prog: Any, st: Any) -> int:
    """The `__future__` features in force for a statement, as where the learner wrote it: those imported above it,
    in its cell or an earlier one (IPython carries a cell's future imports over to the cells run after it)."""
    if not futures:
        return 0
    at = (next(i for i, c in enumerate(prog.cells) if c is st.cell), st.node.lineno)
    flags = 0
    for cell, line, flag in futures:
        if (cell, line) < at:
            flags |= flag
    return flags


_DATA = "__tutor_data__"  # in the namespace: name -> the cell that bound it from data (for messages only)
_UNIMPORTED = "__tutor_unimported__"  # name (or "*" for a star import) -> the import that failed (messages only)


def _syntax_error(prog: Any, ex: Any, name: str) -> None:
    cell = fatal_syntax_error(prog, ex, name)
    if cell is not None:
        e = cell.error
        line = (e.text or "").rstrip("\n")
        where = f"{cell.label}, " if cell.label else ""
        raise LoadError(ErrorInfo("SyntaxError", f"{where}line {e.lineno}: {e.msg}", line.strip(), e.lineno))


def _load_error(e: BaseException, prog: Any, exercise: str) -> ErrorInfo:
    info = error_info(e, submission_filename(exercise))
    if isinstance(e, NameError) and getattr(e, "name", None) in prog.data:
        info.message += f" (`{e.name}` is set in {_where(prog.data[e.name])} from data, which a check leaves out)"
    return info


def _lesson_given(ex: Any, ns: dict[str, Any]) -> list[str]:
    """Put the lesson's own forward pieces the exercise is given (`lin`, `relu` for forward_and_backward) in `ns`,
    over the learner's: the gradients are checked against the lesson's model. A note when the learner's differ."""
    out = []
    for name in ex.provided:
        given = lesson.LESSON_NAMES.get(name)
        if given is None or ns.get(name) is given:
            continue
        if not _same_forward(ns.get(name), given):
            out.append(f"your `{name}` computes something else than the lesson's `{name}`; {ex.entry} was run with "
                       f"the lesson's, as the exercise asks")
        ns[name] = given
    return out


def _same_forward(mine: Any, given: Any) -> bool:
    """Whether the learner's forward function gives the lesson's values on a small batch (lin, relu, mse)."""
    import torch

    g = torch.Generator().manual_seed(0)
    args = [torch.randn(4, 3, generator=g), torch.randn(3, 2, generator=g), torch.randn(2, generator=g)]
    n = len(inspect.signature(given).parameters)
    try:
        return bool(torch.allclose(mine(*args[:n]), given(*args[:n])))
    except (Exception, AutogradUsed):  # (it is not what runs: the lesson's does)
        return False


def _where(label: str) -> str:
    return label or "your code"


def _notes(prog: Any, ex: Any, entry: str, name: str, how: str) -> list[str]:
    """One-line notes: the name found (when not the lesson's) and the cell checked (when there are cells)."""
    out = []
    if how == "alias" or (how == "cell" and name != entry):
        out.append(f"found `{name}`, checked as `{entry}`")
    elif how == "free":
        sig = FREE_FORMS[entry][1]
        out.append(f"found the book's free function `{name}{sig}`: checked as the {ex.name} exercise, called where "
                   f"the lesson calls `{entry}.bwd`")
    defs = definitions_of(prog, name)
    if defs and defs[-1].inside:
        where = f"{defs[-1].cell.label}, line {defs[-1].node.lineno}" if defs[-1].cell.label else \
            f"line {defs[-1].node.lineno}"
        out.append(f"`{name}` is defined inside {defs[-1].inside} that also runs other code ({where}): checked "
                   "that definition alone, as the notebook holds it once the block has run")
    if not prog.has_cells:
        return out
    cells = list(dict.fromkeys(st.cell.label for st in defs))
    kernel = cells[-1].startswith("cell [")  # a kernel's history: re-running the exercise cell is no news
    if len(cells) > 1 and (not kernel or any(st.cell.exercise != ex.name for st in defs)):
        out.append(f"`{name}` is defined in {', '.join(cells[:-1])} and {cells[-1]}: the last definition counts, "
                   f"as in the notebook, so the one in {cells[-1]} was checked")
    magic = [c for c in prog.cells if c.exercise == ex.name]
    if not magic:
        out.append(f"no `%%exercise {ex.name}` cell: checked the plain definition of `{name}` in {cells[-1]}")
    elif magic and defs[-1].cell.exercise != ex.name and len(cells) == 1:
        out.append(f"checked `{name}` as defined in {cells[-1]}, outside the `%%exercise {ex.name}` cell")
    return out


def error_info(exc: BaseException, filename: str, kind: str = "raises") -> ErrorInfo:
    """Describe an exception by the deepest line of learner code it passed through."""
    line, lineno = "", None
    tb = exc.__traceback__
    while tb is not None:
        code_file = tb.tb_frame.f_code.co_filename
        if _ours(code_file, filename):
            lineno = tb.tb_lineno
            line = linecache.getline(code_file, lineno).strip()
        tb = tb.tb_next
    message = str(exc).split("\n")[0][:500]
    if isinstance(exc, NameError) and kind == "raises":
        kind = "name-error"
    return ErrorInfo(type(exc).__name__, message, line, lineno, kind)


def _functions(obj: Any) -> list[tuple[str, types.FunctionType]]:
    """(name, function) of a learner function, or of every method a learner class (and its learner bases) has."""
    if isinstance(obj, type):
        out = []
        for cls in obj.__mro__:
            if cls.__module__ == "__tutor_submission__":
                for k, v in vars(cls).items():
                    v = getattr(v, "__func__", getattr(v, "fget", v))
                    if isinstance(v, types.FunctionType):
                        out.append((f"{cls.__name__}.{k}", v))
        return out
    obj = getattr(obj, "__wrapped__", obj)  # the book's free function inside the layer that calls it
    return [(obj.__name__, obj)] if isinstance(obj, types.FunctionType) else []


def _global_reads(entry: Any, ns: dict[str, Any]) -> list[tuple[str, str]]:
    """(reader, name) for every global the entry reads, through the learner's own helpers and classes, but those
    its code assigns itself (`global l1` to keep it for a plot): in the notebook as here, it sets them before it
    reads them, or its run raises a NameError that says so."""
    found: list[tuple[str, str]] = []
    stored: set[str] = set()
    seen: set[int] = set()
    todo = [getattr(entry, "__wrapped__", entry)]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        for reader, func in _functions(obj):
            if not func.__code__.co_filename.startswith(SUBMITTED):
                continue  # made by a decorator (`@dataclass`'s __init__), not written by the learner
            stack = [func.__code__]
            while stack:
                code = stack.pop()
                stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
                stored |= global_stores(code)
                for name in global_loads(code):
                    found.append((reader, name))
                    value = ns.get(name)
                    if getattr(value, "__module__", None) == "__tutor_submission__":
                        todo.append(value)  # the learner's own helper or class: look inside it too
    return [(reader, name) for reader, name in found if name not in stored]


def data_globals(entry: Any, ns: dict[str, Any], provided: tuple[str, ...] = ()) -> list[str]:
    """Names the entry reads from outside its arguments that the check does not have: data (left out by the
    rule) or names defined nowhere. `provided`: names the exercise itself puts in the namespace."""
    return list(globals_where(entry, ns, provided))


def globals_where(entry: Any, ns: dict[str, Any], provided: tuple[str, ...] = ()) -> dict[str, str]:
    """Like `data_globals`, each name with a sentence saying who reads it and where it was defined."""
    data, unimported = ns.get(_DATA, {}), ns.get(_UNIMPORTED, {})
    out: dict[str, str] = {}
    for reader, name in _global_reads(entry, ns):
        if name in out or name in ns or name in provided or hasattr(builtins, name):
            continue
        if name in data:
            out[name] = f"`{reader}` reads the global `{name}`, defined in {_where(data[name])} from data"
        elif name in unimported:
            out[name] = f"`{reader}` reads `{name}`, from {unimported[name]}"
        elif "*" in unimported:
            out[name] = f"`{reader}` reads `{name}`, which is {NOWHERE}: perhaps it comes from {unimported['*']}"
        else:
            out[name] = f"`{reader}` reads `{name}`, which is {NOWHERE}"
    return out
