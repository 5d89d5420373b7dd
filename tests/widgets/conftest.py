"""Every widget test gets its own progress store (TUTOR_HOME in tmp_path) and default settings."""
from __future__ import annotations

from pathlib import Path

import pytest

from tutor.widgets.settings import SETTINGS

LEARNERS = Path(__file__).resolve().parents[1] / "learners"


@pytest.fixture
def learner():
    """Source of one learner file: learner("lin_grad/pass_lesson")."""
    return lambda name: (LEARNERS / f"{name}.py").read_text()


@pytest.fixture(autouse=True)
def tutor_home(tmp_path, monkeypatch):
    home = tmp_path / "tutor-home"
    monkeypatch.setenv("TUTOR_HOME", str(home))
    monkeypatch.delenv("TUTOR_SOLUTIONS", raising=False)
    monkeypatch.delenv("TUTOR_PLOTS", raising=False)
    saved = (SETTINGS.solutions, SETTINGS.solution_after, SETTINGS.plots)
    yield home
    SETTINGS.solutions, SETTINGS.solution_after, SETTINGS.plots = saved
