"""The progress store: survives restarts, two kernels writing at once lose nothing, corruption is set aside."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import tutor
from tutor import exercises
from tutor.progress import FILENAME, ProgressStore, data_dir, store
from tutor.widgets import exercise_view
from tutor.widgets.progress_view import ProgressView


def test_data_dir_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TUTOR_HOME", str(tmp_path / "a"))
    assert data_dir() == tmp_path / "a"
    monkeypatch.delenv("TUTOR_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "tutor"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "tutor"


def test_attempts_hints_first_pass_last_code(tutor_home):
    s = store()
    assert s.path == tutor_home / FILENAME
    assert not tutor.passed("relu") and tutor.last_code("relu") is None
    s.record_attempt("relu", False, "relu: FAIL [sign-flipped]", "wrong code")
    s.record_hints("relu", 2)
    s.record_hints("relu", 1)  # the count never shrinks
    s.record_attempt("relu", True, "relu: PASS", "right code")
    first = s.get("relu").first_passed
    s.record_attempt("relu", True, "relu: PASS", "right code again")
    p = s.get("relu")
    assert (p.attempts, p.failures, p.hints, p.last_status) == (3, 1, 2, "relu: PASS")
    assert p.first_passed == first and p.passed
    assert tutor.passed("relu") and tutor.last_code("relu") == "right code again"
    s.save_code("relu", "typing…")  # a draft: not a submission
    p = s.get("relu")
    assert (p.draft, p.latest_code, p.attempts) == ("typing…", "typing…", 3)
    assert tutor.last_code("relu") == "right code again"
    s.record_attempt("relu", False, "relu: FAIL [raises]", "typing… done")
    assert s.get("relu").draft is None and s.get("relu").latest_code == tutor.last_code("relu") == "typing… done"


def test_a_store_from_before_drafts_is_upgraded(tutor_home):
    import sqlite3

    tutor_home.mkdir(parents=True)
    con = sqlite3.connect(tutor_home / FILENAME)
    con.execute("CREATE TABLE progress (exercise TEXT PRIMARY KEY, attempts INTEGER NOT NULL DEFAULT 0, "
                "failures INTEGER NOT NULL DEFAULT 0, hints INTEGER NOT NULL DEFAULT 0, first_passed REAL, "
                "last_status TEXT NOT NULL DEFAULT '', last_code TEXT, updated REAL)")
    con.execute("INSERT INTO progress (exercise, attempts, first_passed, last_code) VALUES ('mse', 2, 1.0, 'old')")
    con.commit()
    con.close()
    assert tutor.passed("mse") and tutor.last_code("mse") == "old"
    store().save_code("mse", "new draft")
    assert store().get("mse").latest_code == "new draft"
    store().record_attempt("mse", True, "mse: PASS", "new")  # the columns added since exist too
    assert (store().get("mse").attempts, tutor.passing_code("mse")) == (3, "new")


def _python(code: str, home: Path) -> subprocess.Popen:
    env = {**__import__("os").environ, "TUTOR_HOME": str(home)}
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_progress_survives_a_restart(tutor_home):
    writer = _python("""\
        from tutor.progress import store
        store().record_attempt("mse", True, "mse: PASS", "class Mse: ...")
        """, tutor_home)
    assert writer.wait(120) == 0, writer.stderr.read()
    assert tutor.passed("mse") and tutor.last_code("mse") == "class Mse: ..."


def test_two_kernels_writing_at_once_lose_nothing(tutor_home):
    per_process = 1000
    code = f"""\
        import os, sys, time
        from tutor.progress import ProgressStore, FILENAME, data_dir
        s = ProgressStore(data_dir() / FILENAME)
        s.get("lin")  # open the store, then start together (imports take different times)
        open(data_dir() / f"ready-{{os.getpid()}}", "w").close()
        give_up = time.monotonic() + 120  # the other one failed: say so rather than hang
        while len(list(data_dir().glob("ready-*"))) < 2 and time.monotonic() < give_up:
            time.sleep(0.005)
        for i in range({per_process}):
            s.record_attempt("lin", i % 3 == 0, "lin: ...", f"code {{os.getpid()}} {{i}}")
            s.save_code("lin_grad", str(i))
            s.record_hints("lin", i % 5)
        print("done")
        """
    kernels = [_python(code, tutor_home) for _ in range(2)]
    for k in kernels:
        out, err = k.communicate(timeout=300)
        assert k.returncode == 0 and out.strip() == "done", err
    p = store().get("lin")
    assert p.attempts == 2 * per_process
    assert p.failures == 2 * (per_process - len(range(0, per_process, 3)))
    assert p.hints == 4 and p.passed


def test_kernels_opening_a_new_store_at_the_same_moment_all_get_in(tmp_path):
    # Switching a fresh file to WAL is not covered by SQLite's busy timeout: without a retry about half of
    # these pairs saw "database is locked" (a learner's widget would have shown an error).
    failed = []
    for round_ in range(12):
        path = tmp_path / str(round_) / FILENAME
        start = time.time() + 0.15
        pids = []
        for _ in range(2):
            pid = os.fork()
            if pid == 0:  # a second kernel, reduced to what matters: a fresh process opening the store
                code = 1
                try:
                    while time.time() < start:
                        pass
                    ProgressStore(path).record_attempt("lin", True, "lin: PASS", f"code {os.getpid()}")
                    code = 0
                finally:
                    os._exit(code)
            pids.append(pid)
        failed += [round_ for pid in pids if os.waitpid(pid, 0)[1] != 0]
    assert failed == []
    assert ProgressStore(tmp_path / "0" / FILENAME).get("lin").attempts == 2


@pytest.mark.parametrize("garbage", [b"this is not a database" * 100, b"SQLite format 3\x00" + b"\xff" * 5000])
def test_a_corrupt_store_is_set_aside_with_a_warning(tutor_home, garbage):
    tutor_home.mkdir(parents=True)
    (tutor_home / FILENAME).write_bytes(garbage)
    s = ProgressStore(tutor_home / FILENAME)
    with pytest.warns(RuntimeWarning, match="set aside"):
        assert s.get("relu").attempts == 0
    aside = list(tutor_home.glob(f"{FILENAME}.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == garbage
    s.record_attempt("relu", True, "relu: PASS", "code")
    assert ProgressStore(tutor_home / FILENAME).get("relu").passed
    assert re.search(r"corrupt-\d{8}-\d{6}", s.notices[0])


def test_a_store_another_kernel_already_replaced_is_kept(tutor_home):
    tutor_home.mkdir(parents=True)
    path = tutor_home / FILENAME
    path.write_bytes(b"garbage" * 300)
    late = ProgressStore(path)
    late._inode = path.stat().st_ino  # this kernel met the bad file too, but is slower to react
    with pytest.warns(RuntimeWarning):
        ProgressStore(path).record_attempt("lin", True, "lin: PASS", f"code {os.getpid()}")  # the first kernel
    late._set_aside(RuntimeError("file is not a database"))
    assert ProgressStore(path).get("lin").passed  # the fresh store was not moved aside
    assert len(list(tutor_home.glob(f"{FILENAME}.corrupt-*"))) == 1


def test_the_widget_shows_that_the_store_was_set_aside(tutor_home):
    tutor_home.mkdir(parents=True)
    (tutor_home / FILENAME).write_bytes(b"garbage" * 300)
    with pytest.warns(RuntimeWarning):
        view = exercise_view("relu")
    assert view.notice.layout.display is None and "set aside" in view.notice.value
    assert view.editor.value == tutor.exercises.get("relu").stub


def test_dashboard_lists_every_exercise(tutor_home):
    s = store()
    s.record_attempt("lin_grad", False, "lin_grad: FAIL [transposed]", "x")
    s.record_attempt("lin_grad", True, "lin_grad: PASS", "y")
    s.record_attempt("relu", False, "relu: FAIL [inverted-mask]", "z")
    s.record_hints("relu", 2)
    view = ProgressView()
    assert "tutor-progress" in view.root._dom_classes
    rows = dict(re.findall(r"data-exercise='(\w+)'>.*?tutor-progress-status[^>]*>([^<]+)<", view.table.value))
    n = len(exercises.names())
    assert rows == {**{name: "not tried" for name in exercises.names()}, "lin_grad": "PASS", "relu": "FAIL"}
    assert f"1/{n} exercises passed" in view.table.value and "inverted-mask" in view.table.value
    s.record_attempt("mse", True, "mse: PASS", "w")
    view.refresh_button.click()
    assert f"2/{n} exercises passed" in view.table.value
    assert view.text().splitlines()[0].startswith("lin_grad: PASS · attempts 2 · hints 0 · first passed")


def test_a_shown_dashboard_follows_the_checks(learner):
    dashboard = ProgressView()
    n = len(exercises.names())
    assert f"0/{n} exercises passed" in dashboard.table.value
    view = exercise_view("relu")
    view.editor.value = learner("relu/pass_lesson")
    view.check_button.click()
    assert f"1/{n} exercises passed" in dashboard.table.value
    view.hint_button.click()
    assert re.search(r"data-exercise='relu'>.*?<td[^>]*>1</td><td[^>]*>1</td>", dashboard.table.value)


def test_progress_call_outside_a_notebook_prints_the_text(capsys):
    store().record_attempt("relu", True, "relu: PASS", "c")
    tutor.progress()
    out = capsys.readouterr().out
    assert "relu: PASS · attempts 1" in out and "mse: not tried" in out


def test_only_distinct_code_counts_as_an_attempt(tutor_home):
    s = store()
    assert s.record_attempt("relu", False, "relu: FAIL [scale]", "def f(): pass\n") is True
    assert s.record_attempt("relu", False, "relu: FAIL [scale]", "def f(): pass   \n\n") is False  # same code
    assert s.record_attempt("relu", False, "relu: FAIL [sign-flipped]", "def f(): return 1\n") is True
    assert s.record_attempt("relu", False, "relu: FAIL [scale]", "def f(): pass\n") is False  # seen before
    assert s.record_attempt("relu", False, "relu: FAIL [raises]", None) is True  # source unknown: counts
    p = s.get("relu")
    assert (p.attempts, p.failures, p.last_status) == (3, 3, "relu: FAIL [raises]")


def test_the_last_passing_code_survives_a_later_failure(tutor_home):
    s = store()
    s.record_attempt("relu", True, "relu: PASS", "good")
    s.record_attempt("relu", False, "relu: FAIL [scale]", "bad")
    p = s.get("relu")
    assert (p.passing_code, p.last_code, p.passed) == ("good", "bad", True)
    assert tutor.passing_code("relu") == "good" and tutor.last_code("relu") == "bad"
    assert p.last_passed is not None and p.updated >= p.last_passed

