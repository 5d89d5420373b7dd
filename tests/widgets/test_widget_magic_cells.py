"""`%%exercise` and `tutor.check(obj)` in a real IPython shell read the learner's definitions from the kernel's
other cells (its input history): helpers, bases, constants and later-attached methods, never data."""
from __future__ import annotations

import re
import textwrap

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython
from IPython.utils.capture import capture_output

import tutor
from tutor.widgets.exercise import view_for

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def ip():
    shell = start_ipython() or get_ipython()  # (one shell per test session: another module may have started it)
    shell.run_cell("%load_ext tutor", store_history=False)
    shell.run_cell("import tutor\nfrom tutor.lesson import Module", store_history=True)
    return shell


@pytest.fixture(autouse=True)
def no_plots(tmp_path, monkeypatch):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path))
    tutor.configure(plots=False)


def run(ip, cell: str):
    """Run one cell as a learner would (kept in the history); the exercise views it displayed."""
    with capture_output() as cap:
        result = ip.run_cell(textwrap.dedent(cell), store_history=True)
    assert result.error_in_exec is None, result.error_in_exec
    return [view_for(o.data[WIDGET]["model_id"]) for o in cap.outputs if WIDGET in o.data]


def verdict(view) -> str:
    return view.report.summary_line()


def test_lin_uses_lin_grad_and_a_helper_from_earlier_cells(ip):
    run(ip, """
        def lin_grad(inp, out, w, b):
            inp.g = out.g @ w.t()
            w.g = inp.t() @ out.g
            b.g = out.g.sum(0)
        """)
    run(ip, "def linear(x, w, b): return x @ w + b")
    [view] = run(ip, """
        %%exercise lin
        class Lin(Module):
            def __init__(self, w, b): self.w, self.b = w, b
            def forward(self, inp): return linear(inp, self.w, self.b)
            def bwd(self, out, inp): lin_grad(inp, out, self.w, self.b)
        """)
    assert verdict(view) == "lin: PASS", str(view.report)


def test_fastbook_layer_function_base_and_book_names(ip):
    run(ip, """
        class LayerFunction():
            def __call__(self, *args):
                self.args = args
                self.out = self.forward(*args)
                return self.out
            def forward(self):  raise Exception('not implemented')
            def bwd(self):      raise Exception('not implemented')
            def backward(self): self.args[0].g = self.bwd(self.out, *self.args)
        """)
    [view] = run(ip, """
        %%exercise mse
        class MSE(LayerFunction):
            def forward(self, inp, targ): return ((inp.squeeze() - targ)**2).mean()
            def bwd(self, out, inp, targ): return 2*(inp.squeeze()-targ).unsqueeze(-1) / targ.shape[0]
        """)
    assert verdict(view) == "mse: PASS", str(view.report)
    assert "found `MSE`, checked as `Mse`" in view.report.notes


def test_relu_bwd_attached_in_a_later_cell_passes_tutor_check(ip):
    run(ip, """
        class Relu(Module):
            def forward(self, inp): return inp.clamp_min(0.)
        """)
    run(ip, """
        def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g
        Relu.bwd = bwd
        """)
    run(ip, "report = tutor.check(Relu)")
    assert ip.user_ns["report"].passed, str(ip.user_ns["report"])


def test_data_from_a_cell_stays_uses_globals_naming_the_cell(ip):
    n = ip.execution_count  # the number of the cell about to run: `In [n]`
    run(ip, "x_train, y_train, x_valid, y_valid = tutor.mnist()")
    run(ip, "inp = x_train[:64]")
    [view] = run(ip, """
        %%exercise lin
        class Lin(Module):
            def __init__(self, w, b): self.w, self.b = w, b
            def forward(self, inp): return inp @ self.w + self.b
            def bwd(self, out, inp):
                inp.g = out.g @ self.w.t()
                self.w.g = inp.t() @ out.g
                self.b.g = out.g.sum(0) + 0 * x_train.sum()
        """)
    assert view.report.codes[0] == "uses-globals", str(view.report)
    message = view.report.diagnoses[0].message
    assert f"`Lin.bwd` reads the global `x_train`, defined in cell [{n}] from data" in message, message


def test_the_last_definition_in_the_kernel_wins_and_the_cell_is_said(ip):
    run(ip, """
        %%exercise relu
        class Relu(Module):
            def forward(self, inp): return inp.clamp_min(0.)
            def bwd(self, out, inp): inp.g = out.g
        """)
    run(ip, """
        class Relu(Module):
            def forward(self, inp): return inp.clamp_min(0.)
            def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g
        """)
    n = ip.execution_count - 1
    run(ip, "report = tutor.check(Relu)")
    report = ip.user_ns["report"]
    assert report.passed, str(report)
    assert any(f"so the one in cell [{n}] was checked" in note for note in report.notes), report.notes
    assert re.search(r"note: .*cell \[\d+\]", str(report))
