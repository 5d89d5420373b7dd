"""A learner's progress that survives kernel restarts: one SQLite file (WAL, busy timeout) per user.

Per exercise: attempts, failed attempts, hints used, first pass time, last status and last code.
Several kernels may write at once: every change is a single atomic upsert, so none is lost.
An unreadable store is set aside (renamed with a timestamp) with a warning and a fresh one started.
The store knows nothing of widgets: `tutor.progress()` (the package makes this module callable) shows the
dashboard from `tutor/widgets/progress_view.py`; the core never prints.
"""
from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

FILENAME = "progress.sqlite"
BUSY_TIMEOUT_S = 30.0
_CORRUPT = ("SQLITE_CORRUPT", "SQLITE_NOTADB")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS progress (
    exercise     TEXT PRIMARY KEY,
    attempts     INTEGER NOT NULL DEFAULT 0,
    failures     INTEGER NOT NULL DEFAULT 0,
    hints        INTEGER NOT NULL DEFAULT 0,
    first_passed REAL,
    last_status  TEXT NOT NULL DEFAULT '',
    last_code    TEXT,
    updated      REAL,
    draft        TEXT,
    passing_code TEXT,
    last_passed  REAL,
    seen         TEXT NOT NULL DEFAULT ''
)"""
_COLUMNS = ("exercise", "attempts", "failures", "hints", "first_passed", "last_status", "last_code", "updated",
            "draft", "passing_code", "last_passed")
# Columns added after the first release, with their definitions: an older store gains them on opening.
_ADDED = {"draft": "TEXT", "passing_code": "TEXT", "last_passed": "REAL", "seen": "TEXT NOT NULL DEFAULT ''"}
SEEN_KEPT = 200  # digests of distinct code remembered per exercise (what counts as a new attempt)


class ProgressError(RuntimeError):
    """The store cannot be used (an unwritable directory, a disk error): one line saying why."""


@dataclass
class ExerciseProgress:
    """What the store holds for one exercise."""

    exercise: str
    attempts: int = 0
    failures: int = 0
    hints: int = 0
    first_passed: float | None = None  # unix time of the first PASS
    last_status: str = ""  # the report's summary line, e.g. "relu: FAIL [sign-flipped]"
    last_code: str | None = None  # the code last checked
    updated: float | None = None
    draft: str | None = None  # code typed in a widget's code area since the last check
    passing_code: str | None = None  # the code of the latest PASS
    last_passed: float | None = None  # unix time of the latest PASS

    @property
    def latest_code(self) -> str | None:
        """What a code area should reopen with: the draft, else the code last checked."""
        return self.draft if self.draft is not None else self.last_code

    @property
    def passed(self) -> bool:
        """True once the exercise has passed at least once."""
        return self.first_passed is not None


def data_dir() -> Path:
    """Where the store lives: `$TUTOR_HOME`, else `$XDG_DATA_HOME/tutor`, else `~/.local/share/tutor`."""
    if os.environ.get("TUTOR_HOME"):
        return Path(os.environ["TUTOR_HOME"]).expanduser()
    if os.environ.get("XDG_DATA_HOME"):
        return Path(os.environ["XDG_DATA_HOME"]).expanduser() / "tutor"
    return Path.home() / ".local" / "share" / "tutor"


def _is_corruption(e: sqlite3.DatabaseError) -> bool:
    if isinstance(e, sqlite3.OperationalError) and "locked" in str(e):
        return False
    name = getattr(e, "sqlite_errorname", "")
    return name in _CORRUPT or "not a database" in str(e) or "malformed" in str(e)


def _inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except OSError:
        return -1


class ProgressStore:
    """The progress of every exercise in one SQLite file, through one connection per process."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else data_dir() / FILENAME
        self.notices: list[str] = []  # set-aside messages, for widgets to show
        self._checked = False
        self._con: sqlite3.Connection | None = None
        self._pid = self._inode = 0
        self._lock = threading.RLock()

    def close(self) -> None:
        """Close the connection (the next call opens a new one)."""
        with self._lock:
            if self._con is not None:
                self._con.close()
            self._con = None

    # ------------------------------------------------------------------------------ plumbing

    def _connect(self) -> sqlite3.Connection:
        # Switching a fresh file to WAL takes a lock SQLite does not wait for: two kernels opening a new store
        # at the same moment would see "database is locked". Setting up again a moment later always succeeds.
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        while True:
            try:
                return self._connect_once()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.005, 0.05))

    def _connect_once(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                  check_same_thread=False)
        except (OSError, sqlite3.Error) as e:
            raise ProgressError(f"cannot open the progress store {self.path}: {e}") from None
        try:
            con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")
            if not self._checked:
                row = con.execute("PRAGMA quick_check").fetchone()
                if row and row[0] != "ok":
                    raise sqlite3.DatabaseError(f"database disk image is malformed ({row[0]})")
            con.execute(_SCHEMA)
            have = {row[1] for row in con.execute("PRAGMA table_info(progress)")}
            for column, definition in _ADDED.items():
                if column not in have:  # a store from an earlier version
                    con.execute(f"ALTER TABLE progress ADD COLUMN {column} {definition}")
            self._checked = True
        except BaseException:
            con.close()
            raise
        return con

    def _connection(self) -> sqlite3.Connection:
        # A connection is not shared with a forked child; a store file that vanished (set aside by
        # another kernel) is reopened, so writes never go to an unlinked inode.
        if self._con is not None and (self._pid, self._inode) != (os.getpid(), _inode(self.path)):
            self._con = None
        if self._con is None:
            self._inode = _inode(self.path)  # the file a failure to open would be about
            self._con = self._connect()
            self._pid, self._inode = os.getpid(), _inode(self.path)
        return self._con

    def _run(self, action: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run `action` on the connection; a corrupt store is set aside once and the action retried."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    return action(self._connection())
                except sqlite3.DatabaseError as e:
                    self.close()
                    if attempt == 2 or not _is_corruption(e):
                        raise ProgressError(f"progress store {self.path}: {e}") from None
                    self._set_aside(e)
        raise AssertionError("unreachable")

    def _set_aside(self, error: Exception) -> None:
        if _inode(self.path) != self._inode:
            return  # another kernel already set the bad file aside and started a fresh one: keep that
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{os.getpid()}")
        try:
            os.replace(self.path, target)
        except FileNotFoundError:
            pass  # another kernel set it aside first
        except OSError as e:
            raise ProgressError(f"progress store {self.path} is unreadable ({error}) and cannot be "
                                f"moved aside: {e}") from None
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self._checked = False
        msg = (f"tutor: the progress store {self.path} was unreadable ({error}); it was set aside "
               f"as {target.name} and a fresh one started")
        self.notices.append(msg)
        warnings.warn(msg, RuntimeWarning, stacklevel=4)

    def _upsert(self, exercise: str, assignments: str, params: tuple = ()) -> None:
        """Create the exercise's row if needed, then apply `assignments` in the same statement."""
        insert = "INSERT INTO progress (exercise) VALUES (?) ON CONFLICT(exercise) DO NOTHING"
        update = f"UPDATE progress SET {assignments}, updated = ? WHERE exercise = ?"

        def action(con: sqlite3.Connection) -> None:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute(insert, (exercise,))
                con.execute(update, (*params, time.time(), exercise))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

        self._run(action)

    # ------------------------------------------------------------------------------- writes

    def record_attempt(self, exercise: str, passed: bool, status: str, code: str | None = None) -> bool:
        """Record one check of `exercise`: its verdict, summary line and (when given) the code checked.

        Only distinct code counts as an attempt (checking the same code again, even after a restart, does not);
        code whose source is unknown (None) always counts. Returns whether this check counted."""
        now, digest = time.time(), code_digest(code) if code is not None else ""

        def action(con: sqlite3.Connection) -> bool:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.execute("INSERT INTO progress (exercise) VALUES (?) ON CONFLICT(exercise) DO NOTHING",
                            (exercise,))
                seen = con.execute("SELECT seen FROM progress WHERE exercise = ?", (exercise,)).fetchone()[0]
                digests = seen.split()
                new = not digest or digest not in digests
                if digest and new:
                    digests = (digests + [digest])[-SEEN_KEPT:]
                con.execute(
                    "UPDATE progress SET attempts = attempts + ?, failures = failures + ?, last_status = ?, "
                    "first_passed = CASE WHEN ? AND first_passed IS NULL THEN ? ELSE first_passed END, "
                    "last_passed = CASE WHEN ? THEN ? ELSE last_passed END, "
                    "passing_code = CASE WHEN ? AND ? IS NOT NULL THEN ? ELSE passing_code END, "
                    "last_code = COALESCE(?, last_code), draft = CASE WHEN ? IS NULL THEN draft ELSE NULL END, "
                    "seen = ?, updated = ? WHERE exercise = ?",
                    (int(new), int(new and not passed), status, int(passed), now, int(passed), now,
                     int(passed), code, code, code, code, " ".join(digests), now, exercise))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            return new

        return self._run(action)

    def save_code(self, exercise: str, code: str) -> None:
        """Keep the code being typed for `exercise` (autosave, a draft), without counting an attempt."""
        self._upsert(exercise, "draft = ?", (code,))

    def record_hints(self, exercise: str, shown: int) -> None:
        """Note that `shown` hints of `exercise` have been revealed (the count only grows)."""
        self._upsert(exercise, "hints = MAX(hints, ?)", (shown,))

    # -------------------------------------------------------------------------------- reads

    def get(self, exercise: str) -> ExerciseProgress:
        """The progress of one exercise (all zeros when never tried)."""
        sql = f"SELECT {', '.join(_COLUMNS)} FROM progress WHERE exercise = ?"
        row = self._run(lambda con: con.execute(sql, (exercise,)).fetchone())
        return ExerciseProgress(*row) if row else ExerciseProgress(exercise)

    def all(self) -> dict[str, ExerciseProgress]:
        """Every exercise the store knows, by name."""
        sql = f"SELECT {', '.join(_COLUMNS)} FROM progress ORDER BY exercise"
        rows = self._run(lambda con: con.execute(sql).fetchall())
        return {r[0]: ExerciseProgress(*r) for r in rows}


_stores: dict[Path, ProgressStore] = {}


def store() -> ProgressStore:
    """The store at the current data directory (re-read from the environment on every call)."""
    path = data_dir() / FILENAME
    if path not in _stores:
        _stores[path] = ProgressStore(path)
    return _stores[path]


def passed(exercise: str) -> bool:
    """Has `exercise` passed at least once (in any kernel, before any restart)?"""
    return store().get(exercise).passed


def last_code(exercise: str) -> str | None:
    """The code last checked for `exercise` (a `%%exercise` cell, a widget's Check), None when there is none."""
    return store().get(exercise).last_code


def passing_code(exercise: str) -> str | None:
    """The code of the latest PASS of `exercise` (a later failing check does not replace it), None if none."""
    return store().get(exercise).passing_code


def code_digest(code: str) -> str:
    """A short digest of code, blind to trailing spaces, blank lines and cell markers (`# %% cell [12]`: the same
    cell run again has another number; what "the same code" means)."""
    lines = [line.rstrip() for line in code.strip().splitlines() if not line.startswith("# %%")]
    return hashlib.blake2b("\n".join(lines).encode(), digest_size=8).hexdigest()
