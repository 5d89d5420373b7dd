"""The exercise widget: a composition of ipywidgets that checks a submission and renders its CheckReport.

It never computes a gradient: `tutor.check` does, and the widget shows the report it returns with the
same HTML pieces as the static report (`tutor/render/html.py`); widgets are only the interactive parts
(buttons, hints, the code area, plots). Handlers turn an event into state (a new report, one more hint)
and every error they meet is shown in the widget's error area instead of vanishing into the kernel log.
Works with ipywidgets 7.6+ and 8 (no 8-only API).
"""
from __future__ import annotations

import functools
import html
import traceback
import weakref
from typing import Any, Callable

import ipywidgets as W

from .. import exercises
from ..progress import ExerciseProgress, ProgressError, ProgressStore, code_digest, store
from ..render import html as render
from ..report import not_started
from . import parts
from .code_area import CodeArea
from .hints import HintLadder
from .markdown import inline_html, statement_html
from .plot_images import PlotImages, image_widgets
from .settings import SETTINGS
from .tree import close_tree, shown

Submission = Callable[[], Any]  # returns what tutor.check accepts: source text or a live definition

_views: weakref.WeakValueDictionary[str, ExerciseView] = weakref.WeakValueDictionary()


def view_for(model_id: str) -> ExerciseView | None:
    """The ExerciseView whose root widget has this model id (as found in a display bundle)."""
    return _views.get(model_id)


class ExerciseView:
    """One exercise: title, badge, the mistake, one hint, plots, grouped checks, solution, statement."""

    def __init__(self, name: str, submission: Submission | None = None, editable: bool = False,
                 statement_open: bool = False, progress: ProgressStore | None = None,
                 recheck: bool = True) -> None:
        self.exercise = exercises.get(name)
        self.store = progress if progress is not None else store()
        self.report: Any = None
        self.notices: list[str] = []
        self.plot_titles: list[str] = []
        self.display_handle: Any = None  # set when displayed: a check refreshes the static fallback
        self.fallback_shown: str | None = None  # the text/plain of what was displayed or last refreshed
        self._plot_images = PlotImages()
        self.ladder = HintLadder(self.exercise)
        saved = self._progress()
        self.code_area: CodeArea | None = None
        self.editor: W.Textarea | None = None
        if editable:
            code = saved.latest_code if saved and saved.latest_code else self.exercise.stub
            self.code_area = CodeArea(code, self._guarded(self._on_edit), self._guarded(self._on_check_request))
            self.editor = self.code_area.text
        self.submission = submission or self._editor_code
        self._build(statement_open, recheck)
        self._refresh_notices()

    # -------------------------------------------------------------------------------- layout

    def _build(self, statement_open: bool, recheck: bool) -> None:
        ex = self.exercise
        self.badge = W.HTML("")
        self.badge.add_class("tutor-badge")
        self.title = W.HTML(f"<b style='font-size:1.15em'>{html.escape(ex.title)}</b>")
        self.title.add_class("tutor-title")
        self.summary = W.HTML("")
        self.summary.add_class("tutor-summary")
        self.statement = W.HTMLMath(statement_html(ex.statement))
        self.statement.add_class("tutor-statement")
        statement_box = W.Accordion(children=[self.statement], selected_index=0 if statement_open else None)
        statement_box.set_title(0, "The exercise")  # set_title: ipywidgets 7 has no `titles=`
        self.check_button = W.Button(description="Check" if self.editor else "Check again",
                                     button_style="primary", icon="check")
        self.check_button.add_class("tutor-check-button")
        self.rerun_note = W.HTML(f"<span style='color:{render.c('muted')}'>Edit the cell above and press "
                                 "<b>Shift+Enter</b> to check again.</span>")
        self.rerun_note.add_class("tutor-rerun-note")
        self.hint_button = W.Button(description="Hint", icon="lightbulb-o")
        self.hint_button.add_class("tutor-hint-button")
        self.solution_button = W.Button(description="Show solution", icon="eye")
        self.solution_button.add_class("tutor-solution-button")
        self.plots_toggle = W.ToggleButton(value=SETTINGS.plots_enabled, description="plots", icon="bar-chart")
        self.plots_toggle.add_class("tutor-plots-toggle")
        self.error = W.HTML()
        self.error.add_class("tutor-error")
        self.notice = W.HTML()
        self.notice.add_class("tutor-notice")
        self.diagnosis = W.HTML()
        self.diagnosis.add_class("tutor-diagnosis")
        self.checks = W.HTML("<i>Not checked yet: press <b>Check</b>.</i>" if self.editor else "")
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
        for w in (self.error, self.notice, self.solution, self.hint_button):
            shown(w, False)
        shown(self.solution_button, self._solution_allowed())

        header = W.HBox([self.badge, self.title, self.summary],
                        layout=W.Layout(align_items="center", flex_flow="row wrap"))
        first = self.check_button if recheck else self.rerun_note
        buttons = W.HBox([first, self.hint_button, self.solution_button, self.plots_toggle],
                         layout=W.Layout(align_items="center", flex_flow="row wrap"))
        body: list[W.Widget] = [W.HTML(parts.STYLE), header]
        body += [statement_box, *self.code_area.widgets] if self.code_area else []
        body += [self.error, self.notice, self.diagnosis, self.hints, buttons, self.solution, self.plots,
                 self.checks]
        body += [] if self.editor else [statement_box]
        self.root = W.VBox(body, layout=W.Layout(padding="6px 10px"))
        self.root.add_class("tutor-exercise")
        self.root.add_class(f"tutor-exercise-{self.exercise.name}")
        _views[self.root.model_id] = self

    def close(self) -> None:
        """Close every widget of this view (a re-run cell replaces it): nothing is left in the kernel."""
        for widget in (self.root, self.check_button, self.rerun_note):  # one of the two is not in the tree
            close_tree(widget)

    # ------------------------------------------------------------------------------ actions

    def run_check(self, code: str | None = None) -> Any:
        """Check ``code``, or else the current submission (the untouched stub is "not started") and show it."""
        from ..checker import check

        submission = self.submission() if code is None else code
        if isinstance(submission, str) and code_digest(submission) == code_digest(self.exercise.stub):
            report = not_started(self.exercise.name, self.exercise.title)
        else:
            report = check(self.exercise.name, submission)
            self._record(report, submission)
        self.show_report(report)
        return report

    def show_report(self, report: Any) -> None:
        """Render a report: badge, the mistake and its hint, plots, grouped checks; fold help away on a pass."""
        self.report = report
        unstarted = report.is_not_started()
        state = "tutor-not-started" if unstarted else "tutor-pass" if report.passed else "tutor-fail"
        with self.badge.hold_sync():  # text and colour class reach the page in one message, never half-updated
            self.badge.value = render.badge_html(report)
            self.badge._dom_classes = (*(c for c in self.badge._dom_classes
                                         if c not in ("tutor-pass", "tutor-fail", "tutor-not-started")), state)
        summary = html.escape(render.summary_text(report)) if report.checks else ""
        self.summary.value = f"<span style='color:{render.c('muted')}'>{summary}</span>"
        self.diagnosis.value = render.lead_html(report)
        self.checks.value = render.checks_html(report) if report.checks else ""
        self.check_button.description = "Check again"
        if self.ladder.follow(report):
            self.hints.children = ()
            self.hint_button.disabled = False
        if not report.passed and not unstarted and self.ladder.shown == 0:
            self.reveal_hint(record=False)  # the first rung of the ladder for this mistake, shown at once
        helping = not report.passed
        shown(self.hints, helping)
        shown(self.hint_button, helping and not unstarted)
        self._update_hint_button()
        shown(self.solution_button, helping and self._solution_allowed())
        if report.passed:
            shown(self.solution, False)
        self._render_plots()

    def reveal_hint(self, record: bool = True) -> str | None:
        """Show the next hint of the ladder for the mistake shown; None (and a note) once all are out."""
        hint = self.ladder.next()
        if hint is None:
            if not self.hint_button.disabled:
                self._add_hint_html("<i>No more hints: the mistake and the plot above say what is still "
                                    "wrong.</i>", "tutor-no-more-hints")
            self.hint_button.disabled = True
            return None
        self._add_hint_html(f"<b>Hint {self.ladder.shown}/{len(self.ladder.rungs)}.</b> {inline_html(hint)}",
                            "tutor-hint")
        self._update_hint_button()
        if record:
            self._save(lambda: self.store.record_hints(self.exercise.name, self.ladder.used))
        return hint

    def reveal_solution(self) -> None:
        """Show the reference solution (only offered after enough failed checks, when solutions are on)."""
        if not self._solution_allowed():
            return
        code = html.escape(self.exercise.reference_source)
        self.solution.value = f"<b>One solution</b> (the lesson's own):<pre>{code}</pre>"
        shown(self.solution, True)

    # ------------------------------------------------------------------------------ handlers

    def _guarded(self, handler: Callable[..., Any]) -> Callable[..., None]:
        """A handler whose errors are shown in the widget's error area instead of being lost."""

        @functools.wraps(handler)
        def run(*args: Any) -> None:
            if self.error.value:
                self.error.value = ""
                shown(self.error, False)
            try:
                handler(*args)
            except Exception as e:  # a callback must never fail silently
                self.show_error(f"{type(e).__name__}: {e}", traceback.format_exc())

        return run

    def show_error(self, summary: str, details: str = "") -> None:
        """Show one error line (with the traceback folded away) in the widget."""
        self.error.value = parts.error_html(summary, details)
        shown(self.error, True)

    def _on_check(self, _button: W.Button | None = None, code: str | None = None) -> None:
        self.check_button.disabled = True
        try:
            self.run_check(code)
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

    def _on_edit(self, code: str) -> None:
        self._save(lambda: self.store.save_code(self.exercise.name, code), dashboards=False)

    def _on_check_request(self, code: str) -> None:
        self._on_check(code=code)

    # ------------------------------------------------------------------------------- helpers

    def _editor_code(self) -> str:
        if self.editor is None:
            raise RuntimeError("this widget has no code area and was given nothing to check")
        return self.editor.value

    def _update_hint_button(self) -> None:
        left = len(self.ladder.rungs) - self.ladder.shown
        self.hint_button.description = f"Next hint ({left} left)" if self.ladder.shown else "Hint"
        self.hint_button.disabled = left <= 0 and self.ladder.shown > 0 and self.hint_button.disabled

    def _add_hint_html(self, text: str, cls: str) -> None:
        item = W.HTMLMath(text)  # maths in hints typeset like the statement's
        item.add_class(cls)
        self.hints.children = (*self.hints.children, item)

    def _render_plots(self) -> None:
        if not self.plots_toggle.value or self.report is None or not self.report.samples:
            self.plots.children = ()
            self.plot_titles = []
            return
        images = self._plot_images(self.report)
        self.plot_titles = [title for title, _png in images]  # each figure draws its own title
        self.plots.children = image_widgets(images)

    def _failures(self) -> int:
        saved = self._progress()
        return saved.failures if saved else 0

    def _solution_allowed(self) -> bool:
        return SETTINGS.solutions_enabled and self._failures() >= SETTINGS.solution_after

    def _progress(self) -> ExerciseProgress | None:
        try:
            return self.store.get(self.exercise.name)
        except ProgressError as e:
            self._note(str(e))
            return None

    def _record(self, report: Any, submission: Any) -> None:
        from ..checker import saved_source

        code = submission if submission is None or isinstance(submission, str) else saved_source(submission,
                                                                                                report.exercise)
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
        shown(self.notice, bool(messages))
