"""Learner-facing widgets: the exercise widget, the progress dashboard, and their display.

Importing this package is cheap: ipywidgets is imported only when a widget is built.
"""
from __future__ import annotations

from .settings import SETTINGS, configure


def exercise_view(name: str, statement_open: bool = True):
    """An ExerciseView for `name` with an editable code area holding the last saved code or the stub."""
    from .exercise import ExerciseView

    return ExerciseView(name, editable=True, statement_open=statement_open)


def show_exercise(name: str) -> None:
    """Display the exercise widget with a code area (for Voilà, dashboards, places without code cells)."""
    from .. import exercises
    from .display import say, show_view

    try:
        view = exercise_view(name)
    except exercises.UnknownExercise as e:
        say(f"tutor.exercise: {e}")
        return
    show_view(view)


__all__ = ["SETTINGS", "configure", "show_exercise", "exercise_view"]
