"""Hand-ins as learners make them, through `tutor check` and `tutor grade`: a course notebook with plain
definitions spread over cells (no `%%exercise` line), Jupyter's "Save as Python" export, and the seed's own
bug (a data global read from another cell) — every one judged as it runs in the notebook."""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

from gradehelp import FAST, by_key, read_csv, tutor

DATA = "import tutor\nfrom tutor.lesson import Module\nx_train, y_train, x_valid, y_valid = tutor.mnist()\n"
LIN_GRAD = """\
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
"""
LAYER_FUNCTION = """\
class LayerFunction():
    def __call__(self, *args):
        self.args = args
        self.out = self.forward(*args)
        return self.out
    def forward(self):  raise Exception('not implemented')
    def bwd(self):      raise Exception('not implemented')
    def backward(self): self.args[0].g = self.bwd(self.out, *self.args)
"""
LIN = """\
class Lin(LayerFunction):
    def __init__(self, w, b): self.w, self.b = w, b
    def forward(self, inp): return inp @ self.w + self.b
    def bwd(self, out, inp):
        lin_grad(inp, out, self.w, self.b)
        return inp.g
"""
MSE = """\
class MSE(LayerFunction):
    def forward(self, inp, targ): return ((inp.squeeze() - targ)**2).mean()
    def bwd(self, out, inp, targ): return 2*(inp.squeeze()-targ).unsqueeze(-1) / targ.shape[0]
"""
RELU = "class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
RELU_BWD = "def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g\nRelu.bwd = bwd\n"


def write(path: Path, *cells: str) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Backprop")] + [nbformat.v4.new_code_cell(c) for c in cells]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def export(path: Path, *cells: str) -> Path:
    """A file as JupyterLab's "Save as Python" (nbconvert's script exporter) writes it."""
    from IPython.core.inputtransformer2 import TransformerManager

    parts = ["#!/usr/bin/env python\n# coding: utf-8\n"]
    for i, c in enumerate(cells, 1):
        parts.append(f"# In[{i}]:\n\n\n{TransformerManager().transform_cell(c)}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts))
    return path


def course_notebook(path: Path) -> Path:
    """fastbook/course22p2 as learners write them: no magic lines, pieces in their own cells, the book's names."""
    return write(path, DATA, LIN_GRAD, "lin_grad(x_train[:5], None, None, None)  # a stray try",
                 LAYER_FUNCTION, LIN, MSE, RELU, RELU_BWD, "inp = x_train[:100]")


def test_tutor_check_reads_every_cell_of_a_course_notebook(tmp_path):
    nb = course_notebook(tmp_path / "course.ipynb")
    for exercise in ("lin", "relu"):  # lin_grad from another cell, a base from another cell; bwd attached later
        proc = tutor("check", exercise, str(nb), "--json")
        assert proc.returncode == 0, proc.stdout + proc.stderr
        report = json.loads(proc.stdout)
        assert report["passed"] and any(f"no `%%exercise {exercise}` cell" in n for n in report["notes"]), report
    text = tutor("check", "mse", str(nb)).stdout
    assert "note: found `MSE`, checked as `Mse`" in text and "note: no `%%exercise mse` cell: checked the plain " \
        "definition of `MSE` in cell 7" in text


def test_the_seeds_bug_names_the_global_and_its_cell(tmp_path):
    nb = write(tmp_path / "seed.ipynb", DATA, "inp = x_train[:1000]", """\
        %%exercise lin
        class Lin():
            def __init__(self, w, b): self.w, self.b = w, b
            def __call__(self, inp):
                self.inp = inp
                self.out = inp @ self.w + self.b
                return self.out
            def backward(self):
                self.inp.g = self.out.g @ self.w.t()
                self.w.g = inp.t() @ self.out.g
                self.b.g = self.out.g.sum(0)
        """.replace("\n        ", "\n").lstrip())
    proc = tutor("check", "lin", str(nb), "--json")
    assert proc.returncode == 1, proc.stderr
    first = json.loads(proc.stdout)["diagnoses"][0]
    assert first["code"] == "uses-globals"
    assert "`Lin.backward` reads the global `inp`, defined in cell 3 from data" in first["message"]


def test_a_save_as_python_export_is_read_like_the_notebook(tmp_path):
    py = export(tmp_path / "export.py", DATA, "%%exercise lin_grad\n" + LIN_GRAD,
                "%%exercise relu\nclass Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
                "    def bwd(self, out, inp): inp.g = out.g\n", "%matplotlib inline\nlin_grad?")
    text = py.read_text()
    assert "run_cell_magic('exercise', 'lin_grad'" in text and "# In[2]:" in text
    assert tutor("check", "lin_grad", str(py)).returncode == 0
    proc = tutor("check", "relu", str(py), "--json")
    assert proc.returncode == 1 and json.loads(proc.stdout)["diagnoses"][0]["code"] == "ignores-mask"


def test_the_grader_finds_plain_definitions_and_reads_exports(tmp_path):
    subs = tmp_path / "subs"
    course_notebook(subs / "ann.ipynb")
    export(subs / "bob.py", DATA, "%%exercise lin_grad\n" + LIN_GRAD, LAYER_FUNCTION, "%%exercise mse\n" + MSE)
    write(subs / "cat.ipynb", DATA, "%%exercise lin_grad\n" + LIN_GRAD.replace(".sum(0)", ""))
    # without --assignment, only `%%exercise` cells say what is asked: ann's plain cells answer, they do not ask
    assignment = write(tmp_path / "assignment.ipynb", *(f"%%exercise {ex}\n..." for ex in ("lin_grad", "relu",
                                                                                          "mse", "lin")))
    proc = tutor("grade", str(subs), "--out", str(tmp_path / "out"), "--assignment", str(assignment), *FAST)
    assert proc.returncode == 0, proc.stderr
    rows = by_key(read_csv(tmp_path / "out" / "gradebook.csv"))
    assert {ex for (_, ex) in rows} == {"lin_grad", "lin", "mse", "relu"}
    assert [rows["ann.ipynb", ex]["passed"] for ex in ("lin_grad", "lin", "mse", "relu")] == ["1"] * 4
    assert [rows["bob.py", ex]["passed"] for ex in ("lin_grad", "mse")] == ["1", "1"]
    assert rows["bob.py", "relu"]["codes"] == "missing" and rows["cat.ipynb", "lin"]["codes"] == "missing"
    assert rows["cat.ipynb", "lin_grad"]["codes"] == "not-summed-over-batch"
    feedback = (tmp_path / "out" / "feedback" / "ann.ipynb.html").read_text()
    assert "no <code>%%exercise lin_grad</code> cell" in feedback or "no `%%exercise lin_grad` cell" in feedback
