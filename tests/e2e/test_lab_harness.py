"""Proves the e2e harness on a notebook made here: a Button + Output widget, a matplotlib PNG,
an edited and re-run cell, state kept under $TUTOR_HOME across a kernel restart."""
from __future__ import annotations

import nbformat
import pytest

from . import lab

pytestmark = pytest.mark.e2e

SETUP = """\
import os, pathlib
import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
from IPython.display import display
counter = pathlib.Path(os.environ["TUTOR_HOME"]) / "probe-runs.txt"
runs = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(runs))
print(f"runs={runs} pid={os.getpid()}")"""

BUTTON = """\
clicks = 0
out = widgets.Output()
button = widgets.Button(description="Probe me")
def on_click(_):
    global clicks
    clicks += 1
    with out:
        out.clear_output()
        print(f"clicked {clicks} time(s)")
button.on_click(on_click)
display(widgets.VBox([button, out]))"""

EDITABLE = 'print("before edit")'

# Brackets, quotes and an indented block: typing these key by key into CodeMirror would
# auto-close brackets and auto-indent; set_code must reproduce them exactly.
EDITED = '''\
def twice(xs):
    """Doubles (each) [item]."""
    return [x * 2 for x in xs]
print("after edit:", twice([1, 2, 3]), {"k": (4,)})'''

PLOT = """\
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot([0, 1, 2], [0, 1, 4])
plt.show()"""


def make_probe(root) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("# e2e probe"),
                *(nbformat.v4.new_code_cell(src) for src in (SETUP, BUTTON, EDITABLE, PLOT))]
    nbformat.write(nb, root / "e2e_probe.ipynb")
    return "e2e_probe.ipynb"


def test_harness_drives_widgets_editor_and_restart(page, lab_server):
    tick = lab.Stopwatch()
    name = make_probe(lab_server.root)
    (lab_server.tutor_home / "probe-runs.txt").unlink(missing_ok=True)

    lab.open_notebook(page, lab_server, name)
    tick("notebook open, kernel idle")
    lab.run_all(page)
    lab.assert_no_errors(page)
    tick("run all done")

    setup = lab.code_cell(page, "probe-runs.txt")
    lab.wait_text(page, setup.locator(".jp-OutputArea-output"), "runs=1 ")
    first_pid = setup.locator(".jp-OutputArea-output").inner_text().split("pid=")[1].strip()

    # widget: render, click, Output updates, twice
    widget = lab.code_cell(page, "Probe me").locator(".jp-OutputArea-output")
    button = widget.locator("button.jupyter-button", has_text="Probe me")
    button.wait_for(state="visible")
    output = widget.locator(".widget-output")
    assert "clicked" not in output.inner_text()
    button.click()
    lab.wait_text(page, output, "clicked 1 time(s)")
    button.click()
    lab.wait_text(page, output, "clicked 2 time(s)")
    tick("button clicked twice, Output updated")

    # matplotlib PNG
    img = lab.code_cell(page, "plt.subplots").locator(".jp-OutputArea-output img")
    img.wait_for(state="visible")
    assert page.evaluate("(el) => el.complete && el.naturalWidth > 100", img.element_handle())

    # edit a cell and re-run it
    cell = lab.code_cell(page, "before edit")
    lab.wait_text(page, cell.locator(".jp-OutputArea-output"), "before edit")
    n_before = lab.execution_count(cell)
    lab.set_code(page, cell, EDITED)
    assert lab.editor_text(cell) == EDITED
    n_after = lab.run_cell(page, cell)
    assert n_after > n_before
    out_text = cell.locator(".jp-OutputArea-output").inner_text()
    assert out_text.strip() == "after edit: [2, 4, 6] {'k': (4,)}", out_text
    tick("cell edited and re-run")
    shot = lab.screenshot(page, "harness-before-restart")
    assert shot.stat().st_size > 10_000

    # restart: a new kernel process, counts start again at 1, the file under TUTOR_HOME persists
    lab.restart_kernel(page)
    tick("kernel restarted")
    assert button.count() == 0  # outputs cleared: no stale widget can pass the checks below
    lab.run_all(page)
    lab.assert_no_errors(page)
    assert min(n for n in (lab.execution_count(c) for c in lab.code_cells(page).all()) if n) == 1
    lab.wait_text(page, setup.locator(".jp-OutputArea-output"), "runs=2 ")
    second_pid = setup.locator(".jp-OutputArea-output").inner_text().split("pid=")[1].strip()
    assert second_pid != first_pid
    # the edit survived (it is in the notebook model, not the kernel) and the widget works again
    assert "after edit: [2, 4, 6]" in cell.locator(".jp-OutputArea-output").inner_text()
    button.wait_for(state="visible")
    button.click()
    lab.wait_text(page, output, "clicked 1 time(s)")
    tick("re-run after restart, widget live again")
    lab.screenshot(page, "harness-after-restart")
    lab.assert_no_console_errors(page)
