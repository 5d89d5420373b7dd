"""`%%exercise NAME` and the CheckReport display hook, in a real IPython InteractiveShell."""
from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
from IPython import get_ipython
from IPython.testing.globalipapp import start_ipython
from IPython.utils.capture import capture_output

import tutor
from tutor.widgets.exercise import ExerciseView, view_for

WIDGET = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def ip():
    shell = start_ipython() or get_ipython()  # None when another test module started it first
    shell.run_cell("%load_ext tutor", store_history=False)
    shell.run_cell("import tutor\nfrom tutor.lesson import Module", store_history=False)
    return shell


@pytest.fixture(autouse=True)
def no_plots():
    tutor.configure(plots=False)  # plots are tested in test_widget_exercise; here they only cost time


def run(ip, cell: str):
    """Run one cell; (result, stdout, stderr, the ExerciseViews it displayed)."""
    with capture_output() as cap:
        result = ip.run_cell(cell, store_history=True)
    views = [view_for(o.data[WIDGET]["model_id"]) for o in cap.outputs if WIDGET in o.data]
    return result, cap.stdout, cap.stderr, views


def badge(view: ExerciseView) -> str:
    return re.sub(r"<[^>]+>", "", view.badge.value)


def magic_cell(name: str, body: str) -> str:
    return f"%%exercise {name}\n" + textwrap.dedent(body)


WRONG = """\
    def lin_grad(inp, out, w, b):
        inp.g = out.g @ w.t()
        w.g = inp.t() @ out.g
        b.g = out.g
    my_helper = 42
    """
RIGHT = WRONG.replace("b.g = out.g\n", "b.g = out.g.sum(0)\n")


def test_wrong_then_right_cell(ip):
    result, out, err, [view] = run(ip, magic_cell("lin_grad", WRONG))
    assert result.success and err == ""
    assert badge(view) == "FAIL"
    assert "not-summed-over-batch" in view.diagnosis.value
    assert ip.user_ns["my_helper"] == 42 and callable(ip.user_ns["lin_grad"])  # the learner keeps them

    # below a magic cell, Shift+Enter is the way to check again: no "Check again" button
    assert not _inside(view.root, view.check_button) and _inside(view.root, view.rerun_note)
    assert "Shift+Enter" in view.rerun_note.value

    result, out, err, [view2] = run(ip, magic_cell("lin_grad", RIGHT))
    assert badge(view2) == "PASS"
    assert tutor.passed("lin_grad") and tutor.last_code("lin_grad") == textwrap.dedent(RIGHT)
    assert view.root.comm is None  # the cell ran again: its old widget is closed


def _inside(root, part) -> bool:
    return any(c is part or _inside(c, part) for c in getattr(root, "children", ()))


def live_widgets() -> int:
    """Widget models alive in this kernel (ipywidgets 8 keeps them in `_instances`, 7 in `Widget.widgets`)."""
    import ipywidgets
    from ipywidgets.widgets import widget

    instances = getattr(widget, "_instances", None)
    return len(instances if instances is not None else ipywidgets.Widget.widgets)


@pytest.mark.parametrize("cell", [magic_cell("relu", "class Relu(Module):\n    def forward(self, inp): "
                                                      "return inp.clamp_min(0.)\n    def bwd(self, out, inp): "
                                                      "inp.g = (inp > 0).float() * out.g\n"),
                                  "tutor.progress()"])
def test_a_cell_run_again_and_again_leaves_no_widgets_behind(ip, cell):
    run(ip, cell)
    before = live_widgets()
    for _ in range(5):
        run(ip, cell)
    assert live_widgets() == before


def test_display_has_static_fallbacks(ip):
    with capture_output() as cap:
        ip.run_cell(magic_cell("lin_grad", WRONG))
    [data] = [o.data for o in cap.outputs if WIDGET in o.data]
    assert data["text/plain"].splitlines()[0] == "lin_grad: FAIL [not-summed-over-batch]"
    assert "not-summed-over-batch" in data["text/html"]


def test_notebook_globals_do_not_leak_into_the_check(ip):
    ip.run_cell("scale = 1.0")
    cell = magic_cell("relu", """\
        class Relu(Module):
            def forward(self, inp): return inp.clamp_min(0.)
            def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g * scale
        """)
    result, out, err, [view] = run(ip, cell)
    assert badge(view) == "FAIL"  # `scale` exists in the notebook, not in the cell
    assert re.search(r'data-code="(uses-globals|raises)"', view.diagnosis.value)


def test_unknown_name_is_one_line(ip):
    result, out, err, views = run(ip, "%%exercise lin_grd\nleft_over = 1\n")
    assert result.success and views == []
    assert err.strip().count("\n") == 0 and "unknown exercise 'lin_grd'" in err and "lin_grad" in err
    assert "Traceback" not in out + err
    assert ip.user_ns["left_over"] == 1


def test_missing_name_says_how(ip):
    result, out, err, views = run(ip, "%%exercise\nx = 1\n")
    assert result.success and views == [] and err.startswith("usage: %%exercise NAME")


def test_syntax_error_is_one_line_and_a_fail_with_the_line(ip):
    result, out, err, [view] = run(ip, magic_cell("lin_grad", """\
        def lin_grad(inp, out, w, b):
            inp.g = out.g @ w.t(
        """))
    assert result.success
    assert err.strip().count("\n") == 0 and err.startswith("SyntaxError in line 2")
    assert "Traceback" not in out
    assert badge(view) == "FAIL" and 'data-code="raises"' in view.diagnosis.value
    assert "inp.g = out.g @ w.t(" in view.diagnosis.value


def test_learners_own_error_shows_its_traceback_and_the_widget_still_appears(ip):
    result, out, err, [view] = run(ip, magic_cell("mse", """\
        class Mse(Module):
            def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
            def bwd(self, out, inp, targ): inp.g = 2. * (inp.squeeze() - targ).unsqueeze(-1) / targ.shape[0]
        print(undefined_name)
        """))
    assert result.success  # "Run All" goes on
    assert "NameError" in out and "undefined_name" in out
    assert badge(view) == "PASS"  # the check judges the definition; the stray line is the notebook's
    assert "Mse" in ip.user_ns


def test_check_of_a_live_definition_shows_the_widget(ip):
    ip.run_cell(textwrap.dedent(WRONG))
    before = tutor.progress.store().get("lin_grad")
    result, out, err, [view] = run(ip, "tutor.check(lin_grad)")
    assert badge(view) == "FAIL"
    after = tutor.progress.store().get("lin_grad")
    # (the report carries the code it checked, read from the kernel's cells: saved as the code last checked)
    assert after.attempts == before.attempts + 1 and "b.g = out.g\n" in after.last_code
    ip.run_cell(textwrap.dedent(RIGHT))  # the learner fixes the definition in another cell
    view.check_button.click()  # and re-checks from the widget
    assert badge(view) == "PASS"


def test_import_tutor_in_ipython_registers_the_magic():
    code = textwrap.dedent("""\
        from IPython.testing.globalipapp import start_ipython
        ip = start_ipython()
        assert "exercise" not in ip.magics_manager.magics["cell"]
        ip.run_cell("import tutor")
        assert "exercise" in ip.magics_manager.magics["cell"]
        import sys
        assert "ipywidgets" not in sys.modules  # registering stays cheap
        print("ok")
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_tutor_exercise_displays_the_editable_widget(ip, learner):
    result, out, err, [view] = run(ip, "tutor.exercise('relu')")
    assert result.result is None and err == ""  # displayed, not returned (no second copy as Out[])
    assert view.editor is not None and view.editor.value == tutor.exercises.get("relu").stub
    view.editor.value = learner("relu/pass_lesson")
    view.check_button.click()
    assert badge(view) == "PASS"


def test_tutor_exercise_with_an_unknown_name_is_one_line(ip):
    result, out, err, views = run(ip, "tutor.exercise('softmax')")
    assert result.success and views == [] and err.strip().count("\n") == 0
    assert err.startswith("tutor.exercise: unknown exercise 'softmax'")
