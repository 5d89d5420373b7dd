"""Identical code: normalization (comments, blank lines), who is grouped, the released cell left out."""
from __future__ import annotations

from corpus import CORRECT, write_notebook

from tutor.grade.similar import Member, SimilarCode, normalized, stubs


def test_comments_trailing_spaces_and_blank_lines_go_strings_and_indentation_stay():
    a = "def f(x):\n    # the gradient\n\n    y = x  # keep\n    return '#not a comment'   \n"
    assert normalized(a) == "def f(x):\n    y = x\n    return '#not a comment'"
    assert normalized(a) != normalized(a.replace("    y = x", "        y = x"))
    assert normalized('s = "a#b"\nt = 1 # x\n') == 's = "a#b"\nt = 1'
    assert normalized('def f():\n    """\n    # in the docstring\n    """\n    # a comment\n') == \
        'def f():\n    """\n    # in the docstring\n    """'
    # IPython help lines are not Python: whole-line comments still go
    assert normalized("Relu?\n# look\nx = 1\n") == "Relu?\nx = 1"


def test_groups_need_two_students_and_skip_the_released_cell(tmp_path):
    stub = "def lin_grad(inp, out, w, b):\n    # YOUR CODE HERE\n    raise NotImplementedError()\n"
    assignment = write_notebook(tmp_path / "assignment.ipynb", {"lin_grad": stub, "relu": ""})
    sim = SimilarCode(ignore=stubs(str(assignment)))
    m = lambda label, key: Member(label, key, key, f"feedback/{label}.html")  # noqa: E731
    sim.add("lin_grad", CORRECT["lin_grad"], m("ann.ipynb", "ann"))
    sim.add("lin_grad", "# mine\n" + CORRECT["lin_grad"] + "\n\n", m("ben.ipynb", "ben"))
    sim.add("lin_grad", CORRECT["lin_grad"], m("ben.py", "ben"))
    sim.add("lin_grad", stub.replace("# YOUR CODE HERE", "# todo"), m("cat.ipynb", "cat"))  # handed back untouched
    sim.add("lin_grad", stub, m("dan.ipynb", "dan"))
    sim.add("lin_grad", None, m("eve.ipynb", "eve"))  # no cell
    sim.add("relu", CORRECT["relu"], m("ann.ipynb", "ann"))
    sim.add("relu", CORRECT["relu"], m("ann.py", "ann"))  # one student's two files are not a pair
    short = "class Relu(Module):\n    def bwd(self, out, inp): inp.g = out.g * (inp > 0)\n"
    sim.add("relu", short, m("fay.ipynb", "fay"))
    sim.add("relu", short, m("gus.ipynb", "gus"))
    groups = sim.groups()
    assert [[x.label for x in g.members] for g in groups["lin_grad"]] == [["ann.ipynb", "ben.ipynb", "ben.py"]]
    assert groups["lin_grad"][0].lines == 3  # the `def lin_grad(...)` line was given: three written alike
    assert [[x.label for x in g.members] for g in groups["relu"]] == [["fay.ipynb", "gus.ipynb"]]
