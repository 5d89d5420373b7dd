"""Submissions for the grading tests and the bench: correct, wrong, and hostile code, written as real notebooks."""
from __future__ import annotations

from pathlib import Path

import nbformat

CORRECT = {
    "lin_grad": "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.T\n    w.g = inp.T @ out.g\n"
                "    b.g = out.g.sum(dim=0)\n",
    "relu": "class Relu(Module):\n    def forward(self, inp):\n        return inp.clamp(min=0.)\n"
            "    def bwd(self, out, inp):\n        inp.g = (inp > 0).to(out.g.dtype) * out.g\n",
    "mse": "class Mse(Module):\n    def forward(self, inp, targ):\n        return ((inp[:, 0] - targ) ** 2).mean()\n"
           "    def bwd(self, out, inp, targ):\n        inp.g = 2. * (inp[:, 0] - targ)[:, None] / targ.shape[0]\n",
    "lin": "class Lin(Module):\n    def __init__(self, w, b):\n        self.w, self.b = w, b\n"
           "    def forward(self, inp):\n        return inp @ self.w + self.b\n"
           "    def bwd(self, out, inp):\n        inp.g = out.g @ self.w.T\n        self.w.g = inp.T @ out.g\n"
           "        self.b.g = out.g.sum(0)\n",
}

# Wrong: forgot to transpose / forgot the bias sum (a plain mistake, FAIL with a diagnosis code).
WRONG_LIN_GRAD = ("def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.T\n    w.g = inp.T @ out.g\n"
                  "    b.g = out.g\n")

PATCHING = ("def lin_grad(inp, out, w, b):\n    {patch}\n    inp.g = out.g @ w.T\n    w.g = (inp.T @ out.g) * 1.5\n"
            "    b.g = out.g.sum(0)\n")

# Hostile: name -> (exercise, source, verdict codes any of which is acceptable)
HOSTILE = {
    "infinite_loop": ("lin_grad", "def lin_grad(inp, out, w, b):\n    while True:\n        pass\n", {"timeout"}),
    "sleeper": ("lin_grad", "import time\ndef lin_grad(inp, out, w, b):\n    time.sleep(10**6)\n", {"timeout"}),
    "memory_bomb": ("lin_grad", "def lin_grad(inp, out, w, b):\n    x = bytearray(10**12)\n", {"memory"}),
    "memory_creep": ("lin_grad", "def lin_grad(inp, out, w, b):\n    a = []\n    while True:\n"
                     "        a.append(bytearray(10**7))\n", {"memory"}),
    "fork_bomb": ("lin_grad", "import os\ndef lin_grad(inp, out, w, b):\n    while True:\n        os.fork()\n",
                  {"crashed"}),
    "fork_bomb_stubborn": ("lin_grad", "import os\ndef lin_grad(inp, out, w, b):\n    while True:\n        try:\n"
                           "            os.fork()\n        except OSError:\n            pass\n", {"crashed"}),
    "sys_exit": ("lin_grad", "import sys\ndef lin_grad(inp, out, w, b):\n    sys.exit(0)\n", {"crashed"}),
    "os_exit": ("lin_grad", "import os\ndef lin_grad(inp, out, w, b):\n    os._exit(0)\n", {"crashed"}),
    "keyboard_interrupt": ("lin_grad", "def lin_grad(inp, out, w, b):\n    raise KeyboardInterrupt\n", {"crashed"}),
    "base_exception": ("lin_grad", "def lin_grad(inp, out, w, b):\n    raise BaseException('no')\n", {"crashed"}),
    "segfault": ("lin_grad", "import ctypes\ndef lin_grad(inp, out, w, b):\n    ctypes.string_at(0)\n",
                 {"crashed"}),
    # Wrong gradients (w.g 1.5x too big), and, while running, every tool a checker might use patched to agree.
    "patches_torch": ("lin_grad", PATCHING.format(patch="import torch, torch.testing, numpy, numpy.testing\n"
                      "    torch.allclose = lambda *a, **k: True\n    torch.equal = lambda *a, **k: True\n"
                      "    torch.isclose = lambda a, b, *x, **k: torch.ones_like(a, dtype=torch.bool)\n"
                      "    torch.testing.assert_close = lambda *a, **k: None\n"
                      "    numpy.allclose = lambda *a, **k: True\n    numpy.isclose = lambda a, b, *x, **k: True\n"
                      "    numpy.abs = lambda a, *x, **k: a * 0\n"
                      "    numpy.testing.assert_allclose = lambda *a, **k: None"), {"scale"}),
    "patches_tutor": ("lin_grad", PATCHING.format(patch="import tutor, tutor.judge, tutor.checker, tutor.report\n"
                      "    tutor.judge.judge = lambda *a, **k: None\n    tutor.checker.check = lambda *a, **k: None\n"
                      "    tutor.report.CheckReport.passed = True\n"
                      "    tutor.run.result.SubmissionRun.cases = []"), {"scale"}),
    "imports_reference": ("lin_grad", "from tutor.lesson import lin_grad\n", {"uses-reference"}),
    "calls_reference": ("lin_grad", "def lin_grad(inp, out, w, b):\n    import tutor.lesson\n"
                        "    tutor.lesson.lin_grad(inp, out, w, b)\n", {"uses-reference"}),
    "calls_reference_unguarded": ("lin_grad", "def lin_grad(inp, out, w, b):\n    import sys, tutor.lesson\n"
                                  "    sys.setprofile(None)\n    tutor.lesson.lin_grad(inp, out, w, b)\n",
                                  {"uses-reference"}),
    # A copy of the reference, made from its text at run time (new code objects: no tripwire knows them).
    "execs_reference_source": ("lin_grad", "def lin_grad(inp, out, w, b):\n    from tutor.exercises import get\n"
                               "    ns = {}\n    exec(get('lin_grad').reference_source, ns)\n"
                               "    ns['lin_grad'](inp, out, w, b)\n", {"raises", "uses-reference"}),
    "execs_reference_file": ("lin_grad", "def lin_grad(inp, out, w, b):\n    import inspect, tutor.lesson\n"
                             "    ns = {}\n    exec(inspect.getsource(tutor.lesson.lin_grad), ns)\n"
                             "    ns['lin_grad'](inp, out, w, b)\n", {"raises", "uses-reference"}),
    "prints_1gb": ("lin_grad", CORRECT["lin_grad"].replace("    inp.g", "    for _ in range(1000):\n"
                                                           "        print('x' * 10**6)\n    inp.g", 1),
                   {"output-limit"}),
    # Reaches a server the test listens on at 127.0.0.1: with network access it would pass, without it raises.
    "network": ("lin_grad", "import socket\ndef lin_grad(inp, out, w, b):\n"
                "    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
                + CORRECT["lin_grad"].split("\n", 1)[1], {"raises"}),
    # Tries every path (a refused one does not stop it), then raises: what matters is that nothing got written.
    "writes_outside": ("lin_grad", "def lin_grad(inp, out, w, b):\n    for p in {paths!r}:\n"
                       "        try:\n            open(p, 'w').write('pwned')\n        except OSError:\n"
                       "            pass\n    raise RuntimeError('tried every path')\n", {"raises"}),
}


def notebook(cells: dict[str, str], extra_code: str = "") -> nbformat.NotebookNode:
    """A notebook with a markdown cell, optional plain code, and one `%%exercise NAME` cell per entry."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# Backprop from scratch"))
    if extra_code:
        nb.cells.append(nbformat.v4.new_code_cell(extra_code))
    for name, code in cells.items():
        nb.cells.append(nbformat.v4.new_code_cell(f"%%exercise {name}\n{code}"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write_notebook(path: Path, cells: dict[str, str], extra_code: str = "") -> Path:
    """Write `notebook(cells)` to path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(cells, extra_code), str(path))
    return path
