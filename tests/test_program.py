"""The rule of what checked code may use (tutor.run.program), statement by statement, on notebook-shaped source."""
from __future__ import annotations

import ast

import pytest

from tutor.exercises import get
from tutor.run.namespace import LoadError, globals_where, load
from tutor.run.entry import excerpt, find_entry
from tutor.run.program import build

LIN_GRAD = "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)\n"


def cells(*sources: str) -> str:
    return "".join(f"# %% cell {i}\n{s}\n" for i, s in enumerate(sources, 1))


@pytest.mark.parametrize("line", ["EPS = 1e-8", "EPS: float = 0.0", "TWO = 2.0 * 1", "ZERO = torch.zeros(())",
                                  "SHAPE = (784, 50)", "import math\nK = math.sqrt(2)", "T = tensor([1., 2.]).sum()",
                                  "N = 3\nN += 1", "from torch import zeros\nZ = zeros(3)"])
def test_constants_are_definitions(line):
    prog = build(cells(line, LIN_GRAD))
    assert prog.data == {} and all(st.kind in ("const", "module", "import", "def") for st in prog.kept), prog.kept


@pytest.mark.parametrize("line, name", [("x_train, y_train, _, _ = tutor.mnist()", "x_train"),
                                        ("w1 = torch.randn(784, 50)", "w1"), ("inp = x[:5]", "inp"),
                                        ("for i in range(3): acc = i", "acc"), ("data = np.load('x.npy')", "data"),
                                        ("with open('f') as fh: text = fh.read()", "text"),
                                        ("S = open('f').read()", "S")])
def test_data_is_left_out_and_remembered_with_its_cell(line, name):
    prog = build(cells("import numpy as np\nx = tutor.mnist()[0]", line))
    assert prog.data.get(name) == "cell 2"


def test_data_read_by_the_entry_is_named_with_the_reader_and_the_cell():
    src = cells("x_train = tutor.mnist()[0]", LIN_GRAD.replace("out.g.sum(0)", "out.g.sum(0) + 0 * x_train.sum()"))
    entry, ns = load(src, "lin_grad", "lin_grad")
    assert globals_where(entry, ns) == {"x_train": "`lin_grad` reads the global `x_train`, defined in cell 1 from data"}
    entry, ns = load(LIN_GRAD.replace("w.t()", "w1.t()"), "lin_grad", "lin_grad")
    assert globals_where(entry, ns) == {"w1": "`lin_grad` reads `w1`, which is defined nowhere in your code"}


def test_a_definition_rebound_to_data_no_longer_counts():
    prog = build(cells(LIN_GRAD, "lin_grad = None if False else tutor.mnist()"))
    assert find_entry(prog, get("lin_grad")) == ("", "")


def test_only_what_the_entry_needs_runs_so_a_broken_or_missing_import_elsewhere_does_not_matter():
    src = cells("from fastai.vision.all import *\nimport not_a_module_here", "class Broken(Unknown): pass",
                "def f(:\n", LIN_GRAD)
    entry, ns = load(src, "lin_grad", "lin_grad")
    assert entry.__name__ == "lin_grad" and "Broken" not in ns


def test_a_syntax_error_in_the_checked_cell_is_reported_with_its_cell():
    with pytest.raises(LoadError) as e:
        load(cells(LIN_GRAD, "%%exercise lin_grad\ndef lin_grad(inp, out, w, b):\n    inp.g = (\n"),
             "lin_grad", "lin_grad")
    assert e.value.info.type == "SyntaxError" and e.value.info.message.startswith("cell 2, line 2")


def test_cell_magics_other_than_python_are_skipped_and_exports_expand():
    src = cells("%%bash\necho hi", "%%time\n" + LIN_GRAD)
    assert find_entry(build(src), get("lin_grad")) == ("lin_grad", "exact")
    export = "# In[4]:\n\n\nget_ipython().run_cell_magic('exercise', 'lin_grad', " + repr(LIN_GRAD) + ")\n"
    prog = build(export)
    assert [(c.label, c.exercise) for c in prog.cells][-1] == ("cell [4]", "lin_grad")
    assert find_entry(prog, get("lin_grad")) == ("lin_grad", "exact")


def test_names_learners_use():
    for name, exercise in [("ReLU", "relu"), ("MSE", "mse"), ("LossMSE", "mse"), ("Linear", "lin")]:
        src = f"class {name}(Module):\n    pass\n"
        assert find_entry(build(src), get(exercise)) == (name, "alias")
    assert find_entry(build("def relu(x): return x\n"), get("relu")) == ("", "")  # the forward function is no class
    assert find_entry(build("def relu_grad(inp, out): pass\n"), get("relu")) == ("relu_grad", "free")
    assert find_entry(build("def mse_grad(inp, targ): pass\n"), get("mse")) == ("mse_grad", "free")
    # in its own `%%exercise` cell any one class is the answer
    assert find_entry(build("%%exercise relu\nclass MyRectifier(Module): pass\n"), get("relu")) == \
        ("MyRectifier", "cell")


def test_the_excerpt_is_the_cells_the_check_needs_and_the_same_code_gives_the_same_text():
    lin = "class Lin(Module):\n    def __init__(self, w, b): self.w, self.b = w, b\n" \
          "    def forward(self, inp): return inp @ self.w + self.b\n" \
          "    def bwd(self, out, inp): lin_grad(inp, out, self.w, self.b)\n"
    a = cells("x = tutor.mnist()", LIN_GRAD, "print('hi')", "%%exercise lin\n" + lin)
    b = cells("x = tutor.mnist()  # another student", LIN_GRAD, "w = 2", "%%exercise lin\n" + lin)
    assert excerpt(a, get("lin")) == excerpt(b, get("lin")) == \
        "# %% cell 2\n" + LIN_GRAD + "# %% cell 4 (%%exercise lin)\n" + lin


@pytest.mark.parametrize("source, blanked", [
    ('doc = """\n!important\n%d items\n"""\n%time x\n', [4]),  # inside a string: text, not magics
    ("x = [1,\n!= 2]\n!ls\n", [2]),  # inside brackets: an operator continuing the expression
    ("y = 1 + \\\n    % 2\n%who\n", [2]),  # after a backslash: the same line for Python
    ("s = 'a(' # (\n%time f()\n", [1]),  # brackets in a string or a comment open nothing
    ("Relu?\nz = (1,\n     2)\nz??\n", [0, 3]),
])
def test_only_a_line_that_starts_a_statement_is_a_magic(source, blanked) -> None:
    from tutor.run.cells import split_lines, strip_magics

    before, after = split_lines(source), split_lines(strip_magics(source))
    assert [i for i, (a, b) in enumerate(zip(before, after)) if a != b] == blanked
    assert all(not after[i] for i in blanked)


def _code_objects(code):
    yield code
    for c in code.co_consts:
        if isinstance(c, type(code)):
            yield from _code_objects(c)


def test_global_loads_reads_what_dis_reads():
    """The bytecode scan that finds the globals a learner's code reads lists, on every code object of every
    learner file and of tutor itself (and one with over 256 names: EXTENDED_ARG), exactly the names `dis` lists;
    and the same for the globals it assigns."""
    import dis
    from pathlib import Path

    from tutor.run.bytecode import global_loads, global_stores

    root = Path(__file__).resolve().parents[1]
    many = "def f():\n" + "".join(f"    a{i} = 0\n" for i in range(300)) + \
        "".join(f"    g{i}\n" for i in range(300)) + "    global z\n    z = [q for q in r if s]\n"
    sources = [(p, p.read_text()) for p in [*root.glob("tests/learners/*/*.py"), *root.glob("tutor/**/*.py")]]
    checked = 0
    for path, text in [*sources, ("many names", many)]:
        try:
            top = compile(text, str(path), "exec")
        except SyntaxError:  # (learner files with a magic line or a syntax error on purpose)
            continue
        for code in _code_objects(top):
            want = [ins.argval for ins in dis.get_instructions(code) if ins.opname in ("LOAD_GLOBAL", "LOAD_NAME")]
            assert global_loads(code) == want, (path, code.co_name)
            stores = {ins.argval for ins in dis.get_instructions(code) if ins.opname == "STORE_GLOBAL"}
            assert global_stores(code) == stores, (path, code.co_name)
            checked += bool(want)
    assert checked > 1000


def test_statement_reads_reads_what_the_symtable_module_reads():
    """The raw symbol-table walk that lists what a statement reads gives, for every top-level statement of every
    learner file and of tutor itself (classes, comprehensions, lambdas, `global`, nested functions), exactly what
    the `symtable` module's own is_referenced / is_global give, and the declared globals added to (`n += 1`)."""
    import ast
    import symtable
    from pathlib import Path

    from tutor.run.reads import lines_of, statement_reads

    def by_the_module(node, text):
        top = symtable.symtable(lines_of(node, text), "<statement>", "exec")
        out = {s.get_name() for s in top.get_symbols() if s.is_referenced()}
        stack = list(top.get_children())
        while stack:
            table = stack.pop()
            out |= {s.get_name() for s in table.get_symbols() if s.is_global() and s.is_referenced()}
            declared = {s.get_name() for s in table.get_symbols() if s.is_declared_global()}
            out |= {a.target.id for a in ast.walk(node) if isinstance(a, ast.AugAssign)
                    and isinstance(a.target, ast.Name) and a.target.id in declared}
            stack += table.get_children()
        return out

    root = Path(__file__).resolve().parents[1]
    scoped = "G = 1\ndef f():\n    global H\n    H = [G for G in range(3) if K]\n    return (lambda: L + G)()\n" \
             "class C:\n    x = M\n    def m(self):\n        nonlocal_free = x\n        return [y for y in N]\n"
    checked = 0
    for text in [*(p.read_text() for p in [*root.glob("tests/learners/*/*.py"), *root.glob("tutor/**/*.py")]), scoped]:
        try:
            tree = ast.parse(text)
        except SyntaxError:  # (learner files with a magic line or a syntax error on purpose)
            continue
        for node in tree.body:
            assert statement_reads(node, text) == by_the_module(node, text), ast.unparse(node)[:200]
            checked += 1
    assert checked > 1500


@pytest.mark.parametrize("block, kept", [
    ("try:\n    import numpy as np\nexcept ImportError:\n    np = None\n", True),
    ("if True:\n    def helper(x):\n        return x\n", True),
    ("if __name__ == '__main__':\n    import doctest\n", True),
    ("try:\n    x = torch.load('x.pt')\nexcept Exception:\n    x = None\n", False),  # data inside: left out
    ("if x_train.shape[0] > 5:\n    def helper(x):\n        return x\n", False),  # a test on data
    ("try:\n    import numpy as np\nexcept ImportError as e:\n    print(e)\n", False),
])
def test_a_top_level_block_of_definitions_is_kept_whole(block, kept):
    """`if`/`try`/`with` at top level holding only definitions, its own expressions constant, runs as a unit."""
    prog = build(cells("import torch\nx_train = torch.randn(9, 2)", block, LIN_GRAD))
    blocks = [st for st in prog.kept if isinstance(st.node, (ast.If, ast.Try))]
    assert bool(blocks) == kept, prog.kept
    if not kept:
        assert prog.data, "the names it binds count as data"


@pytest.mark.parametrize("block, inside", [
    ("try:\n    def lin_grad(inp, out, w, b):\n        b.g = out.g.sum(0)\n    lin_grad(x, o, w, b)\n"
     "except Exception as e:\n    print(e)\n", "a `try` block"),
    ("if x_train.shape[0] > 5:\n    def lin_grad(inp, out, w, b):\n        b.g = out.g.sum(0)\n", "an `if` block"),
    ("for i in range(2):\n    with open('log') as f:\n        def lin_grad(inp, out, w, b):\n"
     "            b.g = out.g.sum(0)\n", "a `for` loop"),
])
def test_a_definition_inside_a_block_of_data_is_taken_alone(block, inside):
    """The notebook has a function defined in a block that also tests it on data (once the block ran): the check
    keeps the definition alone, leaves the rest out as data, and says so."""
    prog = build(cells("import torch\nx_train = torch.randn(9, 2)", block))
    defs = [st for st in prog.kept if "lin_grad" in st.binds]
    assert len(defs) == 1 and isinstance(defs[0].node, ast.FunctionDef) and defs[0].inside == inside
    assert "lin_grad" not in prog.data and prog.kinds["lin_grad"] == "def"
    notes: list[str] = []
    entry, _ = load(cells("import torch\nx_train = torch.randn(9, 2)", block), "lin_grad", "lin_grad", notes)
    assert entry.__name__ == "lin_grad" and any(f"inside {inside}" in n for n in notes), notes


def test_a_branch_a_literal_condition_never_takes_defines_nothing():
    source = cells(LIN_GRAD, "if False:\n    def lin_grad(inp, out, w, b):\n        pass\n    print(x_train)\n",
                   "while 0:\n    lin_grad = None\n")
    prog = build(source)
    assert [st.inside for st in prog.kept if "lin_grad" in st.binds] == [""] and "lin_grad" not in prog.data
