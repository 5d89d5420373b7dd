"""What a learner's kernel saves when a check passes (nbclient, a real ipykernel): the code later notebooks load,
from `tutor.check(Relu)` too; a cell run again with the same code is not another attempt; and what a later
notebook runs of the passing code is its definitions, not the test lines that needed this notebook's data."""
from __future__ import annotations

import sys

import pytest
from kernelrun import run_cells, text

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox child needs Linux")

MODULE = ("class Module():\n    def __call__(self, *args):\n        self.args = args\n"
          "        self.out = self.forward(*args)\n        return self.out\n"
          "    def forward(self): raise Exception('not implemented')\n"
          "    def backward(self): self.bwd(self.out, *self.args)\n    def bwd(self): raise Exception('not implemented')")
RELU = ("class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
        "    def bwd(self, out, inp): inp.g = (inp>0).float() * out.g")
MSE = ("class Mse(Module):\n    def forward (self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()\n"
       "    def bwd(self, out, inp, targ): inp.g = 2*(inp.squeeze()-targ).unsqueeze(-1) / targ.shape[0]")

CELLS = [
    "import tutor, torch\nxs = torch.linspace(-2, 2, 9)",
    MODULE,
    RELU,
    # a class checked as an object, its report shown (which saves it): inspect finds no source for a class
    # defined in a cell
    "tutor.check(Relu)",
    "print(tutor.check('relu').summary_line(), tutor.passing_code('relu') is not None)",  # by the exercise's name
    # an exercise cell with the learner's own test lines after the class (they read this notebook's xs)
    f"%%exercise mse\n{MSE}\nm = Mse()\nprint(m(xs[:, None], xs).item())",
    f"%%exercise mse\n{MSE}\nm = Mse()\nprint(m(xs[:, None], xs).item())",  # the same code, run again
    "saved = tutor.progress.store().get('mse')\nprint('attempts', saved.attempts)\n"
    "ns = {'Module': Module, 'torch': torch}\nexec(tutor.definitions('mse', saved.passing_code), ns)\n"
    "print('defines', sorted(k for k in ns if k in ('Mse', 'm')))",
    "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)",
    # checked, not shown: kept in a variable, its verdict printed
    "report = tutor.check(lin_grad)\nprint(report.passed)",
    "print('saved', tutor.passed('lin_grad'), 'w.g = inp.t() @ out.g' in tutor.passing_code('lin_grad'))",
    # defined in a `%%time` cell (the course times its cells): compiled under "<timed exec>", no source kept
    f"%%time\n{RELU}",
    "print('timed', tutor.check(Relu).summary_line())",
    "%%time\ndef lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = 2 * inp.t() @ out.g\n"
    "    b.g = out.g.sum(0)",
    "print('timed', tutor.check('lin_grad').summary_line())",
    # the cell that defines Module skipped (after a restart, say): the class cannot be made in the notebook
    "del Module",
    "%%exercise lin\nclass Lin(Module):\n    def __init__(self, w, b): self.w, self.b = w, b\n"
    "    def forward(self, inp): return inp @ self.w + self.b\n    def bwd(self, out, inp):\n"
    "        inp.g = out.g @ self.w.t()\n        self.w.g = inp.t() @ out.g\n        self.b.g = out.g.sum(0)",
]


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    return run_cells(CELLS, tmp_path_factory.mktemp("tutor-home"))


def test_a_class_checked_as_an_object_saves_its_code_and_one_checked_by_name_too(cells):
    assert "relu: PASS" in text(cells[3]), text(cells[3])
    assert text(cells[4]).strip() == "relu: PASS True", text(cells[4])


def test_the_same_cell_run_again_is_not_another_attempt(cells):
    assert "attempts 1" in text(cells[7]), text(cells[7])


def test_a_later_notebook_runs_the_definitions_without_the_test_lines(cells):
    assert "defines ['Mse']" in text(cells[7]), text(cells[7])


def test_a_check_kept_in_a_variable_and_never_shown_is_saved_too(cells):
    assert text(cells[9]).strip() == "True", text(cells[9])
    assert text(cells[10]).strip() == "saved True True", text(cells[10])


def test_a_definition_made_in_a_timed_cell_is_checked_from_that_cell(cells):
    assert text(cells[12]).strip() == "timed relu: PASS", text(cells[12])
    assert text(cells[14]).strip() == "timed lin_grad: FAIL [scale]", text(cells[14])  # that cell's, not cell 8's


def test_an_exercise_cell_that_raised_in_the_notebook_says_so_beside_its_verdict(cells):
    shown = text(cells[16])
    assert "lin: PASS" in shown and "this cell raised NameError in your notebook" in shown, shown
