"""The `tutor` command as a learner runs it: exit codes, text and JSON output, one-line errors."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

LEARNERS = Path(__file__).parent / "learners"


def tutor(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_check_passes_with_exit_0() -> None:
    r = tutor("check", "lin_grad", str(LEARNERS / "lin_grad" / "pass_einsum.py"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "lin_grad: PASS"


def test_check_fails_with_exit_1_and_names_the_mistake() -> None:
    r = tutor("check", "lin_grad", str(LEARNERS / "lin_grad" / "fail_not-summed-over-batch.py"))
    assert r.returncode == 1
    assert r.stdout.splitlines()[0] == "lin_grad: FAIL [not-summed-over-batch]"
    assert "b.g has shape (1, 50) but b has shape (50,)" in r.stdout


def test_json_is_exactly_one_object_with_the_promised_fields() -> None:
    r = tutor("check", "mse", str(LEARNERS / "mse" / "fail_broadcast-outer.py"), "--json")
    assert r.returncode == 1
    d = json.loads(r.stdout)
    assert d["exercise"] == "mse" and d["passed"] is False
    assert {"name", "passed", "message"} <= set(d["checks"][0])
    assert d["diagnoses"][0]["code"] == "broadcast-outer" and d["diagnoses"][0]["message"]


def test_json_is_strict_even_when_an_error_overflows() -> None:
    r = tutor("check", "lin_grad", str(LEARNERS / "lin_grad" / "fail_wrong-value.py"), "--json")

    def refuse(token: str) -> None:
        raise AssertionError(f"not JSON: {token}")
    d = json.loads(r.stdout, parse_constant=refuse)
    assert d["summary"].startswith("lin_grad: FAIL [wrong-value") and r.stderr == "", r.stderr
    assert any(c["rel_err"] is None and c["max_abs_err"] is not None for c in d["checks"]), d["checks"][0]


@pytest.mark.parametrize("args, message", [
    (("check", "softmax", "x.py"), "unknown exercise 'softmax'"),
    (("check", "relu", "/no/such/file.py"), "cannot read /no/such/file.py"),
    (("check", "relu", str(LEARNERS / "lin_grad" / "pass_loop.py")), "defines no `Relu`"),
])
def test_usage_errors_exit_2_with_one_line(args, message) -> None:
    r = tutor(*args)
    assert r.returncode == 2
    assert r.stdout == "" and r.stderr.count("\n") == 1 and message in r.stderr, r.stderr


def test_syntax_error_is_a_failing_report_pointing_at_the_line(tmp_path) -> None:
    f = tmp_path / "broken.py"
    f.write_text("def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t(\n")
    r = tutor("check", "lin_grad", str(f))
    assert r.returncode == 1 and "Traceback" not in r.stdout + r.stderr
    assert r.stdout.startswith("lin_grad: FAIL [raises]") and "line 2" in r.stdout


def test_list_names_every_exercise() -> None:
    r = tutor("list")
    assert r.returncode == 0
    names = ["lin_grad", "forward_and_backward", "relu", "mse", "lin", "model", "cross_entropy"]
    assert [line.split()[0] for line in r.stdout.splitlines()] == names
    titles = {line.index(line.split()[1]) for line in r.stdout.splitlines()}
    assert len(titles) == 1, r.stdout  # every title starts in the same column


LIN_GRAD = "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n"


@pytest.mark.parametrize("cells", [
    # an expression continued in brackets on a line that starts with `%`: Python, not a line magic
    ["import torch", "%matplotlib inline", LIN_GRAD + "    b.g = out.g.sum(0) * (3\n                          % 2)\n"],
    # U+2028 (pasted from a PDF) and a form feed in comments: Python does not end a line there
    ["import torch", LIN_GRAD.replace("\n", "  # d(inp @ w)/d inp\u2028= w.t()\n", 1) + "    b.g = out.g.sum(0)\x0c\n"],
    # an empty cell, and one of blank lines, as every notebook has at its end
    ["import torch", LIN_GRAD + "    b.g = out.g.sum(0)\n", "", "\n\n"],
], ids=["percent-continuation", "line-separators", "empty-cells"])
def test_a_notebook_is_checked_as_its_kernel_runs_it(tmp_path, cells) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# lin_grad")] + [nbformat.v4.new_code_cell(c) for c in cells]
    path = tmp_path / "learner.ipynb"
    nbformat.write(nb, str(path))
    r = tutor("check", "lin_grad", str(path))
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "lin_grad: PASS", r.stdout + r.stderr


def test_a_py_file_is_read_in_the_encoding_it_declares(tmp_path) -> None:
    f = tmp_path / "latin1.py"  # PEP 263, as an old editor on Windows saves it
    f.write_bytes("# -*- coding: latin-1 -*-\n# dérivée de la couche linéaire\n".encode("latin-1")
                  + (LIN_GRAD + "    b.g = out.g.sum(0)\n").encode("latin-1"))
    r = tutor("check", "lin_grad", str(f))
    assert r.returncode == 0 and r.stdout.startswith("lin_grad: PASS"), r.stdout + r.stderr
    f.write_bytes(b"# -*- coding: no-such-codec -*-\n" + LIN_GRAD.encode())
    r = tutor("check", "lin_grad", str(f))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "unknown encoding: no-such-codec" in r.stderr
