"""Reading submissions: `%%exercise` cells, scripts, and one-line reasons for files that are not notebooks."""
from __future__ import annotations

import json

import pytest

from tutor.notebook import NotebookError, parse_magic, read_notebook, script_exercises, submission_exercises


def test_magic_line_and_body():
    assert parse_magic("\n%%exercise relu\nclass Relu: ...\n") == ("relu", "class Relu: ...\n")
    assert parse_magic("%%exercise lin_grad --quiet\nx = 1") == ("lin_grad", "x = 1")
    assert parse_magic("# %%exercise relu\n") is None and parse_magic("%%time\nx") is None
    # the magic checks `%%exercise Relu` as relu (named after the class): the grader must find it too
    assert parse_magic("%%exercise Relu\nclass Relu: ...") == ("relu", "class Relu: ...")


def test_cells_as_lists_and_the_last_repeated_cell_wins(tmp_path):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": ["%%exercise relu\n", "not code"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": ["%%exercise relu\n", "first = 1\n"]},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "%%exercise relu\nsecond = 2\n"}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    cells = submission_exercises(path)
    assert list(cells) == ["relu"] and cells["relu"].source == "second = 2\n" and cells["relu"].index == 2


@pytest.mark.parametrize("content, said", [
    (b"{", "not valid notebook JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
    (b"[]", "JSON without a 'cells' list (got list), expected a Jupyter notebook"),
    (b'{"cells": [3]}', "cell 0 is not a notebook cell object"),
    (b'{"cells": [{"cell_type": "code", "source": 7}]}', "cell 0: a cell's source is a int"),
    (b"\xff\xfe", "not UTF-8 text (byte 0), expected notebook JSON"),
    (b"", "the file is empty (0 bytes), expected notebook JSON"),
    (b" \n", "the file holds only blank space, expected notebook JSON"),
])
def test_malformed_notebooks_get_one_line_reasons(tmp_path, content, said):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError) as e:
        read_notebook(path)
    assert said in str(e.value) and str(path) in str(e.value) and "\n" not in str(e.value)


def test_scripts_answer_the_exercises_whose_names_they_define(tmp_path):
    path = tmp_path / "s.py"
    path.write_text("import torch\nfrom tutor.lesson import lin_grad\nclass Mse(Module):\n    pass\nRelu = None\n")
    assert sorted(c.exercise for c in script_exercises(path)) == ["lin_grad", "mse", "relu"]
    path.write_text("def lin_grad(:\n")  # a syntax error still answers the exercise it names
    assert [c.exercise for c in script_exercises(path)] == ["lin_grad"]


def test_plain_definitions_answer_but_only_magic_cells_ask(tmp_path):
    from tutor.grade.collect import read_submission
    from tutor.grade.engine import Settings, expected_exercises

    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "%%exercise relu\nclass Relu(Module): pass\n"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "class Model:\n    pass\n"}]}
    path = tmp_path / "n.ipynb"
    path.write_text(json.dumps(nb))
    cells = submission_exercises(path)
    assert {k: c.plain for k, c in cells.items()} == {"lin_grad": True, "relu": False, "model": True}
    assert cells["lin_grad"].program == "# %% cell 1\n" + nb["cells"][0]["source"]
    sub = read_submission(path, "n.ipynb", set(cells))
    assert expected_exercises([sub], Settings(), ["lin_grad", "relu", "model"]) == ["relu"]
    # a "Save as Python" export: its `%%exercise` cells are magic calls
    export = tmp_path / "n.py"
    export.write_text("# In[2]:\n\n\nget_ipython().run_cell_magic('exercise', 'relu', "
                      "'class Relu(Module): pass\\n')\n")
    assert {k: (c.plain, c.source) for k, c in submission_exercises(export).items()} == \
        {"relu": (False, "class Relu(Module): pass\n")}
