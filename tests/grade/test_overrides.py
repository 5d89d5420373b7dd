"""overrides.csv read as an instructor writes it (spreadsheet exports included); bad rows name their line."""
from __future__ import annotations

import pytest

from tutor.grade.overrides import COLUMNS, OverrideError, read_overrides, unmatched


def test_created_with_its_header_when_absent_and_left_alone_otherwise(tmp_path):
    path = tmp_path / "overrides.csv"
    assert read_overrides(path) == {} and path.read_text() == "submission,exercise,score,comment\n"
    path.write_text("")  # emptied by hand
    assert read_overrides(path) == {} and path.read_text() == ""


def test_a_spreadsheet_export_with_bom_semicolons_and_extra_columns(tmp_path):
    path = tmp_path / "overrides.csv"
    path.write_bytes("\ufeffsubmission;exercise;score;comment;grader\n"
                     "'=evil.ipynb;Relu;1;x;TA\n".encode("utf-8")
                     + "Jörg Müller_777_assignsubmission_file_/backprop.ipynb;lin_grad;;see me;\n".encode())
    got = read_overrides(path)
    assert got[("=evil.ipynb", "relu")].score == 1.0  # a cell gradebook.csv wrote as text reads back
    o = got[("Jörg Müller_777_assignsubmission_file_/backprop.ipynb", "lin_grad")]
    assert (o.score, o.comment, o.line) == (None, "see me", 3)
    assert unmatched(got, ["=evil.ipynb"], ["lin_grad"]) == [
        "overrides.csv line 2: exercise 'relu' is not graded in this run (lin_grad)",
        "overrides.csv line 3: no submission 'Jörg Müller_777_assignsubmission_file_/backprop.ipynb' in this run "
        "(use the `submission` column of gradebook.csv)"]


@pytest.mark.parametrize("text, said", [
    ("name,exercise,points\n", "missing submission, score, comment"),
    ("submission,exercise,score,comment\na.ipynb,lin_grad,nan,\n", "line 2: score 'nan' is not a number"),
    ("submission,exercise,score,comment\na.ipynb,,1,\n", "line 2: give both a submission"),
    ("submission,exercise,score,comment\na.ipynb,lin_grad,1,\na.ipynb,lin_grad,2,\n",
     "line 3: a.ipynb, lin_grad is already overridden on line 2"),
])
def test_rows_the_grader_cannot_use_are_refused_naming_the_line(tmp_path, text, said):
    path = tmp_path / "overrides.csv"
    path.write_text(text)
    with pytest.raises(OverrideError, match=said):
        read_overrides(path)
    assert path.read_text() == text
    assert COLUMNS == ("submission", "exercise", "score", "comment")
