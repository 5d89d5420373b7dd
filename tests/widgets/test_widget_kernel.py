"""The magic and the display hook in a real ipykernel: a notebook executed top to bottom with nbclient."""
from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient
import tutor.exercises

WIDGET = "application/vnd.jupyter.widget-view+json"

CELLS = [
    "import tutor",
    "%%exercise lin_grad\ndef lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = out.g.t() @ inp\n"
    "    b.g = out.g.sum(0)\nlin_grad.__name__",
    "%%exercise lin_grad\ndef lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t(\n",
    "%%exercise lin_grad\ndef lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n"
    "    b.g = out.g.sum(0)\n1/0",
    "tutor.check(lin_grad)",
    "%%exercise lin_grd\nx = 1",
    "print('reached the end', tutor.passed('lin_grad'))",
]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    home = tmp_path_factory.mktemp("tutor-home")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.cells[0].source = f"import os\nos.environ['TUTOR_HOME'] = {str(home)!r}\nos.environ['TUTOR_PLOTS'] = '0'\n" \
                         + nb.cells[0].source
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False)
    client.execute()
    return nb.cells


def displays(cell) -> list[dict]:
    return [o["data"] for o in cell.outputs if o["output_type"] == "display_data"]


def stderr(cell) -> str:
    return "".join(o["text"] for o in cell.outputs if o["output_type"] == "stream" and o["name"] == "stderr")


def test_run_all_goes_to_the_end(executed):
    # allow_errors=False: nbclient raises on any cell whose execution failed; none did
    assert "reached the end True" in executed[-1].outputs[0]["text"]
    errors = [i for i, c in enumerate(executed) for o in c.outputs if o["output_type"] == "error"]
    assert errors == [3]  # only the learner's own 1/0, shown as an ordinary traceback


def test_magic_runs_the_cell_and_shows_the_widget_with_fallbacks(executed):
    cell = executed[1]
    [data] = displays(cell)
    assert data[WIDGET]["model_id"]
    assert data["text/plain"].splitlines()[0] == "lin_grad: FAIL [transposed]"
    assert "transposed" in data["text/html"]
    results = [o for o in cell.outputs if o["output_type"] == "execute_result"]
    assert results and results[0]["data"]["text/plain"] == "'lin_grad'"  # the cell ran as usual


def test_syntax_error_is_one_line_then_fail_raises(executed):
    cell = executed[2]
    assert stderr(cell).strip().startswith("SyntaxError in line 2") and stderr(cell).strip().count("\n") == 0
    assert displays(cell)[0]["text/plain"].startswith("lin_grad: FAIL [raises]")


def test_learners_top_level_error_shows_and_the_widget_still_appears(executed):
    cell = executed[3]
    [error] = [o for o in cell.outputs if o["output_type"] == "error"]
    assert error["ename"] == "ZeroDivisionError" and "1/0" in re.sub(r"\x1b\[[0-9;]*m", "", "".join(error["traceback"]))
    assert displays(cell)[-1]["text/plain"].startswith("lin_grad: PASS")


def test_check_of_a_live_definition_displays_the_widget(executed):
    [data] = displays(executed[4])
    assert WIDGET in data and data["text/plain"].startswith("lin_grad: PASS")


def test_unknown_name_is_one_line(executed):
    cell = executed[5]
    assert displays(cell) == []
    known = ", ".join(tutor.exercises.names())
    assert stderr(cell).strip() == f"%%exercise: unknown exercise 'lin_grd'; known: {known}"
