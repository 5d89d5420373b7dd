"""The gradebook: SQLite under --out, one row per (submission content hash, exercise), committed as it comes."""
from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    sha TEXT NOT NULL,          -- sha256 of the submitted file's bytes
    exercise TEXT NOT NULL,
    config TEXT NOT NULL,       -- what the verdict depends on besides the file: limits, tutor version
    passed INTEGER NOT NULL,
    codes TEXT NOT NULL,        -- space-separated diagnosis / verdict codes
    report TEXT NOT NULL,       -- CheckReport.to_dict() as JSON
    text TEXT NOT NULL,         -- the report as plain text
    html TEXT NOT NULL,         -- the report as static HTML (with plots)
    seconds REAL NOT NULL,
    graded_at REAL NOT NULL,
    PRIMARY KEY (sha, exercise, config)
);
"""


@dataclass
class Row:
    """One stored verdict."""

    passed: bool
    codes: list[str]
    report: dict[str, Any]
    text: str
    html: str


def _unicode(text: str) -> str:
    """The text with what UTF-8 cannot hold (a lone surrogate a learner's exception message or output carried:
    `chr(0xd800)`) replaced, so that one student's verdict cannot stop the class's gradebook."""
    return text.encode("utf-8", "replace").decode("utf-8")


class GradebookError(RuntimeError):
    """The gradebook file cannot be opened or written (the grader's failure)."""


class Gradebook:
    """Verdicts keyed by (sha, exercise, config); every `put` is committed at once (WAL: a kill loses nothing)."""

    def __init__(self, path: Path, config: str) -> None:
        self.path, self.config = path, config
        try:
            self.db = sqlite3.connect(path, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as e:
            raise GradebookError(f"cannot open the gradebook {path}: {e}") from None

    def done(self) -> set[tuple[str, str]]:
        """(sha, exercise) pairs already graded under this config."""
        cur = self.db.execute("SELECT sha, exercise FROM results WHERE config = ?", (self.config,))
        return set(cur.fetchall())

    def put(self, sha: str, exercise: str, passed: bool, codes: list[str], report: dict[str, Any], text: str,
            html: str, seconds: float) -> None:
        """Store one verdict and commit."""
        try:
            with self.db:
                self.db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?,?,?,?,?,?,?)",
                                (sha, exercise, self.config, int(passed), " ".join(codes),
                                 _unicode(json.dumps(report, ensure_ascii=False)), _unicode(text), _unicode(html),
                                 seconds, time.time()))
        except sqlite3.Error as e:
            raise GradebookError(f"cannot write to the gradebook {self.path}: {e}") from None

    def get(self, sha: str, exercise: str) -> Row | None:
        """The stored verdict, or None."""
        row = self.db.execute("SELECT passed, codes, report, text, html FROM results WHERE sha=? AND exercise=? "
                              "AND config=?", (sha, exercise, self.config)).fetchone()
        if row is None:
            return None
        return Row(bool(row[0]), row[1].split(), json.loads(row[2]), row[3], row[4])

    def close(self) -> None:
        """Close the connection."""
        self.db.close()
