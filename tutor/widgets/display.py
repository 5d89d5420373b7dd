"""Showing widgets with a static fallback, and the display hook that turns a CheckReport into a widget.

Every display carries three representations: the live widget, `text/plain` (the report's summary
line first) and `text/html` (the static report), so nbconvert, GitHub and terminals still show the
verdict when no kernel is there to draw the widget.
"""
from __future__ import annotations

import html
import sys
from typing import Any

from ..report import CheckReport

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_html(report: CheckReport) -> str:
    """The report as static HTML; plain text in a <pre> if the HTML renderer fails."""
    try:
        from ..render.html import render_html

        return render_html(report, plots=False)  # the widget has the plots; keep displays fast
    except Exception as e:  # the fallback must never stop the widget from showing
        return f"<pre>{html.escape(str(report))}</pre><!-- render_html failed: {html.escape(repr(e))} -->"


def bundle(widget: Any, text: str, html_text: str) -> dict[str, Any]:
    """A display bundle: the widget's view plus `text/plain` and `text/html` fallbacks."""
    data = {WIDGET_VIEW: {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}}
    if hasattr(widget, "_repr_mimebundle_"):  # ipywidgets 8 (7 has only _ipython_display_)
        data = dict(widget._repr_mimebundle_())
    data["text/plain"] = text
    data["text/html"] = html_text
    return data


def exercise_bundle(view: Any) -> dict[str, Any]:
    """The bundle for an ExerciseView: the report's text and HTML, or the statement before any check."""
    if view.report is not None:
        return bundle(view.root, str(view.report), static_html(view.report))
    ex = view.exercise
    from .markdown import statement_html

    text = f"{ex.name}: not checked yet\n{ex.title}"
    return bundle(view.root, text, f"<div class='tutor-static'>{statement_html(ex.statement)}</div>")


def show(data: dict[str, Any]) -> Any:
    """Display a bundle in IPython and return its display handle; outside IPython print its text (None)."""
    from IPython import get_ipython

    if get_ipython() is None:
        print(data.get("text/plain", ""))
        return None
    from IPython.display import display

    return display(data, raw=True, display_id=True)


def show_view(view: Any) -> None:
    """Display an ExerciseView, keeping the handle so that "Check again" can refresh the static fallback.
    The view this cell showed before for the same exercise (a re-run) is closed: nothing piles up."""
    replace_in_cell(f"exercise:{view.exercise.name}", view)
    data = exercise_bundle(view)
    view.display_handle = show(data)
    view.fallback_shown = data["text/plain"]


_in_cells: dict[str, Any] = {}  # (cell, what) → the view shown there last


def replace_in_cell(what: str, view: Any) -> None:
    """Close the view last shown for `what` by the running cell (JupyterLab's cell id; without one, by `what`
    alone), and remember `view` in its place."""
    key = f"{_cell_id()}|{what}"
    old = _in_cells.get(key)
    if old is not None and old is not view:
        old.close()
    _in_cells[key] = view


def _cell_id() -> str:
    """The id of the cell being run, as the front end sent it ('' when it did not: nbclient, a console)."""
    from IPython import get_ipython

    kernel = getattr(get_ipython(), "kernel", None)
    try:
        parent = kernel.get_parent("shell") if kernel is not None else {}
    except TypeError:  # ipykernel before 6.0 takes no channel
        parent = kernel.get_parent()
    except Exception:  # no parent message (a view made outside a request)
        return ""
    return str(((parent or {}).get("metadata") or {}).get("cellId", ""))


def refresh_fallback(view: Any) -> None:
    """After a new check, replace the displayed text/plain and text/html with the new report's, so a saved
    notebook (nbconvert, GitHub, a closed kernel) shows the latest verdict, not the first one."""
    handle = getattr(view, "display_handle", None)
    if handle is None:
        return
    data = exercise_bundle(view)
    # Only when the verdict's text changed: an update redraws the live widget in JupyterLab, and the HTML
    # differs on every check anyway (it says how long the check took).
    if data["text/plain"] != getattr(view, "fallback_shown", None):
        handle.update(data, raw=True)
        view.fallback_shown = data["text/plain"]


def say(message: str) -> None:
    """One line for the learner on stderr (red in a notebook), never a traceback."""
    print(message, file=sys.stderr)


def show_report(report: CheckReport) -> None:
    """The display hook for CheckReport: the exercise widget for an already-made report."""
    try:
        from .exercise import ExerciseView

        view = ExerciseView(report.exercise, submission=_live_definition(report.exercise))
        view.show_report(report)  # (`tutor.check` recorded the attempt, shown or not)
        from .progress_view import refresh_dashboards

        refresh_dashboards()
        show_view(view)
    except Exception as e:  # a display must never raise: fall back to the static report
        say(f"tutor: could not build the widget ({type(e).__name__}: {e}); showing the static report")
        show({"text/plain": str(report), "text/html": static_html(report)})


def _user_namespace() -> dict[str, Any]:
    from IPython import get_ipython

    shell = get_ipython()
    return shell.user_ns if shell is not None else {}


def _live_definition(name: str):
    """A submission that re-reads the learner's current definition from the notebook (for Check again)."""
    from .. import exercises

    entry = exercises.get(name).entry

    def current() -> Any:
        obj = _user_namespace().get(entry)
        if obj is None:
            raise LookupError(f"{entry} is not defined in this notebook: run the cell that defines it")
        return obj

    return current


def register_report_display(shell: Any) -> None:
    """Make IPython show every CheckReport as the exercise widget (`tutor.check(Relu)` in a cell), and get
    the plots ready in the background while the learner reads (the first check's plots come ~1 s sooner)."""
    shell.display_formatter.ipython_display_formatter.for_type(CheckReport, show_report)
    shell.display_formatter.formatters["text/html"].for_type(CheckReport, static_html)  # where widgets are off
    import threading

    threading.Thread(target=_prepare_plots, daemon=True, name="tutor-plots-warm-up").start()


def _prepare_plots() -> None:
    """Import matplotlib and draw one tiny figure: its fonts and caches load now, not during the first check."""
    try:
        import numpy as np

        from ..render.html import PLOT_DPI
        from ..render.plots import png_images
        from ..report import GradientSample

        sample = GradientSample("w.g", "warm-up", np.ones((2, 2)), np.ones((2, 2)))
        png_images(CheckReport("warm-up", True, samples=[sample]), dpi=PLOT_DPI)
    except Exception:  # noqa: BLE001 - only a head start: the first check draws them anyway
        pass
