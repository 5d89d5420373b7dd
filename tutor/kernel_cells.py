"""The kernel's cells as a check reads them: IPython's input history as one source, the excerpt an `%%exercise`
cell's check runs, and the cells a live definition (`tutor.check(Relu)`) needs. Imports no widget: the checker
and the magic both use it."""
from __future__ import annotations

import linecache
from typing import Any

from . import exercises


def kernel_source(shell: Any, name: str = "", cell: str | None = None) -> str:
    """The cells the kernel ran (IPython's input history, `In`), each after a `# %% cell [N]` marker; the
    `%%exercise NAME` cell now running is added last when the history does not hold it yet."""
    hist = list(getattr(getattr(shell, "history_manager", None), "input_hist_parsed", None) or [])
    parts = [f"# %% cell [{i}]\n{text.rstrip()}\n" for i, text in enumerate(hist) if i and text and text.strip()]
    if cell is not None and not any(repr(cell) in text for text in hist[-2:]):
        parts.append(f"# %% cell [{getattr(shell, 'execution_count', 0)}]\n%%exercise {name}\n{cell.rstrip()}\n")
    return "".join(parts)


def cell_submission(shell: Any, name: str, cell: str) -> str:
    """What an `%%exercise` cell's check runs: the cell alone when it needs nothing else, else the kernel's
    cells it needs (the last definition of each name wins, as in the kernel)."""
    try:
        import textwrap

        from .run.entry import excerpt
        from .run.cells import strip_magics
        from .run.program import build

        text = excerpt(kernel_source(shell, name, cell), exercises.get(name))
        cells = build(text).cells
        alone = strip_magics(textwrap.dedent(cell)).strip()
    except Exception:  # noqa: BLE001 - no history to read: the cell alone, as before
        return cell
    if len(cells) == 1 and cells[0].exercise == name and cells[0].text.strip() == alone:
        return cell  # self-contained (also what the progress store keeps, and the stub comparison sees)
    return text


# what a cell magic compiles its body as (no source kept): the kernel's last definition in such a cell is it
MAGIC_FILENAMES = ("<timed exec>", "<magic-timeit>")


def live_submission(obj: Any, exercise: str) -> str | None:
    """For `tutor.check(Relu)` in a kernel: the kernel's cells the definition needs, or None when `obj` was
    not defined in a cell of this kernel."""
    import sys

    if "IPython" not in sys.modules:
        return None
    shell = sys.modules["IPython"].get_ipython()
    funcs = [obj] if hasattr(obj, "__code__") else \
        [getattr(v, "__func__", v) for v in vars(obj).values()] if isinstance(obj, type) else []
    filename = next((f.__code__.co_filename for f in funcs if hasattr(f, "__code__")), "")
    in_cell = "ipykernel_" in filename or filename.startswith("<ipython-input")
    if shell is None or not (in_cell or filename in MAGIC_FILENAMES):
        return None
    import textwrap

    from .run.entry import excerpt, find_entry
    from .run.needs import definitions_of
    from .run.program import build

    source, ex = kernel_source(shell), exercises.get(exercise)
    prog = build(source)
    defs = definitions_of(prog, find_entry(prog, ex)[0])

    def norm(text: str) -> str:
        return shell.transform_cell(textwrap.dedent(text)).strip()

    if not defs or in_cell and norm(defs[-1].cell.text) != norm("".join(linecache.getlines(filename))):
        return None  # not the kernel's last definition (or run outside the history): its own source, as before
    return excerpt(source, ex, broken=False)
