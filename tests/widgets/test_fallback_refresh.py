""""Check again" refreshes the static fallback too: a saved notebook shows the latest verdict, not the first."""
from __future__ import annotations

import nbformat
from nbclient import NotebookClient

DEFINE = "class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n" \
         "    def bwd(self, out, inp): inp.g = {mask} * out.g\n"
WRONG = DEFINE.format(mask="(inp <= 0).float()") + "tutor.check(Relu)"
RIGHT = DEFINE.format(mask="(inp > 0).float()")
CLICK = ("from tutor.widgets.exercise import _views\n"
         "first = [v for v in list(_views.values()) if v.report is not None and not v.report.passed]\n"
         "first[0].check_button.click()\n"
         "print('clicked', len(first), first[0].report.passed)")


def test_check_again_updates_the_saved_text_and_html(tmp_path):
    setup = (f"import os\nos.environ['TUTOR_HOME'] = {str(tmp_path)!r}\nos.environ['TUTOR_PLOTS'] = '0'\n"
             "import tutor\nfrom tutor.lesson import Module")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in (setup, WRONG, RIGHT, CLICK)])
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False).execute()
    assert "clicked 1 True" in nb.cells[3].outputs[0]["text"]
    [first] = [o for o in nb.cells[1].outputs if o["output_type"] == "display_data"]
    # nbclient applies the kernel's update_display_data to the first cell's output, as JupyterLab does
    assert first["data"]["text/plain"].splitlines()[0] == "relu: PASS"
    assert 'data-passed="true"' in first["data"]["text/html"]
    assert first["data"]["application/vnd.jupyter.widget-view+json"]["model_id"]
