"""`tutor release`, `tutor grade` and `tutor check` with the whole-model exercises: forward_and_backward and
model. Their stubs go in, the lesson's code passes with its pieces from other cells, the released stubs fail as
unfinished, and a wrong piece or a wrong model is graded with its named mistake."""
from __future__ import annotations

import json

import nbformat
from gradehelp import FAST, by_key, read_csv, tutor

from tutor import lesson
from tutor.exercises import get

FORWARD_AND_BACKWARD = lesson.FORWARD_AND_BACKWARD
MODEL = "class Model" + get("model").reference_source.split("class Model", 1)[1]


def marked(name: str, body: str) -> str:
    return f"%%exercise {name}\n### BEGIN SOLUTION\n{body}### END SOLUTION\n"


def notebook(path, *cells: str):
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("import torch"))
    nb.cells += [nbformat.v4.new_code_cell(c) for c in cells]
    nbformat.write(nb, str(path))
    return path


def lesson_cells(fab: str = FORWARD_AND_BACKWARD, model: str = MODEL, lin_grad: str = "") -> list[str]:
    """The lesson's cells: lin_grad, forward_and_backward, relu, mse, lin, model (solutions between markers)."""
    return [marked("lin_grad", lin_grad or get("lin_grad").reference_source),
            marked("forward_and_backward", fab),
            marked("relu", get("relu").reference_source), marked("mse", get("mse").reference_source),
            marked("lin", get("lin").reference_source), marked("model", model)]


def test_release_grade_and_check(tmp_path):
    src = notebook(tmp_path / "source.ipynb", *lesson_cells())
    released = tmp_path / "released.ipynb"
    r = tutor("release", str(src), str(released))
    assert r.returncode == 0, r.stderr
    cells = [c.source for c in nbformat.read(str(released), as_version=4).cells]
    assert "%%exercise forward_and_backward\n" + get("forward_and_backward").stub in cells
    assert "%%exercise model\n" + get("model").stub in cells
    assert "BEGIN SOLUTION" not in "".join(cells)

    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("source", "released"):
        (subs / f"{name}.ipynb").write_bytes((tmp_path / f"{name}.ipynb").read_bytes())
    wrong_lin_grad = get("lin_grad").reference_source.replace("b.g = out.g.sum(0)", "b.g = out.g")
    no_relu = MODEL.replace("[Lin(w1,b1), Relu(), Lin(w2,b2)]", "[Lin(w1,b1), Lin(w2,b2)]")
    notebook(subs / "wrong.ipynb", *lesson_cells(model=no_relu, lin_grad=wrong_lin_grad))
    proc = tutor("grade", str(subs), "--assignment", str(released), "--out", str(tmp_path / "out"), *FAST)
    assert proc.returncode == 0, proc.stderr
    rows = by_key(read_csv(tmp_path / "out" / "gradebook.csv"))
    got = {(sub, ex): (r["passed"], r["codes"].split(";")[0].split(",")[0].strip())
           for (sub, ex), r in rows.items() if ex in ("forward_and_backward", "model")}
    assert got == {("source.ipynb", "forward_and_backward"): ("1", ""), ("source.ipynb", "model"): ("1", ""),
                   ("released.ipynb", "forward_and_backward"): ("0", "unfinished"),
                   ("released.ipynb", "model"): ("0", "unfinished"),
                   ("wrong.ipynb", "forward_and_backward"): ("0", "not-summed-over-batch"),
                   ("wrong.ipynb", "model"): ("0", "missing-layer")}, rows

    py = tmp_path / "fab.py"
    py.write_text(get("lin_grad").reference_source + "\n\n" + FORWARD_AND_BACKWARD)
    ok = tutor("check", "forward_and_backward", str(py), "--json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["passed"] is True
    bad = tmp_path / "model.py"
    bad.write_text(open("tests/learners/model/fail_not-summed-over-batch.py").read())
    r = tutor("check", "model", str(bad))
    assert r.returncode == 1 and r.stdout.startswith("model: FAIL [not-summed-over-batch"), r.stdout
    assert "your Lin:" in r.stdout
    listed = tutor("list").stdout.split()
    assert "forward_and_backward" in listed and "model" in listed
