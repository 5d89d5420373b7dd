"""Helpers for the grading tests: run `tutor grade` as the instructor would, read what it wrote."""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Short limits keep the suite fast; the hostile cases do not depend on the exact numbers.
FAST = ["--time", "4", "--cpu", "3", "--memory", "384", "--processes", "24", "--quiet"]


def tutor(*args: str, timeout: float = 300, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the `tutor` command in a subprocess, as an instructor would (`env`: variables to add)."""
    return subprocess.run([sys.executable, "-m", "tutor", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**os.environ, **(env or {})})


def read_csv(path: Path) -> list[dict[str, str]]:
    """gradebook.csv as a list of rows."""
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def by_key(rows: list[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """Rows keyed by (submission, exercise)."""
    return {(r["submission"], r["exercise"]): r for r in rows}

