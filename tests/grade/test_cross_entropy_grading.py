"""`tutor release` and `tutor grade` with a cross_entropy cell: the stub goes in, the solution passes, the
released stub fails as unfinished, and a wrong submission is graded with its named mistake."""
from __future__ import annotations

import nbformat
from gradehelp import FAST, by_key, read_csv, tutor

from tutor.exercises import get

SOLUTION = ("class CrossEntropy(Module):\n    def forward(self, inp, targ):\n"
            "        return -log_softmax(inp)[range(targ.shape[0]), targ].mean()\n"
            "    def bwd(self, out, inp, targ):\n"
            "        ### BEGIN SOLUTION\n        g = inp.softmax(-1)\n        g[range(targ.shape[0]), targ] -= 1\n"
            "        inp.g = g / targ.shape[0]\n        ### END SOLUTION\n")
WHOLE_CELL = "### BEGIN SOLUTION\n" + get("cross_entropy").reference_source + "### END SOLUTION\n"
OVERFLOWS = ("class CrossEntropy(Module):\n    def forward(self, inp, targ): return F.cross_entropy(inp, targ)\n"
             "    def bwd(self, out, inp, targ):\n        e = inp.exp()\n"
             "        inp.g = (e / e.sum(1, keepdim=True) - torch.eye(10)[targ]) / len(targ)\n")


def notebook(path, *cells: str):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import torch"))
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return path


def test_release_then_grade(tmp_path):
    src = notebook(tmp_path / "source.ipynb", "%%exercise relu\n### BEGIN SOLUTION\n" + get("relu").reference_source
                   + "### END SOLUTION\n", f"%%exercise cross_entropy\n{SOLUTION}")
    released = tmp_path / "released.ipynb"
    r = tutor("release", str(src), str(released))
    assert r.returncode == 0, r.stderr
    cells = [c.source for c in nbformat.read(str(released), as_version=4).cells]
    assert "BEGIN SOLUTION" not in "".join(cells) and "inp.softmax" not in cells[2]
    assert "return -log_softmax(inp)" in cells[2] and "# YOUR CODE HERE" in cells[2]  # outside the markers: kept

    whole = notebook(tmp_path / "whole.ipynb", f"%%exercise cross_entropy\n{WHOLE_CELL}")
    assert tutor("release", str(whole), str(tmp_path / "whole-released.ipynb")).returncode == 0
    stub = nbformat.read(str(tmp_path / "whole-released.ipynb"), as_version=4).cells[1].source
    assert stub == "%%exercise cross_entropy\n" + get("cross_entropy").stub

    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("source", "released"):
        (subs / f"{name}.ipynb").write_bytes((tmp_path / f"{name}.ipynb").read_bytes())
    (subs / "whole_released.ipynb").write_bytes((tmp_path / "whole-released.ipynb").read_bytes())
    notebook(subs / "overflows.ipynb", "%%exercise relu\n" + get("relu").reference_source,
             f"%%exercise cross_entropy\n{OVERFLOWS}")
    proc = tutor("grade", str(subs), "--assignment", str(released), "--out", str(tmp_path / "out"), *FAST)
    assert proc.returncode == 0, proc.stderr
    rows = by_key(read_csv(tmp_path / "out" / "gradebook.csv"))
    got = {sub: (r["passed"], r["codes"]) for (sub, ex), r in rows.items() if ex == "cross_entropy"}
    assert got == {"source.ipynb": ("1", ""), "overflows.ipynb": ("0", "not-finite"),
                   "released.ipynb": ("0", "raises"),  # the released `raise NotImplementedError()`
                   "whole_released.ipynb": ("0", "unfinished")}
