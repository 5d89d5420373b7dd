"""The in-kernel check in a real ipykernel (nbclient): learner code runs in a sandbox child, so a hostile check
leaves the kernel and every later verdict as they were, and an endless loop ends as a `timeout` in seconds."""
from __future__ import annotations

import sys

import pytest
from kernelrun import run_cells, text

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox child needs Linux")

RIGHT = ("def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n"
         "    b.g = out.g.sum(0)\n")
ZERO_RELU = ("class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
             "    def bwd(self, out, inp): inp.g = out.g * 0\n")

CELLS = [
    "import tutor, numpy, torch\nfrom tutor.sandbox.protocol import Limits\nRIGHT = {right!r}\nZERO = {zero!r}",
    # a class body that monkeypatches numpy and torch while it loads
    "hostile = 'import numpy, torch\\nclass S:\\n    numpy.abs = lambda a, *k, **kw: a * 0\\n"
    "    torch.allclose = lambda *a, **k: True\\n' + ZERO\nprint(tutor.check('relu', hostile).summary_line())",
    "print(tutor.check('relu', ZERO).summary_line(), numpy.abs(-1.0), torch.allclose(torch.zeros(1), torch.ones(1)))",
    # a report's arrays are the learner's to change: the next verdict is not
    "r = tutor.check('lin_grad', RIGHT.replace('out.g.sum(0)', 'out.g'))\nfor s in r.samples:\n    s.reference *= 2\n"
    "print(tutor.check('lin_grad', RIGHT).summary_line())",
    # an endless loop: a timeout in seconds, and the kernel goes on
    "import time\nt = time.monotonic()\nloop = 'def lin_grad(inp, out, w, b):\\n    while True:\\n        pass\\n'\n"
    "print(tutor.check('lin_grad', loop, limits=Limits(wall=2.0, cpu=2.0)).summary_line(), time.monotonic() - t < 30)",
    "%%exercise lin_grad\nimport sys\ndef lin_grad(inp, out, w, b):\n    sys.exit(0)",
    "%%exercise lin_grad\ndef lin_grad(inp, out, w, b):\n    print('debug: in lin_grad')\n"
    "    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)",
    "import os\nprint('kernel pid unchanged', os.getpid() == KERNEL_PID, tutor.check('lin_grad', RIGHT).isolation[:30])",
]


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    sources = [c.format(right=RIGHT, zero=ZERO_RELU) if i == 0 else c for i, c in enumerate(CELLS)]
    sources[0] = "import os\nKERNEL_PID = os.getpid()\n" + sources[0]
    return run_cells(sources, tmp_path_factory.mktemp("tutor-home"))


def test_a_hostile_check_fails_and_poisons_nothing(cells):
    assert text(cells[1]).startswith("relu: FAIL")
    # the kernel's numpy and torch are untouched: the patch ran in the child only
    assert text(cells[2]).split() == ["relu:", "FAIL", "[wrong-mask,", "wrong-value]", "1.0", "False"] or \
        (text(cells[2]).startswith("relu: FAIL") and text(cells[2]).rstrip().endswith("1.0 False"))


def test_changing_a_report_changes_no_later_verdict(cells):
    assert text(cells[3]).strip() == "lin_grad: PASS"


def test_an_endless_loop_ends_as_timeout_and_the_kernel_goes_on(cells):
    assert text(cells[4]).strip() == "lin_grad: FAIL [timeout] True"


def test_sys_exit_in_an_exercise_cell_is_a_crash(cells):
    assert "lin_grad: FAIL [crashed]" in text(cells[5])


def test_prints_are_kept_and_the_check_ran_in_a_sandbox(cells):
    assert "debug: in lin_grad" in text(cells[6])  # the cell's own run in the kernel printed it
    assert "kernel pid unchanged True a sandboxed child process" in text(cells[7])
