"""A learner's source cut into cells as a notebook holds it: markers of every exporter, cell magics, IPython syntax."""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# Cell boundaries: ours (`# %% cell 7`, `# %% cell [12]`), jupytext/VS Code (`# %%`), nbconvert (`# In[3]:`).
_MARKER = re.compile(r"#\s%%(?:\s(?P<label>.*))?|#\sIn\[\s*(?P<count>\d*)\s*\]:")
_LABEL = re.compile(r"(?P<cell>cell \[?\d+\]?)(?: \(%%exercise (?P<exercise>\w+)\))?")
_HELP = re.compile(r"\?{0,2}[A-Za-z_][\w.]*\?{0,2}")  # IPython's `Relu?`, `torch.matmul??`, `?w`
PYTHON_CELL_MAGICS = ("exercise", "time", "capture")  # cell magics whose body runs as the notebook's own code


def ipython_only(line: str) -> bool:
    """A line that only IPython understands: a magic, a shell escape, a help request."""
    s = line.strip()
    return s.startswith(("%", "!")) or ("?" in s and _HELP.fullmatch(s) is not None)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's line breaks (str.splitlines also cuts at \x0c, \x85, U+2028...)


def split_lines(text: str) -> list[str]:
    """The lines of `text` as Python counts them: a form feed or U+2028 pasted into a comment stays in its line."""
    lines = _LINE_BREAK.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


def strip_magics(source: str) -> str:
    """Blank out IPython-only lines — magics, shell escapes, help (`%%exercise lin_grad`, `!ls`, `Relu?`) —
    keeping line numbers: the cell ran in the notebook, so its definitions must load here too. Only a line that
    starts a statement can be one: `!= 0` or `% 2` continuing an expression in brackets is Python."""
    lines = split_lines(source)
    if any(ipython_only(ln) for ln in lines):  # (most sources have none: no brackets and strings to follow)
        starts = statement_starts(lines)
        lines = ["" if start and ipython_only(ln) else ln for ln, start in zip(lines, starts)]
    return "\n".join(lines) + "\n"


_SPECIAL = re.compile(r"""\\.?|'''|\"\"\"|["'#()\[\]{}]""")  # what opens or closes a string, a bracket, a comment


def statement_starts(lines: list[str]) -> list[bool]:
    """For each line: whether it starts a new statement (not inside brackets, a string, or after a backslash)."""
    depth, quote, joined, out = 0, "", False, []
    for ln in lines:
        start = depth == 0 and not quote and not joined
        out.append(start)
        joined = False
        if start and ipython_only(ln):  # a magic's text is not Python: it opens no bracket or string
            continue
        for m in _SPECIAL.finditer(ln):
            t = m.group()
            if t[0] == "\\":  # an escaped character in a string; outside one, at the line's end: it goes on
                joined = not quote and m.end() == len(ln)
            elif quote:  # (`'abc'''` is 'abc' and an empty string: closed all the same)
                quote = "" if t == quote or (len(quote) == 1 and t[0] == quote) else quote
            elif t == "#":
                break
            elif t[0] in "\"'":
                quote = t
            elif t in "([{":
                depth += 1
            else:
                depth = max(0, depth - 1)
        if len(quote) == 1 and not ln.endswith("\\"):  # a one-line string ends with its line (else: an error)
            quote = ""
    return out


@dataclass
class Cell:
    """One cell of the source (the whole source when it has no cell markers)."""

    label: str  # "cell 7", "cell [12]", or "" for a source without cells
    text: str
    exercise: str = ""  # the exercise its `%%exercise NAME` line names
    tree: ast.Module | None = None
    error: SyntaxError | None = None
    parsed: str = ""  # the text `tree` was parsed from (magics blanked, or as IPython transformed it)


def split_cells(source: str) -> list[Cell]:
    """Cut the source at cell markers; expand `%%exercise` cells (also as `get_ipython().run_cell_magic`)."""
    lines = split_lines(source)
    starts = [(i, m) for i, ln in enumerate(lines) if (m := _MARKER.fullmatch(ln.strip()))]
    if not starts:
        return _parse(Cell("", source))
    cells = []
    head = "\n".join(lines[:starts[0][0]])
    if head.strip():
        cells += _parse(Cell("the lines before the first cell", head))
    for k, (i, m) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        label, exercise = (m.group("label") or "").strip(), ""
        if m.group("count"):
            label = f"cell [{m.group('count')}]"
        elif (ours := _LABEL.fullmatch(label)) is not None:  # an excerpt's: `# %% cell 7 (%%exercise relu)`
            label, exercise = ours.group("cell"), ours.group("exercise") or ""
        else:
            label = f"cell {k + 1}"
        cells += _parse(Cell(label, "\n".join(lines[i + 1:end]) + "\n", exercise))
    return cells


def _parse(cell: Cell) -> list[Cell]:
    import textwrap

    lines = [ln + "\n" for ln in split_lines(cell.text)]
    at = next((i for i, ln in enumerate(lines) if ln.strip()), 0)
    first = (lines[at].split() if lines else []) or [""]  # (an empty cell: nbconvert's `# In[ ]:` and blank lines)
    if first[0].startswith("%%"):
        magic = first[0][2:]
        if magic not in PYTHON_CELL_MAGICS:
            return []  # %%bash, %%writefile, %%timeit...: the body is not the notebook's Python
        if magic == "exercise" and len(first) > 1:
            from ..exercises import canonical

            cell.exercise = canonical(first[1])  # `%%exercise Relu` is relu, as the magic has it
        cell.text = "".join(lines[at + 1:])  # the body, numbered from 1 as IPython runs it
    cell.text = textwrap.dedent(cell.text)
    try:
        cell.parsed = strip_magics(cell.text)
        cell.tree = ast.parse(cell.parsed)
    except (SyntaxError, ValueError) as e:
        cell.parsed, cell.tree = _ipython_parse(cell.text) or ("", None)
        if cell.tree is None:
            cell.error = e if isinstance(e, SyntaxError) else SyntaxError(str(e))
            return [cell]
    except (RecursionError, MemoryError) as e:  # (the notebook's Python cannot compile it either)
        cell.error = SyntaxError(f"Python cannot parse this cell: {type(e).__name__}: {e}".rstrip(": "),
                                 ("<cell>", 1, 1, ""))
        return [cell]
    cell.error = too_deep(cell.tree)
    if cell.error is not None:
        cell.tree = None
        return [cell]
    out = [cell]
    for node in cell.tree.body:  # Jupyter's "Save as Python" and IPython's history spell cell magics as calls
        body = cell_magic(node)
        if body is not None:
            out += _parse(Cell(cell.label, f"%%{body[0]} {body[1]}\n{body[2]}"))
    return out


MOST_DEEP = 100  # nested nodes a cell may hold: learners' run to ~20; the checker's own walks of a tree recurse


def too_deep(tree: ast.AST) -> SyntaxError | None:
    """A SyntaxError at the first node nested more than MOST_DEEP deep (`x[0][0]...`, a chain of 500 `+`), else
    None: the checker reads a cell's tree recursively, and such a tree would exhaust Python's recursion limit."""
    todo = [(tree, 0)]
    while todo:
        node, depth = todo.pop()
        if depth > MOST_DEEP:
            line = getattr(node, "lineno", 1)
            return SyntaxError(f"this cell nests expressions more than {MOST_DEEP} deep: the checker cannot read it "
                               "(split it into smaller steps)", ("<cell>", line, 1, ""))
        todo += [(child, depth + 1) for child in ast.iter_child_nodes(node)]
    return None


def _ipython_parse(text: str) -> tuple[str, ast.Module] | None:
    """The cell as IPython reads it (`files = !ls`, `x = %time f()`) and its tree, when IPython is at hand; None
    if not Python."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        python = TransformerManager().transform_cell(text)
        return python, ast.parse(python)
    except (Exception, RecursionError, MemoryError):  # noqa: BLE001 - no IPython, or not Python even for IPython
        return None


def cell_magic(node: ast.stmt) -> tuple[str, str, str] | None:
    """(magic, line, body) of `get_ipython().run_cell_magic('exercise', 'lin_grad', '...')`."""
    if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)):
        return None
    call = node.value
    f = call.func
    if not (isinstance(f, ast.Attribute) and f.attr == "run_cell_magic" and isinstance(f.value, ast.Call)
            and isinstance(f.value.func, ast.Name) and f.value.func.id == "get_ipython"):
        return None
    args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if len(args) != 3 or len(call.args) != 3 or args[0] not in PYTHON_CELL_MAGICS:
        return None
    return args[0], args[1], args[2]
