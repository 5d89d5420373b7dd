"""Grading tests: their helper modules (gradehelp, corpus) sit beside this file."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def read_json():
    """Read a JSON file."""
    return lambda p: json.loads(Path(p).read_text())
