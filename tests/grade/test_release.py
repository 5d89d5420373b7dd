"""`tutor release`: solutions out, stubs in, outputs stripped; unbalanced markers refused with the cell named."""
from __future__ import annotations

import json

import nbformat
import pytest
from gradehelp import FAST, read_csv, tutor
from corpus import CORRECT

from tutor.cli import main
from tutor.exercises import get


@pytest.fixture
def release(capsys):
    """Run `tutor release ...` in this process; return (status, stdout, stderr)."""
    def run(*args):
        status = main(["release", *map(str, args)])
        out = capsys.readouterr()
        return status, out.out, out.err
    return run

SOLUTION_RELU_BWD = "inp.g = (inp > 0).to(out.g.dtype) * out.g"


def source_notebook(path, relu_cell=None):
    """An instructor's notebook: whole-cell solutions for three exercises, an inline one for relu."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Backprop\nFill in the cells below."))
    setup = nbformat.v4.new_code_cell("import torch\nprint('ready')")
    setup.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ready\n")]
    setup.execution_count = 3
    nb.cells.append(setup)
    for ex in ("lin_grad", "mse", "lin"):
        nb.cells.append(nbformat.v4.new_code_cell(f"%%exercise {ex}\n### BEGIN SOLUTION\n{CORRECT[ex]}"
                                                  "### END SOLUTION\n"))
    relu = relu_cell or ("%%exercise relu\nclass Relu(Module):\n    def forward(self, inp):\n"
                         "        return inp.clamp_min(0.)\n    def bwd(self, out, inp):\n"
                         f"        ### BEGIN SOLUTION\n        {SOLUTION_RELU_BWD}\n        ### END SOLUTION\n")
    nb.cells.append(nbformat.v4.new_code_cell(relu))
    nbformat.write(nb, str(path))
    return path


def test_release_replaces_solutions_and_strips_outputs(tmp_path, release):
    src = source_notebook(tmp_path / "source.ipynb")
    status, out, err = release(src, tmp_path / "released.ipynb")
    assert status == 0, err
    assert "lin_grad, mse, lin, relu" in out
    text = (tmp_path / "released.ipynb").read_text()
    assert "BEGIN SOLUTION" not in text and SOLUTION_RELU_BWD not in text and "inp.T @ out.g" not in text
    nb = nbformat.read(str(tmp_path / "released.ipynb"), as_version=4)
    nbformat.validate(nb)
    cells = [c.source for c in nb.cells]
    assert cells[2] == "%%exercise lin_grad\n" + get("lin_grad").stub
    assert cells[3] == "%%exercise mse\n" + get("mse").stub
    assert "return inp.clamp_min(0.)" in cells[5]  # code outside the markers stays
    assert "        # YOUR CODE HERE\n        raise NotImplementedError()" in cells[5]
    assert all(c.outputs == [] and c.execution_count is None for c in nb.cells if c.cell_type == "code")


def test_source_passes_and_release_fails_when_graded(tmp_path):
    src = source_notebook(tmp_path / "source.ipynb")
    released = tmp_path / "released.ipynb"
    assert tutor("release", str(src), str(released)).returncode == 0
    proc = tutor("grade", str(src), str(released), "--assignment", str(released), "--out", str(tmp_path / "out"),
                 *FAST)
    assert proc.returncode == 0, proc.stderr
    rows = read_csv(tmp_path / "out" / "gradebook.csv")
    assert [(r["exercise"], r["passed"]) for r in rows[:4]] == [("lin_grad", "1"), ("mse", "1"), ("lin", "1"),
                                                                 ("relu", "1")]
    assert [r["passed"] for r in rows[4:]] == ["0"] * 4
    assert {r["codes"] for r in rows[4:]} <= {"unfinished", "raises"}


def test_unbalanced_markers_are_refused_naming_the_cell(tmp_path, release):
    bad = "%%exercise relu\nclass Relu(Module):\n    def bwd(self, out, inp):\n        ### BEGIN SOLUTION\n" \
          f"        {SOLUTION_RELU_BWD}\n"
    src = source_notebook(tmp_path / "source.ipynb", relu_cell=bad)
    status, _, err = release(src, tmp_path / "released.ipynb")
    assert status == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "cell 5 (%%exercise relu): line 4: `### BEGIN SOLUTION` without a `### END SOLUTION`" in err
    assert not (tmp_path / "released.ipynb").exists()


def test_end_without_begin_and_nested_begin_are_refused(tmp_path, release):
    for body, said in [("x = 1\n### END SOLUTION\n", "line 2: `### END SOLUTION` without a `### BEGIN SOLUTION`"),
                       ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
                        "line 2: `### BEGIN SOLUTION` inside the solution opened on line 1")]:
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_code_cell(body))
        nbformat.write(nb, str(tmp_path / "s.ipynb"))
        status, _, err = release(tmp_path / "s.ipynb", tmp_path / "r.ipynb")
        assert status == 2 and f"cell 0: {said}" in err


def test_release_refuses_malformed_json_and_overwriting_the_source(tmp_path, release):
    (tmp_path / "broken.ipynb").write_text("{oops")
    status, _, err = release(tmp_path / "broken.ipynb", tmp_path / "r.ipynb")
    assert status == 2 and "not valid notebook JSON" in err and "Traceback" not in err
    src = source_notebook(tmp_path / "source.ipynb")
    before = src.read_text()
    status, _, err = release(src, src)
    assert status == 2 and "overwrite the solutions" in err
    assert src.read_text() == before and json.loads(before)
