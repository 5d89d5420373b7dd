"""Which definition in learner source answers an exercise (the lesson's name, the names learners use, the book's
free functions), and the excerpt of a notebook that a check of it runs."""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from .cells import Cell, strip_magics
from .needs import definitions_of, needed
from .program import Program, build

if TYPE_CHECKING:
    from ..exercises import Exercise

# Names learners give the lesson's pieces, compared lower-case without underscores.
ALIASES = {"lin_grad": ("lingrad", "lineargrad"),
           "Relu": ("relu", "relulayer", "relumodule"),
           "Lin": ("lin", "linear", "linlayer", "linearlayer", "linmodule"),
           "Mse": ("mse", "mseloss", "lossmse", "mselayer", "meansquarederror"),
           "CrossEntropy": ("crossentropy", "crossentropyloss", "celoss", "softmaxcrossentropy", "ce", "crossent",
                            "crossentropylayer", "softmaxcrossentropyloss", "softmaxce")}
# The book's free gradient functions (fastbook ch. 17, course-v3): forms of a class exercise.
FREE_FORMS = {"Relu": ("relu_grad", "(inp, out)"), "Mse": ("mse_grad", "(inp, targ)")}


def plain(name: str) -> str:
    """A name compared the forgiving way: lower-case, no underscores."""
    return name.replace("_", "").lower()


def _acceptable(prog: Program, ex: Exercise, name: str) -> bool:
    return prog.kinds.get(name) in (("class", "import") if ex.style == "class" else ("def", "import"))


def find_entry(prog: Program, ex: Exercise, in_cell: bool = False) -> tuple[str, str]:
    """The name in the source that answers the exercise, and how it was found: exact | alias | free | cell
    (('', '') when none does)."""
    entry = ex.entry
    magic = [c for c in prog.cells if c.exercise == ex.name][-1:]
    bound = list(dict.fromkeys(n for st in reversed(prog.kept) for n in st.binds))[::-1]  # by last binding
    if magic and not in_cell:  # what its (last) `%%exercise` cell defines comes first: `MSE` there beats `Mse`
        own = Program(prog.cells, [st for st in prog.kept if st.cell is magic[0]], kinds=prog.kinds)
        found = find_entry(own, ex, in_cell=True)
        if found[0]:
            return found
    if entry in bound and _acceptable(prog, ex, entry):
        return entry, "exact"
    aliases = [n for n in bound if plain(n) in ALIASES.get(entry, ()) and _acceptable(prog, ex, n)]
    if aliases:
        return aliases[-1], "alias"
    free = FREE_FORMS.get(entry)
    if free:
        funcs = [n for n in bound if plain(n) == plain(free[0]) and prog.kinds.get(n) == "def"]
        if funcs:
            return funcs[-1], "free"
    for cell in reversed(prog.cells):  # a `%%exercise NAME` cell defining one thing of the right kind
        if cell.exercise == ex.name:
            own = {n for st in prog.kept if st.cell is cell and st.kind in ("class", "def") for n in st.binds
                   if _acceptable(prog, ex, n)}
            if len(own) == 1:
                return own.pop(), "cell"
            break
    return "", ""


# A line that (re)defines a name or adds to it: `def lin_grad`, `class Relu`, `Relu = ...`, `Relu.bwd = ...`,
# fastcore's `def bwd(self: Relu, ...)`. A broken cell that only uses the name (a half-typed test call) is not one.
_DEFINES = r"^[ \t\f]*(?:async\s+)?(?:def|class)\s+{w}\b|^[ \t\f]*{w}\s*(?:\.\s*\w+\s*)?(?::[^=\n]*)?=(?!=)|self\s*:\s*{w}\b"


def fatal_syntax_error(prog: Program, ex: Exercise, name: str) -> Cell | None:
    """The cell whose syntax error the check must report: one that holds (or may hold) a newer definition of the
    checked code after its last one that parses. Other broken cells (a half-typed test call) are skipped: they
    defined nothing in the notebook either."""
    defined_in = {id(st.cell) for st in definitions_of(prog, name)}  # (once: per cell it was quadratic)
    last = max((i for i, c in enumerate(prog.cells) if id(c) in defined_in), default=-1)
    words = {name or ex.entry, ex.entry, *ALIASES.get(ex.entry, ()), *FREE_FORMS.get(ex.entry, ("",))[:1]} - {""}
    for i, cell in enumerate(prog.cells):
        if cell.error is None:
            continue
        defines = cell.exercise == ex.name or any(re.search(_DEFINES.format(w=re.escape(w)), cell.text, re.I | re.M)
                                                  for w in words)
        if len(prog.cells) == 1 or (i > last and defines):
            return cell
    return None


def excerpt(source: str | Program, ex: Exercise, broken: bool = True) -> str:
    """The cells of `source` a check of `ex` needs, with their markers: those holding the definitions it needs,
    the data its code reads (for the message), its `%%exercise` cells and a broken cell that may hold it.
    Checking the excerpt gives the same verdict as the whole, and identical code gives identical text."""
    prog = build(source) if isinstance(source, str) else source
    text = source if isinstance(source, str) else prog.source
    if not prog.has_cells:
        return text
    name, _ = find_entry(prog, ex)
    if not name:
        return text
    from .fits import fitting

    want = needed(fitting(prog, ex, name)[0], name)
    reads = set().union(*(st.reads for st in want)) if want else set()
    labels = {prog.data[n] for n in reads if n in prog.data}
    magic = [c for c in prog.cells if c.exercise == ex.name and c.error is None][-1:]  # (for the notes)
    # earlier definitions of the entry too (not run: the note says which one counts), but not a kernel's re-runs
    earlier = {id(st.cell) for st in definitions_of(prog, name) if not (st.cell.exercise == ex.name
                                                                        and st.cell.label.startswith("cell ["))}
    keep = {id(st.cell) for st in want} | earlier | {id(c) for c in prog.cells if c in magic or c.label in labels}
    fatal = fatal_syntax_error(prog, ex, name) if broken else None  # (broken=False: a live definition is checked)
    if fatal is not None:
        keep.add(id(fatal))
    return "".join(f"# %% {c.label}{f' (%%exercise {c.exercise})' if c.exercise else ''}\n"
                   f"{strip_magics(c.text).rstrip()}\n" for c in prog.cells if id(c) in keep)


def definitions(exercise: str, source: str) -> str:
    """What a check of `exercise` runs of `source` — its definitions and what they need (imports, constants,
    helpers), no data and no test calls — as source text, cell by cell: what a later notebook runs to have the
    code that passed, without the test lines that needed the earlier notebook's data."""
    import textwrap

    from ..exercises import get
    from .fits import fitting
    from .reads import lines_of

    ex = get(exercise)
    prog = build(source)
    name, _ = find_entry(prog, ex)
    if not name:
        return source
    out, label = [], None
    for st in needed(fitting(prog, ex, name)[0], name):
        if st.cell.label != label and st.cell.label:
            out.append(f"# %% {st.cell.label}")
        label = st.cell.label
        try:
            out.append(textwrap.dedent(lines_of(st.node, st.cell.parsed)).rstrip())
        except (ValueError, IndexError):
            out.append(ast.unparse(st.node))
    return "\n".join(out) + "\n"
