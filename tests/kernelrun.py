"""Run cells in a fresh real ipykernel (nbclient) with a progress store of their own; read what a cell showed."""
from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient


def run_cells(sources: list[str], home: Path) -> list:
    """Execute the cells in order (TUTOR_HOME = `home`, no plots); return the executed cells."""
    setup = f"import os\nos.environ['TUTOR_HOME'] = {str(home)!r}\nos.environ['TUTOR_PLOTS'] = '0'\n"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in [setup + sources[0], *sources[1:]]])
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False).execute()
    return nb.cells


def text(cell) -> str:
    """What a cell printed and displayed, as text."""
    out = [o.get("text", "") for o in cell.outputs if o["output_type"] == "stream"]
    out += [o["data"].get("text/plain", "") for o in cell.outputs if o["output_type"] == "display_data"]
    return "\n".join(out)
