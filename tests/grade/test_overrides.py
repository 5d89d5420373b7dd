"""overrides.csv read as an instructor writes it (spreadsheet exports included); bad rows name their line."""
from __future__ import annotations

import unicodedata

import pytest

from tutor.grade.overrides import COLUMNS, OverrideError, lookup, read_overrides, unmatched


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


@pytest.mark.parametrize("encoding, sep", [("cp1252", ";"), ("utf-16", "\t"), ("utf-8-sig", ";")])
def test_excel_saves_read_back_decimal_commas_included(tmp_path, encoding, sep):
    # Excel on Windows saves "CSV" in the ANSI code page, "Unicode text" as UTF-16 with tabs, "CSV UTF-8" with a
    # byte-order mark; a German or French locale writes `;` between cells and `2,5` for two and a half points
    path = tmp_path / "overrides.csv"
    rows = [["submission", "exercise", "score", "comment"],
            ["Jörg Müller_777_assignsubmission_file_/02_lin_grad.ipynb", "lin_grad", "2,5", "b.g später summiert"],
            ["muellerjoerg_12345_67890_02_lin_grad.ipynb", "relu", "-0,5", "late"]]
    path.write_bytes("\r\n".join(sep.join(r) for r in rows).encode(encoding) + "\r\n".encode(encoding))
    got = read_overrides(path)
    o = got[("Jörg Müller_777_assignsubmission_file_/02_lin_grad.ipynb", "lin_grad")]
    assert (o.score, o.comment) == (2.5, "b.g später summiert")
    assert got[("muellerjoerg_12345_67890_02_lin_grad.ipynb", "relu")].score == -0.5


def test_a_name_matches_whichever_unicode_form_it_was_typed_in(tmp_path):
    # a Moodle folder unpacked on macOS can be NFD (u + combining diaeresis); the row typed in NFC matches it
    path = tmp_path / "overrides.csv"
    path.write_text("submission,exercise,score,comment\nJörg Müller_7_assignsubmission_file_/a.ipynb,relu,1,\n")
    got = read_overrides(path)
    nfd = unicodedata.normalize("NFD", "Jörg Müller_7_assignsubmission_file_/a.ipynb")
    assert lookup(got, nfd, "relu").score == 1.0 and unmatched(got, [nfd], ["relu"]) == []


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
