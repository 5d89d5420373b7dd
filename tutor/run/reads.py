"""The global names a top-level statement reads, from the compiler's own symbol table."""
from __future__ import annotations

import ast

import _symtable  # (the raw tables `symtable` wraps: its wrapper spent ~1.5 ms a model run building objects)

from .cells import split_lines

_GLOBAL = (_symtable.GLOBAL_IMPLICIT, _symtable.GLOBAL_EXPLICIT)


def statement_reads(node: ast.stmt, text: str = "") -> set[str]:
    """The global names a statement reads: at top level, and inside its functions and class bodies. `text`: the
    source the statement was parsed from (its own lines are read again; else it is unparsed, which is slower)."""
    try:
        top = _symtable.symtable(lines_of(node, text), "<statement>", "exec")
    except (SyntaxError, ValueError, RecursionError, IndexError):
        try:
            top = _symtable.symtable(ast.unparse(node), "<statement>", "exec")
        except (SyntaxError, ValueError, RecursionError):
            return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    out = {name for name, flags in top.symbols.items() if flags & _symtable.USE}
    declared: set[str] = set()
    stack = list(top.children)
    while stack:
        table = stack.pop()
        out.update(name for name, flags in table.symbols.items()
                   if flags & _symtable.USE and (flags >> _symtable.SCOPE_OFF) & _symtable.SCOPE_MASK in _GLOBAL)
        declared.update(name for name, flags in table.symbols.items() if flags & _symtable.DEF_GLOBAL)
        stack += table.children
    return out | _augmented(node, declared) if declared else out


def _augmented(node: ast.stmt, declared: set[str]) -> set[str]:
    """Of the names declared `global`, those added to (`global n_calls` then `n_calls += 1`): a read the symbol
    table does not mark (it counts an augmented assignment as a store only)."""
    return {a.target.id for a in ast.walk(node)
            if isinstance(a, ast.AugAssign) and isinstance(a.target, ast.Name) and a.target.id in declared}


def lines_of(node: ast.stmt, text: str) -> str:
    """The statement's own source, decorators included (offsets are UTF-8 bytes, as `ast` counts them)."""
    if not text or node.end_lineno is None or node.end_col_offset is None:
        raise ValueError("no source to read")
    decorators = getattr(node, "decorator_list", [])
    start = min([node.lineno] + [d.lineno for d in decorators])
    lines = [ln.encode() for ln in split_lines(text)[start - 1:node.end_lineno]]
    lines[-1] = lines[-1][:node.end_col_offset]
    if start == node.lineno:
        lines[0] = lines[0][node.col_offset:]  # (only after `;` is a top-level statement not at column 0)
    return b"\n".join(lines).decode() + "\n"
