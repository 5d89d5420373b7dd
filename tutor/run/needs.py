"""Which kept statements of a program a check needs: for each name its last definition, and what those read."""
from __future__ import annotations

import builtins

from .program import Program, Statement


def needed(prog: Program, entry: str) -> list[Statement]:
    """The kept statements the entry needs, in source order: for each name, its last definition (and what is
    attached to it afterwards), then the same for every name those read — as bound when the statement ran
    and as bound at the end (a function body reads the final binding)."""
    end = len(prog.kept)
    chosen: set[int] = set()
    todo, seen = [(entry, end)], set()
    while todo:
        name, limit = todo.pop()
        if (name, limit) in seen:
            continue
        seen.add((name, limit))
        binders = [i for i in range(limit) if name in prog.kept[i].binds]
        resets = [i for i in binders if prog.kept[i].resets]
        start = resets[-1] if resets else 0
        stars = [i for i in range(limit) if prog.kept[i].kind == "star"] if not binders and _unbound(prog, {name}) else []
        for i in [b for b in binders if b >= start] + stars:
            if i not in chosen:
                chosen.add(i)
                for read in prog.kept[i].reads:
                    todo += [(read, i), (read, end)]
    return [prog.kept[i] for i in sorted(chosen)]


def _unbound(prog: Program, names: set[str]) -> bool:
    """Whether some wanted name has no kept binding (a star import may be where it comes from)."""
    from .. import lesson

    bound = set().union(*(st.binds for st in prog.kept)) if prog.kept else set()
    return any(n not in bound and n not in prog.data and n not in lesson.LESSON_NAMES and not hasattr(builtins, n)
               for n in names)


def definitions_of(prog: Program, name: str) -> list[Statement]:
    """The kept statements that bind `name` from scratch (its definitions, in order)."""
    return [st for st in prog.kept if name in st.binds and st.resets]
