"""The progress dashboard: every exercise × status, attempts, hints used, first passed."""
from __future__ import annotations

import html
import time
import warnings
import weakref

import ipywidgets as W

from .. import exercises
from ..progress import ExerciseProgress, ProgressError, ProgressStore, store
from ..render.html import c
from . import parts


def _when(t: float | None) -> str:
    return "" if t is None else time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def _status(p: ExerciseProgress) -> tuple[str, str]:
    """(text, colour) for one exercise: passed, last failed, or not tried."""
    if p.passed:
        return "PASS", c("pass")
    if p.attempts:
        return "FAIL", c("fail")
    return "not tried", c("muted")


CELL = f"padding:2px 10px;text-align:left;border-bottom:1px solid {c('border')};line-height:1.4"


def dashboard_html(progress: dict[str, ExerciseProgress]) -> str:
    """A table of the lesson's exercises (in lesson order) with what the store holds for each."""
    rows = []
    for name in exercises.names():
        p = progress.get(name, ExerciseProgress(name))
        text, colour = _status(p)
        last = html.escape(p.last_status.split(": ", 1)[-1]) if p.last_status else ""
        cells = [f"<b>{name}</b> · {html.escape(exercises.get(name).title.split(':')[0])}",
                 text, p.attempts, p.hints, _when(p.first_passed), last]
        tds = [f"<td style='{CELL}'>{c}</td>" for c in cells]
        tds[1] = f"<td class='tutor-progress-status' style='{CELL};color:{colour};font-weight:bold'>{text}</td>"
        rows.append(f"<tr class='tutor-progress-row' data-exercise='{name}'>{''.join(tds)}</tr>")
    done = sum(progress.get(n, ExerciseProgress(n)).passed for n in exercises.names())
    head = "<tr>" + "".join(f"<th style='{CELL}'>{h}</th>" for h in
                            ("exercise", "status", "attempts", "hints", "first passed", "last check")) + "</tr>"
    return (f"<b>{done}/{len(exercises.names())} exercises passed</b>"
            f"<table class='tutor-progress-table' style='border-collapse:collapse'>{head}{''.join(rows)}</table>")


_dashboards: weakref.WeakSet[ProgressView] = weakref.WeakSet()


def refresh_dashboards() -> None:
    """Redraw every dashboard shown in this kernel (after a check, a hint): they stay current."""
    for view in list(_dashboards):
        view.refresh()


class ProgressView:
    """The dashboard: a table refreshed from the store, a Refresh button, notices about the store."""

    def __init__(self, progress: ProgressStore | None = None) -> None:
        self.store = progress if progress is not None else store()
        self.table = W.HTML()
        self.table.add_class("tutor-progress-table-box")
        self.notice = W.HTML()
        self.notice.add_class("tutor-notice")
        self.refresh_button = W.Button(description="Refresh", icon="refresh")
        self.refresh_button.add_class("tutor-refresh-button")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.root = W.VBox([W.HTML(parts.STYLE + "<b style='font-size:1.15em'>Your progress</b>"), self.table,
                            self.notice, self.refresh_button], layout=W.Layout(padding="6px 10px"))
        self.root.add_class("tutor-progress")
        self.progress: dict[str, ExerciseProgress] = {}
        self.refresh()
        _dashboards.add(self)

    def refresh(self) -> None:
        """Re-read the store and redraw; store problems become a notice, never an exception."""
        messages: list[str] = []
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                self.progress = self.store.all()
            except ProgressError as e:
                messages.append(f"progress cannot be read: {e}")
        messages += [str(w.message) for w in caught]
        messages += [m for m in self.store.notices if m not in messages]
        self.table.value = dashboard_html(self.progress)
        self.notice.value = parts.notice_html(messages)

    def close(self) -> None:
        """Close the dashboard's widgets (a re-run cell replaces it)."""
        from .tree import close_tree

        _dashboards.discard(self)
        close_tree(self.root)

    def text(self) -> str:
        """Plain-text dashboard: one line per exercise."""
        lines = []
        for name in exercises.names():
            p = self.progress.get(name, ExerciseProgress(name))
            lines.append(f"{name}: {_status(p)[0]} · attempts {p.attempts} · hints {p.hints}"
                         + (f" · first passed {_when(p.first_passed)}" if p.passed else ""))
        return "\n".join(lines)


def show_progress_dashboard() -> ProgressView:
    """Display the dashboard (with text and HTML fallbacks) and return it."""
    from .display import bundle, replace_in_cell, show

    view = ProgressView()
    replace_in_cell("progress", view)
    show(bundle(view.root, view.text(), dashboard_html(view.progress)))
    return view
