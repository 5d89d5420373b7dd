"""Top-level statements the rule of `program` leaves out (data, tests, loops): the names they bind, and the
functions and classes defined inside their blocks, which a notebook has all the same once the block ran."""
from __future__ import annotations

import ast

TRY_STAR = (ast.TryStar,) if hasattr(ast, "TryStar") else ()  # (3.11+: `except*`)
_BLOCK_WORDS = {ast.If: "an `if` block", ast.For: "a `for` loop", ast.AsyncFor: "a `for` loop",
                ast.While: "a `while` loop", ast.Try: "a `try` block", ast.With: "a `with` block",
                ast.AsyncWith: "a `with` block", **{t: "a `try` block" for t in TRY_STAR},
                **({ast.Match: "a `match` block"} if hasattr(ast, "Match") else {})}


def nested_definitions(node: ast.stmt) -> list[tuple[ast.stmt, str]]:
    """The functions and classes a block the rule leaves out defines (in nested blocks too, not inside functions),
    in source order, with the kind of the outermost block. A branch that a literal condition (`if False:`) never
    takes is skipped."""
    word = _BLOCK_WORDS.get(type(node))
    if word is None:
        return []
    out: list[tuple[ast.stmt, str]] = []

    def visit(block: ast.stmt) -> None:
        test = getattr(block, "test", None)
        if isinstance(block, (ast.If, ast.While)) and isinstance(test, ast.Constant):
            bodies = [block.body] if test.value else [block.orelse]
        else:
            bodies = [getattr(block, f, []) for f in ("body", "orelse", "finalbody")]
            bodies += [h.body for h in getattr(block, "handlers", [])] + [c.body for c in getattr(block, "cases", [])]
        for st in (st for body in bodies for st in body):
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                out.append((st, word))
            elif type(st) in _BLOCK_WORDS:
                visit(st)
    visit(node)
    return out


def bound_names(node: ast.stmt) -> list[str]:
    """Names a left-out statement binds at top level (not inside functions or classes it defines, nor in a branch
    a literal condition never takes)."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            out.append(n.id)
        elif isinstance(n, (ast.Import, ast.ImportFrom)):
            out += [a.asname or a.name.split(".")[0] for a in n.names if a.name != "*"]
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(n.name)
            continue
        if isinstance(n, (ast.If, ast.While)) and isinstance(n.test, ast.Constant):
            stack.extend(n.body if n.test.value else n.orelse)  # (`if False:` binds nothing in the notebook)
        elif not isinstance(n, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(n))
    return out
