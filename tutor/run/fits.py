"""Which definition of the Model a check takes when the last one cannot be the exercise's: the lesson itself
redefines `Model(n_in, nh, n_out)` for its autograd section, after the hand-written `Model(w1, b1, w2, b2)`."""
from __future__ import annotations

import ast
import dataclasses
from typing import TYPE_CHECKING

from .needs import definitions_of
from .program import Program, Statement

if TYPE_CHECKING:
    from ..exercises import Exercise

_LESSON_ARGS = (4, 0)  # Model(w1, b1, w2, b2), or Model() reading them from the notebook


def _init_takes(st: Statement) -> str | None:
    """The parameters of a class definition's own `__init__` when it can take neither of the lesson's calls
    (None when it can, or when it cannot be told from the text: inherited, an alias, a decorator's)."""
    node = st.node
    if not isinstance(node, ast.ClassDef) or node.decorator_list:
        return None
    init = next((f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
    if init is None or init.decorator_list:
        return None
    a = init.args
    positional = [*a.posonlyargs, *a.args][1:]  # (without self)
    required = len(positional) - len(a.defaults)
    required_kw = [k for k, d in zip(a.kwonlyargs, a.kw_defaults) if d is None]
    if any(required <= n and (n <= len(positional) or a.vararg) for n in _LESSON_ARGS) and not required_kw:
        return None
    return ", ".join(p.arg for p in positional)


def fitting(prog: Program, ex: Exercise, name: str) -> tuple[Program, str]:
    """`prog` without the Model definitions after the last one the lesson's call fits, when there is one (and
    whatever they attached to it), with a note saying which was checked; else `prog` as it is and ''."""
    if ex.unit != "model":
        return prog, ""
    defs = definitions_of(prog, name)
    if not defs or _init_takes(defs[-1]) is None:
        return prog, ""
    fits = [st for st in defs if _init_takes(st) is None]
    if not fits:
        return prog, ""
    cut = prog.kept.index(fits[-1])
    kept = prog.kept[:cut + 1] + [st for st in prog.kept[cut + 1:] if name not in st.binds]
    late = defs[-1]
    where = f" in {late.cell.label}" if late.cell.label else f" on line {late.node.lineno}"
    keep = f" in {fits[-1].cell.label}" if fits[-1].cell.label else f" on line {fits[-1].node.lineno}"
    note = (f"the `{name}` defined{where} takes ({_init_takes(late)}), not the lesson's {ex.signature} (the lesson's "
            f"autograd version, say): checked the one defined{keep}")
    return dataclasses.replace(prog, kept=kept), note
