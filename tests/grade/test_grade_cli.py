"""`tutor grade` input errors: one line, exit status 2, nothing started; points and .py submissions."""
from __future__ import annotations

import pytest
from gradehelp import FAST, read_csv, tutor
from corpus import CORRECT, WRONG_LIN_GRAD, write_notebook

from tutor.cli import main


@pytest.mark.parametrize("args, said", [
    (["nowhere/"], "nowhere/: no such file or folder"),
    (["{nb}", "--points", "lin_grad=2,nope=1"], "--points: unknown exercise 'nope'"),
    (["{nb}", "--points", "lin_grad"], "--points: 'lin_grad' is not NAME=POINTS"),
    (["{nb}", "--points", "missing.toml"], "--points missing.toml: cannot read it as TOML"),
    (["{nb}", "--assignment", "{bad}"], "--assignment: {bad}: not valid notebook JSON"),
    (["{nb}", "--time", "0"], "must be positive"),
    (["{txt}"], "not a submission (expected a .ipynb or .py file, or a folder of them)"),
])
def test_bad_input_is_one_line_and_status_2(tmp_path, capsys, args, said):
    paths = {"nb": write_notebook(tmp_path / "a.ipynb", CORRECT), "bad": tmp_path / "bad.ipynb",
             "txt": tmp_path / "notes.txt"}
    paths["bad"].write_text("[1, 2")
    paths["txt"].write_text("hi")
    args = [a.format(**paths) for a in args]
    status = main(["grade", *args, "--out", str(tmp_path / "out"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("tutor grade: ") and err.count("\n") == 1, err
    assert said.format(**paths) in err


def test_points_from_toml_and_py_submissions(tmp_path):
    subs = tmp_path / "subs"
    write_notebook(subs / "ann.ipynb", {**CORRECT, "lin_grad": WRONG_LIN_GRAD})
    (subs / "bob.py").write_text(CORRECT["lin_grad"] + "\n" + CORRECT["lin"])
    (tmp_path / "points.toml").write_text("[points]\nlin_grad = 3\nlin = 2.5\n")
    proc = tutor("grade", str(subs), "--out", str(tmp_path / "out"), "--points", str(tmp_path / "points.toml"),
                 *FAST)
    assert proc.returncode == 0, proc.stderr
    rows = [(r["submission"], r["exercise"], r["passed"], r["score"]) for r in read_csv(tmp_path / "out" /
                                                                                          "gradebook.csv")]
    assert rows == [("ann.ipynb", "lin_grad", "0", "0"), ("ann.ipynb", "relu", "1", "1"),
                    ("ann.ipynb", "mse", "1", "1"), ("ann.ipynb", "lin", "1", "2.5"),
                    ("bob.py", "lin_grad", "1", "3"), ("bob.py", "relu", "0", "0"), ("bob.py", "mse", "0", "0"),
                    ("bob.py", "lin", "1", "2.5")]
    # the class at a glance, on the terminal and in summary.html
    lines = proc.stdout.splitlines()  # after the isolation and "graded ..." lines
    start = next(i for i, line in enumerate(lines) if line.startswith("exercise "))
    table = lines[start:start + 5]
    assert table[0].split() == ["exercise", "passed", "most", "common", "mistakes"]
    assert table[1].split()[:3] == ["lin_grad", "1/2", "50%"] and table[2].split()[-2:] == ["missing", "1"]
    assert '<a href="feedback/ann.ipynb.html#lin_grad">ann.ipynb</a>' in (tmp_path / "out" / "summary.html").read_text()


def test_a_capitalised_magic_is_graded_as_the_notebook_checks_it(tmp_path):
    nb = write_notebook(tmp_path / "subs" / "cap.ipynb", {"relu": CORRECT["relu"], "mse": CORRECT["mse"]})
    nb.write_text(nb.read_text().replace("%%exercise relu", "%%exercise Relu"))
    proc = tutor("grade", str(nb.parent), "--out", str(tmp_path / "out"), *FAST)
    assert proc.returncode == 0, proc.stderr
    assert [(r["exercise"], r["passed"]) for r in read_csv(tmp_path / "out" / "gradebook.csv")] == \
        [("relu", "1"), ("mse", "1")]
