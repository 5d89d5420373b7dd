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
                      "    tutor.run.result.SubmissionRun.cases = []"), {"scale", "raises"}),  # (hidden: raises)
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

# The grader's own sandbox (tests/grade/test_hostile.py formats {paths}, {secrets}, {classmate}, {nproc}).
# Each does correct work only when the attack worked: a PASS means the sandbox failed.
_CORRECT_BODY = CORRECT["lin_grad"].split("\n", 1)[1]
_IF_WON = "    if won:\n" + "".join("    " + line + "\n" for line in _CORRECT_BODY.splitlines()) + \
    "        return\n    raise RuntimeError(f'refused: {{why}}')\n"
SANDBOX = {
    # mount(2) MS_BIND|MS_REMOUNT (read-write) on / and on the runtime; again from a user namespace of its own
    "remounts_root": ("lin_grad", "import ctypes, os, sys\ndef lin_grad(inp, out, w, b):\n"
                      "    libc = ctypes.CDLL(None, use_errno=True)\n    won, why = False, []\n"
                      "    for attempt in range(2):\n"
                      "        for point in ('/', sys.prefix, os.path.dirname(os.__file__)):\n"
                      "            if libc.mount(b'none', point.encode(), None, ctypes.c_ulong(0x1000 | 32), None) == 0:\n"
                      "                for p in {paths!r}:\n                    try:\n"
                      "                        open(p, 'w').write('pwned')\n                        won = True\n"
                      "                    except OSError as e:\n                        why.append(str(e))\n"
                      "            why.append((point, ctypes.get_errno()))\n"
                      "            if libc.umount2(point.encode(), 2) == 0:  # MNT_DETACH: what lies below, if anything\n"
                      "                won = True\n"
                      "        libc.unshare(0x10000000 | 0x20000)  # CLONE_NEWUSER | CLONE_NEWNS, then once more\n"
                      + _IF_WON, {"raises"}),
    "kills_everything": ("lin_grad", "import os, signal\ndef lin_grad(inp, out, w, b):\n"
                         "    os.kill(-1, signal.SIGKILL)\n    raise RuntimeError('still here')\n", {"raises"}),
    # A grandchild in a session of its own, left to kill everything during the next runs
    "kills_everything_later": ("lin_grad", "import os, signal, time\ndef lin_grad(inp, out, w, b):\n"
                               "    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
                               "            time.sleep(1.5)\n            os.kill(-1, signal.SIGKILL)\n"
                               "        os._exit(0)\n    raise RuntimeError('left a killer behind')\n",
                               {"raises", "crashed"}),
    # Counts how many processes it can hold at once: the limit is {nproc}
    "counts_forks": ("lin_grad", "import os, time\ndef lin_grad(inp, out, w, b):\n    kids = []\n"
                     "    for i in range(3 * {nproc}):\n        try:\n            pid = os.fork()\n"
                     "        except OSError:\n            break\n        if pid == 0:\n"
                     "            time.sleep(30)\n            os._exit(0)\n        kids.append(pid)\n"
                     "    won, why = len(kids) + 1 > {nproc}, f'{{len(kids)}} forks'\n" + _IF_WON,
                     {"raises", "crashed"}),
    # The instructor's files, a classmate's notebook, the tutor package's solutions, the source notebook
    "reads_files": ("lin_grad", "def lin_grad(inp, out, w, b):\n    won, why = False, []\n"
                    "    for p in {secrets!r}:\n        try:\n            open(p, 'rb').read(1)\n"
                    "            won = True\n        except OSError as e:\n            why.append(str(e))\n"
                    + _IF_WON, {"raises"}),
    # The text of what differentiates: torch's formulas and numerical differentiation, sympy, mpmath (exec'd afresh,
    # a copy no tripwire knows)
    # (the base Python's and the system's site-packages too: sympy, mpmath, scipy may be installed there; and
    # libtorch_cpu.so, which holds TorchScript's symbolic-autodiff formulas as text)
    "reads_formula_sources": ("lin_grad", "import glob, os, sys, torch\ndef lin_grad(inp, out, w, b):\n"
                              "    won, why, t = False, [], os.path.dirname(torch.__file__)\n"
                              "    sites = sys.path + glob.glob(sys.base_prefix + '/lib/python3*/*-packages')"
                              " + glob.glob('/usr/lib/python3*/dist-packages') + glob.glob('/usr/local/lib/python3*/*-packages')\n"
                              "    for p in [os.path.join(t, '_decomp', 'decompositions.py'),\n"
                              "              os.path.join(t, '_decomp', '__pycache__'),\n"
                              "              os.path.join(t, 'lib', 'libtorch_cpu.so'),\n"
                              "              os.path.join(t, 'autograd', 'gradcheck.py')] + [\n"
                              "             os.path.join(d, m, '__init__.py') for d in sites for m in ('sympy', 'mpmath', 'scipy')]:\n"
                              "        try:\n            if os.path.isdir(p) and os.listdir(p) or open(p, 'rb').read(1):\n"
                              "                won = True\n                why.append(p)\n"
                              "        except OSError as e:\n            why.append(str(e))\n"
                              + _IF_WON, {"raises"}),
    "execs_classmate": ("lin_grad", "import json\nns = {{}}\ntry:\n"
                        "    cells = json.load(open({classmate!r}))['cells']\n"
                        "    src = [''.join(c['source']) for c in cells if 'lin_grad' in ''.join(c['source'])][0]\n"
                        "    exec(src.split('\\n', 1)[1], ns)\nexcept OSError:\n    pass\n"
                        "def lin_grad(inp, out, w, b):\n    ns['lin_grad'](inp, out, w, b)\n", {"raises"}),
    # The worker is PID 1 of the run's PID namespace: signals from inside it are dropped
    "signals_worker": ("lin_grad", "import os, signal\ndef lin_grad(inp, out, w, b):\n"
                       "    for pid in {{os.getppid(), 1}}:\n        for sig in (signal.SIGTERM, signal.SIGINT, "
                       "signal.SIGKILL):\n            try:\n                os.kill(pid, sig)\n"
                       "            except OSError:\n                pass\n"
                       "    raise RuntimeError('the worker is still there')\n", {"raises"}),
    # /tmp is private and size-limited: filling it fails long before the disk does
    "fills_tmp": ("lin_grad", "import os\ndef lin_grad(inp, out, w, b):\n    won, why = True, ''\n"
                  "    if hasattr(os, 'filled'):  # once: the run calls lin_grad for every case\n"
                  "        raise RuntimeError(f'refused: {{os.filled}}')\n"
                  "    try:\n        for i in range(40):\n"
                  "            with open(f'/tmp/fill{{i}}', 'wb') as fh:\n                fh.write(b'x' * (10 << 20))\n"
                  "    except OSError as e:\n        won, why = False, str(e)\n        os.filled = why\n" + _IF_WON,
                  {"raises"}),
    "has_capabilities": ("lin_grad", "def lin_grad(inp, out, w, b):\n"
                         "    st = dict(l.split(':', 1) for l in open('/proc/self/status').read().splitlines())\n"
                         "    caps = {{k: int(st[k], 16) for k in ('CapEff', 'CapPrm', 'CapBnd', 'CapAmb')}}\n"
                         "    won, why = any(caps.values()) or int(st['NoNewPrivs']) != 1, (caps, st['NoNewPrivs'])\n"
                         + _IF_WON, {"raises"}),
    "ptraces_worker": ("lin_grad", "import ctypes, os\ndef lin_grad(inp, out, w, b):\n"
                       "    libc = ctypes.CDLL(None, use_errno=True)\n    won, why = False, []\n"
                       "    for pid in {{os.getppid(), 1}}:\n"
                       "        if libc.ptrace(16, pid, 0, 0) == 0:  # PTRACE_ATTACH\n            won = True\n"
                       "        why.append((pid, ctypes.get_errno()))\n"
                       "        try:\n            open(f'/proc/{{pid}}/mem', 'rb').close()\n            won = True\n"
                       "        except OSError as e:\n            why.append(str(e))\n" + _IF_WON, {"raises"}),
}
HOSTILE.update(SANDBOX)


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

# Autograd reached past the checker's traps (each forged a PASS before the run's one thread, excluded autograd
# dispatch keys and severed originals): the same learner files tutor.check judges in tests/learners/lin_grad/.
_LEARNERS = Path(__file__).resolve().parent.parent / "learners" / "lin_grad"
HOSTILE.update({
    "autograd_jit_operators": ("lin_grad", (_LEARNERS / "fail_uses-autograd_11.py").read_text(), {"uses-autograd"}),
    "autograd_in_a_thread": ("lin_grad", (_LEARNERS / "fail_raises_13.py").read_text(), {"raises"}),
    "autograd_in_a_new_python": ("lin_grad", (_LEARNERS / "fail_raises_14.py").read_text(), {"raises", "timeout"}),
    "autograd_in_torchscript": ("lin_grad", (_LEARNERS / "fail_raises_15.py").read_text(), {"raises"}),
    "autograd_originals_by_gc": ("lin_grad", (_LEARNERS / "fail_raises_16.py").read_text(), {"raises", "timeout"}),
    "autograd_by_redispatch": ("lin_grad", (_LEARNERS / "fail_uses-autograd_12.py").read_text(), {"uses-autograd"}),
    "autograd_by_jit_registry": ("lin_grad", (_LEARNERS / "fail_uses-autograd_13.py").read_text(), {"uses-autograd"}),
    "autograd_by_torchscript_executor": ("lin_grad", (_LEARNERS / "fail_uses-autograd_14.py").read_text(),
                                         {"uses-autograd"}),
    "autograd_by_jit_differentiate": ("lin_grad", (_LEARNERS / "fail_uses-autograd_15.py").read_text(),
                                      {"uses-autograd"}),
    "formula_by_mkldnn_kernel": ("relu", (_LEARNERS.parent / "relu" / "fail_uses-autograd_2.py").read_text(),
                                 {"uses-autograd"}),
    "reference_text_in_freed_memory": ("lin_grad", (_LEARNERS / "fail_raises_17.py").read_text(), {"raises"}),
    "autograd_kernel_by_op_dk": ("lin_grad", (_LEARNERS / "fail_uses-autograd_16.py").read_text(), {"uses-autograd"}),
    "autograd_kernel_by_call_boxed": ("lin_grad", (_LEARNERS / "fail_uses-autograd_17.py").read_text(),
                                      {"uses-autograd"}),
    "other_exercises_reference": ("relu", (_LEARNERS.parent / "relu" / "fail_uses-reference.py").read_text(),
                                  {"uses-reference"}),
    # A result frame of its own, written into the result pipe: 30,000 globals of 400 characters (a 12 MB header;
    # at 250,000 it was a 100 MB report and 600 MB of grader files before the header was bounded)
    "huge_header_of_its_own": ("lin_grad", (Path(__file__).resolve().parent / "huge_header.py").read_text(),
                               {"crashed"}),
    "torchscript_autodiff_by_getter": ("lin_grad", (_LEARNERS / "fail_uses-autograd_18.py").read_text(),
                                       {"uses-autograd"}),
    "jit_operation_from_closure": ("lin_grad", (_LEARNERS / "fail_uses-autograd_19.py").read_text(),
                                   {"uses-autograd"}),
    "autograd_engine_by_subclasses": ("mse", (_LEARNERS.parent / "mse" / "fail_uses-autograd_2.py").read_text(),
                                      {"uses-autograd"}),
    # Libraries that differentiate (sympy and mpmath come with torch): stand-ins, and not on disk to load by path
    # torch's own formulas exec'd afresh from its source or .pyc (covered in the minimal root), and its numerical
    # differentiation (gradcheck's finite differences, exact for the mse's quadratic)
    "formula_from_torch_source": ("relu", (_LEARNERS.parent / "relu" / "fail_raises_2.py").read_text(), {"raises"}),
    "formula_from_torch_pyc": ("relu", (_LEARNERS.parent / "relu" / "fail_raises_3.py").read_text(), {"raises"}),
    # ... and every other torch file that defines a gradient by hand, read and exec'd: nested tensors' linear
    "formula_from_torch_nested_ops": ("lin_grad", (_LEARNERS / "fail_raises_19.py").read_text(), {"raises"}),
    # ... and TorchScript's formulas as text in libtorch_cpu.so's memory (the file is covered; the worker blanks it)
    "formula_from_libtorch_memory": ("relu", (_LEARNERS.parent / "relu" / "fail_raises_5.py").read_text(),
                                     {"raises"}),
    "numerical_jacobian": ("mse", (_LEARNERS.parent / "mse" / "fail_uses-autograd_4.py").read_text(),
                           {"uses-autograd"}),
    "sympy_differentiates": ("lin_grad", (_LEARNERS / "fail_uses-autograd_20.py").read_text(), {"uses-autograd"}),
    "mpmath_differentiates": ("lin_grad", (_LEARNERS / "fail_uses-autograd_21.py").read_text(), {"uses-autograd"}),
    "sympy_loaded_by_path": ("lin_grad", (_LEARNERS / "fail_raises_18.py").read_text(), {"raises"}),
})
