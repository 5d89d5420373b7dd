"""Who handed a file in (Canvas / Moodle download names, folders, stems) and feedback file names."""
from __future__ import annotations

from tutor.grade.names import Student, UniqueNames, readable, students


def test_canvas_and_moodle_download_names_give_name_and_id():
    got = students([
        "muellerjoerg_12345_67890_backprop.ipynb",
        "smithanna_LATE_2233_1234567_backprop-1.ipynb",
        "Jörg Müller_777_assignsubmission_file_/backprop.ipynb",
        "Anna Smith_778_assignsubmission_file_backprop.ipynb",
        "section-b/Zoë O'Neil_779_assignsubmission_file_/nested/backprop.ipynb",
    ])
    assert list(got.values()) == [Student("muellerjoerg", "12345"), Student("smithanna", "2233"),
                                  Student("Jörg Müller", "777"), Student("Anna Smith", "778"),
                                  Student("Zoë O'Neil", "779")]


def test_a_file_named_like_a_classmates_download_stays_its_senders():
    """Moodle's folder is the LMS's; the file's name inside it is the student's: Bob's file named as Alice's
    download counted as Alice's (her best-of score went up, Bob left the sheet)."""
    got = students(["Alice Jones_111_assignsubmission_file_/backprop.ipynb",
                    "Bob Smith_222_assignsubmission_file_/Alice Jones_111_assignsubmission_file_backprop.ipynb",
                    "Carol White_333_assignsubmission_file_/x_111_999_backprop.ipynb"])
    assert [s.id for s in got.values()] == ["111", "222", "333"]


def test_otherwise_the_folder_when_file_names_repeat_else_the_stem():
    # a folder per student, one with a script too, others' notebooks named by Colab or Jupyter; beside them a
    # folder of a section whose file names its student
    got = students(["alice/backprop.ipynb", "bob/backprop.ipynb", "bob/backprop.py", "carol/Copy of backprop.ipynb",
                    "erin/Untitled1.ipynb", "frank/backprop_final.ipynb", "section-a/gina.ipynb", "dave.py",
                    "hw_1_2_final.ipynb"])
    assert [s.name for s in got.values()] == ["alice", "bob", "bob", "carol", "erin", "frank", "gina", "dave",
                                              "hw_1_2_final"]
    assert all(s.id == "" for s in got.values())
    # a folder per section: the stem names the student; two students of the same name stay two
    got = students(["section-a/carol.ipynb", "section-a/alice.ipynb", "section-a/dave.ipynb",
                    "section-b/alice.ipynb", "section-b/erin.ipynb", "section-b/erin.py"])
    assert [s.name for s in got.values()] == ["carol", "alice (section-a)", "dave", "alice (section-b)", "erin",
                                              "erin"]
    # the same student's notebook and script are one student; an ID beats a name
    both = students(["erin.ipynb", "Erin.py"])
    assert both["erin.ipynb"].key == both["Erin.py"].key
    assert Student("x", "1").key != Student("x", "2").key


def test_feedback_names_keep_unicode_and_never_collide():
    assert readable("group a/Müller.ipynb") == "group_a__Müller.ipynb"
    assert readable("Jörg Müller_777_assignsubmission_file_/backprop.ipynb") == \
        "Jörg_Müller_777_assignsubmission_file___backprop.ipynb"
    assert readable("<carol>.ipynb") == "carol_.ipynb" and readable("///") == "submission"
    assert len(readable("é" * 400).encode()) <= 180
    name = UniqueNames()
    got = [name(x) for x in ("a/b.ipynb", "a__b.ipynb", "A__B.ipynb", "a__b.ipynb-2", "Müller.ipynb",
                             "Mu\u0308ller.ipynb")]
    assert got == ["a__b.ipynb", "a__b.ipynb-2", "A__B.ipynb-3", "a__b.ipynb-2-2", "Müller.ipynb",
                   "Müller.ipynb-2"]
    assert len({g.casefold() for g in got}) == len(got)


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_text_and_read_back():
    from tutor.grade.names import cell, uncell

    assert cell("=HYPERLINK(\"http://x\")_1.ipynb") == "'=HYPERLINK(\"http://x\")_1.ipynb"
    assert cell("-final.ipynb") == "'-final.ipynb" and cell("alice.ipynb") == "alice.ipynb"
    for text in ("=cmd|' /C calc'!A0.ipynb", "@x.ipynb", "'quoted.ipynb", "plain.ipynb"):
        assert uncell(cell(text)) == text
