"""What only the widgets add to the shared report HTML (`tutor/render/html.py`): their style, error and notices."""
from __future__ import annotations

import html

from ..render.html import STYLE as REPORT_STYLE
from ..render.html import c

# One <style> for every widget: the report's theme colours, a monospace editor, the frame, readable text.
STYLE = REPORT_STYLE + """<style>
.tutor-exercise, .tutor-progress { border: 1px solid var(--tutor-border); border-radius: 6px;
  color: var(--tutor-fg); }
.tutor-exercise .tutor-editor textarea { font-family: var(--jp-code-font-family, monospace);
  font-size: var(--jp-code-font-size, 13px); tab-size: 4; }
.tutor-exercise .widget-html-content, .tutor-exercise .widget-htmlmath-content { line-height: 1.45; }
.tutor-exercise .tutor-hints .widget-htmlmath-content { border-left: 4px solid var(--tutor-border);
  padding: 2px 10px; }
.tutor-exercise .tutor-title, .tutor-exercise .tutor-badge { margin-right: 10px; }
""" + """
/* After a kernel restart the widget manager marks every view of the old kernel with this class (comm_live
   false; @jupyter-widgets/base 8, and 7 has it too): say so once at the top instead of a chain icon per part,
   and grey the controls. */
.tutor-exercise.jupyter-widgets-disconnected::before, .tutor-progress.jupyter-widgets-disconnected::before {
  content: "⟳ Kernel restarted: run the cell again (after the cells above it). This widget belongs to the old "
    "kernel; its buttons do nothing.";
  display: block; align-self: stretch; margin: 0 0 6px; padding: 4px 10px; text-rendering: auto;
  font: 600 var(--jp-ui-font-size1, 13px)/1.45 var(--jp-ui-font-family, sans-serif);
  color: var(--tutor-fail); border-left: 4px solid var(--tutor-fail); background: var(--tutor-bg); }
.tutor-exercise .jupyter-widgets-disconnected::before, .tutor-progress .jupyter-widgets-disconnected::before {
  content: none; display: none; }
.tutor-exercise.jupyter-widgets-disconnected :is(button, textarea, input),
.tutor-progress.jupyter-widgets-disconnected :is(button, textarea, input) {
  pointer-events: none; opacity: 0.45; }
</style>"""


def error_html(summary: str, details: str = "") -> str:
    """A callback error: one line, with the traceback folded away for whoever debugs it."""
    more = f"<details><summary>details</summary><pre>{html.escape(details)}</pre></details>" if details else ""
    return f"<div style='color:{c('fail')}'><b>Something went wrong:</b> {html.escape(summary)}{more}</div>"


def notice_html(messages: list[str]) -> str:
    """Notices about progress saving (a store set aside, a store that cannot be written)."""
    return "".join(f"<div style='border-left: 4px solid {c('warn')}; padding-left: 6px'>⚠ {html.escape(m)}</div>"
                   for m in messages)
