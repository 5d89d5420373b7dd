"""The exercise widget: a composition of ipywidgets that checks a submission and renders its CheckReport.

It never computes a gradient: `tutor.check` does, and the widget shows the report it returns.
Handlers turn an event into state (a new report, one more hint) and every error they meet is
shown in the widget's error area instead of vanishing into the kernel log.
"""
from __future__ import annotations

import functools
import html
import traceback
import weakref
from typing import Any, Callable

import ipywidgets as W

from .. import exercises
from ..checker import check
from ..progress import ExerciseProgress, ProgressError, ProgressStore, store
from ..report import CheckReport
from . import parts
from .markdown import inline_html, statement_html
from .plot_images import PlotImages
from .settings import SETTINGS

Submission = Callable[[], Any]  # returns what tutor.check accepts: source text or a live definition

_views: weakref.WeakValueDictionary[str, ExerciseView] = weakref.WeakValueDictionary()


def view_for(model_id: str) -> ExerciseView | None:
    """The ExerciseView whose root widget has this model id (as found in a display bundle)."""
    return _views.get(model_id)


def _shown(widget: W.DOMWidget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"


class ExerciseView:
    """One exercise: title, badge, statement, optional code area, checks, diagnosis, hints, solution, plots."""

    def __init__(self, name: str, submission: Submission | None = None, editable: bool = False,
                 statement_open: bool = False, progress: ProgressStore | None = None) -> None:
        self.exercise = exercises.get(name)
        self.store = progress if progress is not None else store()
        self.report: CheckReport | None = None
        self.hints_shown = 0
        self.local_failures = 0
        self.notices: list[str] = []
        self.plot_titles: list[str] = []
        self.display_handle: Any = None  # set when displayed: "Check again" refreshes the static fallback
        self.fallback_shown: str | None = None  # the text/plain of what was displayed or last refreshed
        self._plot_images = PlotImages()
        saved = self._progress()
        self.editor: W.Textarea | None = None
        if editable:
            code = saved.latest_code if saved and saved.latest_code else self.exercise.stub
            self.editor = W.Textarea(value=code, layout=W.Layout(width="100%", height="16em"))
            self.editor.add_class("tutor-editor")
            self.editor.observe(self._guarded(self._on_edit), names="value")
        self.submission = submission or self._editor_code
        self._build(statement_open)
        for _ in range(min(saved.hints if saved else 0, len(self.exercise.hints))):
            self.reveal_hint()  # hints already revealed before (a re-run, a restart) stay revealed
        self._refresh_notices()

    # -------------------------------------------------------------------------------- layout

    def _build(self, statement_open: bool) -> None:
        ex = self.exercise
        self.badge = W.HTML(parts.badge_html(None))
        self.badge.add_class("tutor-badge")
        self.title = W.HTML(f"<b style='font-size:1.15em'>{html.escape(ex.title)}</b>")
        self.title.add_class("tutor-title")
        self.statement = W.HTMLMath(statement_html(ex.statement))
        self.statement.add_class("tutor-statement")
        statement_box = W.Accordion(children=[self.statement], titles=("The exercise",),
                                    selected_index=0 if statement_open else None)
        self.check_button = W.Button(description="Check" if self.editor else "Check again",
                                     button_style="primary", icon="check")
        self.check_button.add_class("tutor-check-button")
        self.hint_button = W.Button(description=self._hint_label(), icon="lightbulb-o")
        self.hint_button.add_class("tutor-hint-button")
        self.solution_button = W.Button(description="Show solution", button_style="warning", icon="eye")
        self.solution_button.add_class("tutor-solution-button")
        self.plots_toggle = W.ToggleButton(value=SETTINGS.plots_enabled, description="show plots",
                                           icon="bar-chart")
        self.plots_toggle.add_class("tutor-plots-toggle")
        self.error = W.HTML()
        self.error.add_class("tutor-error")
        self.notice = W.HTML()
        self.notice.add_class("tutor-notice")
        self.diagnosis = W.HTML()
        self.diagnosis.add_class("tutor-diagnosis")
        self.checks = W.HTML(parts.checks_html(None))
        self.checks.add_class("tutor-checks")
        self.hints = W.VBox()
        self.hints.add_class("tutor-hints")
        self.solution = W.HTML()
        self.solution.add_class("tutor-solution")
        self.plots = W.VBox()
        self.plots.add_class("tutor-plots")

        self.check_button.on_click(self._guarded(self._on_check))
        self.hint_button.on_click(self._guarded(self._on_hint))
        self.solution_button.on_click(self._guarded(self._on_solution))
        self.plots_toggle.observe(self._guarded(self._on_plots_toggle), names="value")
        for w in (self.error, self.notice, self.solution):
            _shown(w, False)
        _shown(self.solution_button, self._solution_allowed())

        header = W.HBox([self.badge, self.title], layout=W.Layout(align_items="center", grid_gap="12px"))
        buttons = W.HBox([self.check_button, self.hint_button, self.solution_button, self.plots_toggle])
        body = [W.HTML(parts.STYLE), header, statement_box]
        body += [self.editor] if self.editor else []
        body += [buttons, self.error, self.notice, self.diagnosis, self.checks, self.hints, self.solution,
                 self.plots]
        self.root = W.VBox(body, layout=W.Layout(border="1px solid #ccc", padding="6px 10px"))
        self.root.add_class("tutor-exercise")
        self.root.add_class(f"tutor-exercise-{self.exercise.name}")
        _views[self.root.model_id] = self

    # ------------------------------------------------------------------------------ actions

    def run_check(self) -> CheckReport:
        """Check the current submission, record the attempt, and show the report."""
        submission = self.submission()
        report = check(self.exercise.name, submission)
        self._record(report, submission)
        self.show_report(report)
        return report

    def show_report(self, report: CheckReport) -> None:
        """Render a report: badge, checks, diagnosis, plots, and whether the solution may be offered."""
        self.report = report
        self.badge.value = parts.badge_html(report)
        self.badge.remove_class("tutor-pass" if not report.passed else "tutor-fail")
        self.badge.add_class("tutor-pass" if report.passed else "tutor-fail")
        self.diagnosis.value = parts.diagnosis_html(report)
        self.checks.value = parts.checks_html(report)
        self.check_button.description = "Check again"
        if not report.passed:
            self.local_failures += 1
        _shown(self.solution_button, self._solution_allowed())
        self._render_plots()

    def reveal_hint(self) -> str | None:
        """Show the next hint; None (and a "no more hints" note) once every hint is out."""
        hints = self.exercise.hints
        if self.hints_shown >= len(hints):
            if self.hint_button.disabled:
                return None
            self._add_hint_html("<i>No more hints: the diagnosis and the table above say what is still "
                                "wrong.</i>", "tutor-no-more-hints")
            self.hint_button.disabled = True
            return None
        hint = hints[self.hints_shown]
        self.hints_shown += 1
        self._add_hint_html(f"<b>Hint {self.hints_shown}/{len(hints)}.</b> {inline_html(hint)}", "tutor-hint")
        self.hint_button.description = self._hint_label()
        self._save(lambda: self.store.record_hints(self.exercise.name, self.hints_shown))
        return hint

    def reveal_solution(self) -> None:
        """Show the reference solution (only offered after enough failed checks, when solutions are on)."""
        if not self._solution_allowed():
            return
        code = html.escape(self.exercise.reference_source)
        self.solution.value = f"<b>One solution</b> (the lesson's own):<pre>{code}</pre>"
        _shown(self.solution, True)

    # ------------------------------------------------------------------------------ handlers

    def _guarded(self, handler: Callable[..., Any]) -> Callable[..., None]:
        """A handler whose errors are shown in the widget's error area instead of being lost."""

        @functools.wraps(handler)
        def run(*args: Any) -> None:
            if self.error.value:
                self.error.value = ""
                _shown(self.error, False)
            try:
                handler(*args)
            except Exception as e:  # a callback must never fail silently
                self.show_error(f"{type(e).__name__}: {e}", traceback.format_exc())

        return run

    def show_error(self, summary: str, details: str = "") -> None:
        """Show one error line (with the traceback folded away) in the widget."""
        self.error.value = parts.error_html(summary, details)
        _shown(self.error, True)

    def _on_check(self, _button: W.Button) -> None:
        self.check_button.disabled = True
        try:
            self.run_check()
        finally:
            self.check_button.disabled = False
        from .display import refresh_fallback

        refresh_fallback(self)

    def _on_hint(self, _button: W.Button) -> None:
        self.reveal_hint()

    def _on_solution(self, _button: W.Button) -> None:
        self.reveal_solution()

    def _on_plots_toggle(self, _change: dict) -> None:
        self._render_plots()

    def _on_edit(self, change: dict) -> None:
        self._save(lambda: self.store.save_code(self.exercise.name, change["new"]), dashboards=False)

    # ------------------------------------------------------------------------------- helpers

    def _editor_code(self) -> str:
        if self.editor is None:
            raise RuntimeError("this widget has no code area and was given nothing to check")
        return self.editor.value

    def _hint_label(self) -> str:
        return f"Hint ({self.hints_shown}/{len(self.exercise.hints)})"

    def _add_hint_html(self, text: str, cls: str) -> None:
        item = W.HTML(text)
        item.add_class(cls)
        self.hints.children = (*self.hints.children, item)

    def _render_plots(self) -> None:
        if not self.plots_toggle.value or self.report is None:
            self.plots.children = ()
            self.plot_titles = []
            return
        images = self._plot_images(self.report)
        self.plot_titles = [title for title, _png in images]  # each figure draws its own title
        natural = W.Layout(width="auto", max_width="100%", align_self="flex-start")  # never stretched: blurry
        self.plots.children = tuple(W.Image(value=png, format="png", layout=natural) for _title, png in images)

    def _failures(self) -> int:
        saved = self._progress()
        return max(saved.failures if saved else 0, self.local_failures)

    def _solution_allowed(self) -> bool:
        return SETTINGS.solutions_enabled and self._failures() >= SETTINGS.solution_after

    def _progress(self) -> ExerciseProgress | None:
        try:
            return self.store.get(self.exercise.name)
        except ProgressError as e:
            self._note(str(e))
            return None

    def _record(self, report: CheckReport, submission: Any) -> None:
        code = submission if submission is None or isinstance(submission, str) else _source_or_none(submission)
        self._save(lambda: self.store.record_attempt(report.exercise, report.passed, report.summary_line(), code))

    def _save(self, write: Callable[[], None], dashboards: bool = True) -> None:
        try:
            write()
        except ProgressError as e:
            self._note(f"progress not saved: {e}")
        self._refresh_notices()
        if dashboards:
            from .progress_view import refresh_dashboards

            refresh_dashboards()

    def _note(self, message: str) -> None:
        if message not in self.notices:
            self.notices.append(message)

    def _refresh_notices(self) -> None:
        if not hasattr(self, "notice"):
            return
        messages = self.notices + [m for m in self.store.notices if m not in self.notices]
        self.notice.value = parts.notice_html(messages)
        _shown(self.notice, bool(messages))


def _source_or_none(obj: Any) -> str | None:
    from ..run import source_of

    try:
        return source_of(obj)
    except Exception:  # a live definition whose source cannot be found is still checked
        return None
