"""Generate the lesson notebooks in notebooks/ from this file: `python scripts/build_notebooks.py [--check]`.

The notebooks are outputs: edit their cells in scripts/notebook_cells.py, regenerate, commit both.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOTEBOOK_DIR = REPO / "notebooks"

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_cells import NOTEBOOKS  # noqa: E402  (the narrative and code of each notebook)


def build(stem: str) -> nbformat.NotebookNode:
    """One notebook, with deterministic cell ids so regenerating changes nothing that did not change."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    for i, (kind, source) in enumerate(NOTEBOOKS[stem]()):
        make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make(source, id=f"{stem[:2]}-{i:02d}"))
    nbformat.validate(nb)
    return nb


def main(argv: list[str] | None = None) -> int:
    """Write every notebook, or with --check say which ones differ from what this script generates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a notebook on disk is out of date")
    args = parser.parse_args(argv)
    stale = []
    for stem in NOTEBOOKS:
        text = nbformat.writes(build(stem)) + "\n"
        path = NOTEBOOK_DIR / f"{stem}.ipynb"
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(REPO)}")
    if stale:
        print(f"out of date (run python scripts/build_notebooks.py): {', '.join(stale)}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
