"""Hostile code against `tutor.check` and `tutor check`: nothing a learner's code does makes a PASS, hangs the
check, breaks `--json`, or changes a later verdict in the same process (the code runs in a sandbox child)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import tutor
from tutor.sandbox.protocol import Limits

RIGHT_LIN_GRAD = ("def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n"
                  "    b.g = out.g.sum(0)\n")
ZERO_RELU = ("class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
             "    def bwd(self, out, inp): inp.g = out.g * 0\n")
TUTOR = [sys.executable, "-m", "tutor.cli"]

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sandbox child needs Linux")


def cli(tmp_path: Path, source: str, *args: str, exercise: str = "lin_grad") -> subprocess.CompletedProcess:
    path = tmp_path / "mine.py"
    path.write_text(source)
    return subprocess.run([*TUTOR, "check", exercise, str(path), *args], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL)


@pytest.mark.parametrize("stop", ["sys.exit(0)", "os._exit(0)", "os.kill(os.getpid(), signal.SIGKILL)",
                                  "raise SystemExit", "raise KeyboardInterrupt"])
def test_ending_the_process_is_a_crash_not_a_pass(tmp_path: Path, stop: str) -> None:
    source = f"import os, sys, signal\ndef lin_grad(inp, out, w, b):\n    {stop}\n"
    done = cli(tmp_path, source, "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert not report["passed"] and report["summary"] == "lin_grad: FAIL [crashed]"


def test_prints_and_a_debugger_never_break_json(tmp_path: Path) -> None:
    source = ("import pdb\ndef lin_grad(inp, out, w, b):\n    print('x' * 10_000_000)\n    pdb.set_trace()\n"
              "    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)\n")
    done = cli(tmp_path, source, "--json")
    report = json.loads(done.stdout)  # exactly one JSON object: nothing the learner printed around it
    assert report["passed"] and report["output"].startswith("xxx")
    assert 10_000 < len(report["output"]) < 20_000 and len(done.stdout) < 100_000
    assert "output-limit" in [d["code"] for d in report["diagnoses"]]


def test_text_report_shows_what_the_code_printed(tmp_path: Path) -> None:
    done = cli(tmp_path, RIGHT_LIN_GRAD.replace("    inp.g", "    print('shapes', inp.shape)\n    inp.g"))
    assert done.returncode == 0 and "your code printed:" in done.stdout and "shapes torch.Size" in done.stdout


def test_an_endless_loop_is_a_timeout_and_the_next_check_works() -> None:
    start = time.monotonic()
    report = tutor.check("lin_grad", "def lin_grad(inp, out, w, b):\n    while True:\n        pass\n",
                         limits=Limits(wall=2.0, cpu=2.0))
    assert report.codes == ["timeout"] and time.monotonic() - start < 30
    assert tutor.check("lin_grad", RIGHT_LIN_GRAD).passed


PATCHES = [
    "numpy.abs = lambda a, *k, **kw: a * 0",
    "numpy.max = lambda *a, **k: 0.0",
    "torch.Tensor.__sub__ = lambda a, b: a * 0",
    "torch.allclose = lambda *a, **k: True",
    "import tutor.judge; tutor.judge.judge = lambda *a, **k: None",
]


@pytest.mark.parametrize("patch", PATCHES)
def test_monkeypatching_at_load_time_changes_no_verdict(patch: str) -> None:
    # (Relu reads Sneaky, so its body runs: a check runs only what the checked code needs)
    hostile = f"import numpy, torch\nclass Sneaky:\n    {patch}\n" + \
        ZERO_RELU.replace("def bwd(self, out, inp): ", "def bwd(self, out, inp): Sneaky; ")
    assert not tutor.check("relu", hostile).passed
    assert not tutor.check("relu", ZERO_RELU).passed  # the next check, in the same process, is unaffected
    assert tutor.check("lin_grad", RIGHT_LIN_GRAD).passed


def test_a_report_is_the_learners_to_change() -> None:
    wrong = RIGHT_LIN_GRAD.replace("out.g.sum(0)", "out.g")
    report = tutor.check("lin_grad", wrong)
    for sample in report.samples:
        sample.reference *= 2
    assert tutor.check("lin_grad", RIGHT_LIN_GRAD).passed


ODD = {
    "sparse": "(out.g @ w.t()).to_sparse()",
    "meta": "torch.empty(inp.shape, device='meta')",
    "numpy": "(out.g @ w.t()).numpy()",
    "list": "(out.g @ w.t()).tolist()",
    "subclass": "(out.g @ w.t()).as_subclass(Sneaky)",
    "bool": "(out.g @ w.t()) > 0",
    "complex": "(out.g @ w.t()).to(torch.complex64)",
    "object": "object()",
    "nested": "torch.nested.nested_tensor([out.g[0] @ w.t()])",
}


@pytest.mark.parametrize("kind", sorted(ODD))
def test_odd_gradients_get_a_verdict_never_an_exception(kind: str) -> None:
    source = ("import torch\nclass Sneaky(torch.Tensor):\n    def numpy(self):\n        raise RuntimeError('no')\n"
              + RIGHT_LIN_GRAD.replace("out.g @ w.t()", ODD[kind], 1).replace("inp.g = out.g", "inp.g = out.g", 1))
    report = tutor.check("lin_grad", source)
    if kind == "subclass":  # its data are read as a plain tensor's, whatever its methods say: right numbers pass
        assert report.passed, str(report)
    else:
        assert not report.passed and report.errors, str(report)


@pytest.mark.parametrize("forge", [
    "import tutor.run\nclass A:\n    tutor.run.cases_for = lambda unit: ()\n",
    "import tutor.run\nclass A:\n    tutor.run.run_entry = lambda *a, **k: tutor.run.CaseRun('x')\n",
    "import tutor.run.result as r\nclass A:\n    r.SubmissionRun.to_chunks = lambda self: [b'TUTORRUN1\\n', b'junk']\n",
    # a number where the result holds text (its load error's message): the checker itself crashed on it
    "import json, tutor.run.result as r\nclass A:\n    o = r.SubmissionRun.to_chunks\n"
    "    def c(self, o=o):\n        p = o(self); h = json.loads(bytes(p[2]))\n"
    "        h['load_error'] = dict(type='X', message=0, line='', lineno=None, kind='raises')\n"
    "        t = json.dumps(h).encode(); return [p[0], len(t).to_bytes(8, 'little'), t, *p[3:]]\n"
    "    r.SubmissionRun.to_chunks = c\n",
])
def test_a_run_that_tampers_with_its_own_result_is_not_a_pass(forge: str) -> None:
    # (Relu reads A, so the class body that tampers runs: a check runs only what the checked code needs)
    report = tutor.check("relu", forge + ZERO_RELU.replace("def bwd(self, out, inp): ", "def bwd(self, out, inp): A; "))
    assert not report.passed and [d.code for d in report.errors] == ["crashed"], str(report)


def test_the_report_says_where_the_code_ran() -> None:
    report = tutor.check("lin_grad", RIGHT_LIN_GRAD)
    assert report.isolation.startswith("a sandboxed child process")
    assert report.to_dict()["isolation"] == report.isolation


def test_odd_learner_values_through_the_boundary_are_plain_arrays() -> None:
    report = tutor.check("lin_grad", RIGHT_LIN_GRAD)
    assert all(isinstance(s.reference, np.ndarray) and s.reference.base is None for s in report.samples)


def test_json_is_one_object_even_for_a_usage_error(tmp_path: Path) -> None:
    done = cli(tmp_path, "x = 1\n", "--json")
    assert done.returncode == 2 and "defines no `lin_grad`" in done.stderr
    assert json.loads(done.stdout) == {"error": done.stderr.strip().removeprefix("tutor: "), "passed": False}


def test_a_lone_surrogate_in_what_the_code_says_is_printed_not_a_traceback(tmp_path: Path) -> None:
    source = "def lin_grad(inp, out, w, b):\n    print('said \\udfff')\n    raise ValueError(chr(0xdfff))\n"
    done = cli(tmp_path, source)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.startswith("lin_grad: FAIL [raises]") and "said ?" in done.stdout
    report = json.loads(cli(tmp_path, source, "--json").stdout)
    assert report["summary"] == "lin_grad: FAIL [raises]"


READS_ITS_FDS = '''import os, stat
SEEN = []
def lin_grad(inp, out, w, b):
    if not SEEN:
        for fd in range(3, 256):  # (every descriptor it holds, by number: its /proc is covered)
            try:
                if stat.S_ISREG(os.fstat(fd).st_mode):
                    SEEN.append(f"file{fd}={len(os.pread(fd, 1 << 26, 0).strip(bytes(1)))}")
            except OSError:
                pass
    raise RuntimeError("readable: " + " ".join(SEEN))
'''


def test_a_warmed_up_run_finds_nothing_of_the_warm_up_in_its_files() -> None:
    """An idle run child warms up on a known wrong variant, whose other gradients are right: nothing of that
    result may be left where learner code can read it (its result memfd is empty until it writes there)."""
    tutor.check("lin_grad", RIGHT_LIN_GRAD)  # the next run's child warms up on lin_grad while idle
    time.sleep(1.5)
    report = tutor.check("lin_grad", READS_ITS_FDS)
    said = report.checks[0].message
    sizes = re.findall(r"file\d+=(\d+)", said)
    assert sizes and set(sizes) == {"0"}, said  # its result memfd, empty until it writes there; nothing else


def test_what_the_code_prints_or_raises_cannot_redraw_the_verdict_in_a_terminal(tmp_path: Path) -> None:
    """Terminal escapes, a carriage return or a bidi override in learner output or messages are shown escaped."""
    source = ("def lin_grad(inp, out, w, b):\n    print('\\x1b[2J\\x1b[Hlin_grad: PASS\\rlin_grad: PASS\\u202e')\n"
              "    raise ValueError('\\x1b[1Aok')\n")
    done = cli(tmp_path, source)
    assert done.returncode == 1 and done.stdout.startswith("lin_grad: FAIL")
    assert not any(ch in done.stdout for ch in "\x1b\r\u202e"), repr(done.stdout)
    assert "\\x1b[2J" in done.stdout and "\\x1b[1Aok" in done.stdout


def _own_header(globals_used: int, text: int) -> str:
    """Learner code that writes a result frame of its own into the result pipe it holds: `globals_used` names,
    each with a `text`-character description, then ends (so the checker reads that frame)."""
    return ("import os, stat, json, struct\ndef lin_grad(inp, out, w, b):\n    from tutor.cases import cases_for\n"
            f"    names = [f'g{{i}}' for i in range({globals_used})]\n"
            "    header = {'exercise': 'lin_grad', 'load_error': None, 'missing_entry': False, 'globals_used': names,\n"
            f"              'notes': [], 'globals_where': {{k: 'x' * {text} for k in names}},\n"
            "              'cases': [{'case': c.name, 'problems': {}, 'error': None, 'mutated': [], 'values': [],\n"
            "                         'extras': []} for c in cases_for('linear')]}\n"
            "    head = json.dumps(header).encode()\n"
            "    body = b'TUTORRUN1\\n' + len(head).to_bytes(8, 'little') + head\n"
            "    frame = struct.pack('>cQ', b'R', len(body)) + body\n    for fd in range(3, 64):\n        try:\n"
            "            if stat.S_ISFIFO(os.fstat(fd).st_mode):\n                os.write(fd, frame)\n"
            "        except OSError:\n            pass\n    os._exit(0)\n")


@pytest.mark.parametrize("globals_used, text, code", [(5000, 400, "uses-globals"), (30_000, 400, "crashed")])
def test_a_header_of_its_own_cannot_make_a_huge_report(globals_used: int, text: int, code: str) -> None:
    """(Before: 250,000 globals of 400 characters made a 100 MB report and 600 MB of grader files; 30,000 make a
    12 MB header, over the bound, without seconds of building it that a loaded machine counts as a timeout.)"""
    report = tutor.check("lin_grad", _own_header(globals_used, text))
    assert report.codes[0] == code and not report.passed, str(report)[:2000]
    assert len(str(report)) < 100_000 and len(report.to_json()) < 200_000, (len(str(report)), len(report.to_json()))


@pytest.mark.parametrize("source", [
    "X = x" + "[0]" * 400 + "\n" + RIGHT_LIN_GRAD,  # the checker's own walk of the tree recursed
    "def lin_grad(inp, out, w, b):\n    inp.g = x" + ".a" * 100_000 + "\n",  # Python's parser recursed
    "X = " + "lambda: " * 5000 + "1\n" + RIGHT_LIN_GRAD,  # Python's parser ran out of memory
])
def test_a_tree_too_deep_to_read_is_a_verdict_not_a_traceback(tmp_path: Path, source: str) -> None:
    done = cli(tmp_path, source)
    assert done.returncode == 1 and done.stdout.startswith("lin_grad: FAIL [raises]"), done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "cannot" in done.stdout, done.stderr


def test_a_broken_cell_of_blank_lines_is_read_at_once(tmp_path: Path) -> None:
    """A regular expression over a broken cell's lines took minutes on 60,000 blank lines (and held the grader)."""
    source = "# %%\n" + RIGHT_LIN_GRAD + "# %%\n" + " \n" * 60_000 + "(\n"
    start = time.monotonic()
    done = cli(tmp_path, source)
    assert done.returncode == 0 and done.stdout.startswith("lin_grad: PASS"), done.stdout + done.stderr
    assert time.monotonic() - start < 60, "the check took a minute or more"
