"""A class as an LMS hands it over, graded end to end: scores.csv, overrides.csv, --partial, similar.csv,
the student's code in feedback (real notebooks, real workers)."""
from __future__ import annotations

import json
import os

import nbformat
from corpus import CORRECT, WRONG_LIN_GRAD, write_notebook
from gradehelp import FAST, by_key, read_csv, tutor

CANVAS = "muellerjoerg_12345_67890_backprop.ipynb"
MOODLE = "Jörg Müller_777_assignsubmission_file_/backprop.ipynb"
WRONG_RELU = CORRECT["relu"].replace("(inp > 0)", "(inp < 0)")


def write_class(subs):
    write_notebook(subs / CANVAS, {**CORRECT, "lin_grad": WRONG_LIN_GRAD})
    write_notebook(subs / MOODLE, CORRECT)
    # bob's lin_grad is Jörg's with a comment and a blank line: the same code
    bobs = CORRECT["lin_grad"].replace("    b.g", "    # the bias: summed over the batch\n\n    b.g")
    write_notebook(subs / "bob.ipynb", {**CORRECT, "lin_grad": bobs + "  # done\n"})
    (subs / "bob.py").write_text(CORRECT["mse"].replace("class Mse(Module)", "from tutor.lesson import Module\n"
                                                        "class Mse(Module)"))
    write_notebook(subs / "carol.ipynb", {**CORRECT, "relu": WRONG_RELU})


def test_scores_overrides_partial_credit_and_identical_code(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write_class(subs)
    args = ("grade", str(subs), "--out", str(out), "--points", "lin_grad=3,relu=2", "--partial", *FAST)
    proc = tutor(*args)
    assert proc.returncode == 0, proc.stderr
    overrides = out / "overrides.csv"
    assert overrides.read_text() == "submission,exercise,score,comment\n"  # created with its header

    # one row per student: names and IDs from the LMS download names, bob's notebook and script together
    scores = read_csv(out / "scores.csv")
    assert list(scores[0]) == ["student", "id", "lin_grad", "relu", "mse", "lin", "total", "submissions"]
    got = {(r["student"], r["id"]): (r["lin_grad"], r["relu"], r["mse"], r["lin"], r["total"]) for r in scores}
    assert got == {("Jörg Müller", "777"): ("3", "2", "1", "1", "7"),
                   ("bob", ""): ("3", "2", "1", "1", "7"),
                   ("carol", ""): ("3", "0", "1", "1", "5"),  # relu: inp.g wrong (its right forward earns nothing)
                   ("muellerjoerg", "12345"): ("2", "2", "1", "1", "6")}  # lin_grad: inp.g, w.g right
    # the files, separated by "; " (Moodle's names hold spaces)
    assert {r["submissions"] for r in scores if r["student"] == "bob"} == {"bob.ipynb; bob.py"}

    # feedback: readable unicode names, the student's own code, which tensor earned what
    pages = {p.name for p in (out / "feedback").iterdir()}
    assert "Jörg_Müller_777_assignsubmission_file___backprop.ipynb.html" in pages and len(pages) == 5
    page = (out / "feedback" / f"{CANVAS}.html").read_text()
    lin_grad = page[page.index('<section id="lin_grad">'):page.index('<section id="relu">')]
    assert "lin_grad: FAIL (2 / 3)" in lin_grad
    assert "inp.g right: 1 · w.g right: 1 · b.g wrong: 0" in lin_grad
    code = lin_grad[lin_grad.index("Your code</summary>"):lin_grad.index("</code></pre>")]
    assert '<span class="ln">  1  </span>def lin_grad(inp, out, w, b):' in code
    assert '<span class="ln">  4  </span>    b.g = out.g' in code and "not-summed-over-batch" in lin_grad

    # identical once comments and blank lines are gone: Jörg's and bob's lin_grad; bob's two files are not a pair
    similar = read_csv(out / "similar.csv")
    lin_grad_groups = {r["group"]: set() for r in similar if r["exercise"] == "lin_grad"}
    for r in similar:
        if r["exercise"] == "lin_grad":
            lin_grad_groups[r["group"]].add(r["submission"])
    assert {"bob.ipynb", MOODLE, "carol.ipynb"} in lin_grad_groups.values()
    assert all(len({x for x in g} - {"bob.ipynb", "bob.py"}) > 0 for g in lin_grad_groups.values())
    assert "identical code (similar.csv): lin_grad 1 group (3 submissions); relu 1 group" in proc.stdout
    summary = (out / "summary.html").read_text()
    assert '<section id="similar"><h2>Identical code</h2>' in summary and "similar.csv" in summary

    # the instructor overrules two verdicts and comments on a third; the next run applies it everywhere
    overrides.write_text("submission,exercise,score,comment\n"
                         f"{CANVAS},lin_grad,3,b.g summed in a later cell: accepted\n"
                         "carol.ipynb,relu,,see me about the mask\n"
                         "nobody.ipynb,mse,1,typo\n"
                         "bob.py,mse,0,copied\n", encoding="utf-8")
    before = overrides.read_bytes()
    proc = tutor(*args)
    assert proc.returncode == 0, proc.stderr
    assert "overrides.csv line 4: no submission 'nobody.ipynb' in this run" in proc.stderr
    assert overrides.read_bytes() == before  # never rewritten
    book = by_key(read_csv(out / "gradebook.csv"))
    assert (book[CANVAS, "lin_grad"]["passed"], book[CANVAS, "lin_grad"]["score"]) == ("0", "3")
    assert book[CANVAS, "lin_grad"]["comment"] == "b.g summed in a later cell: accepted"
    assert (book["carol.ipynb", "relu"]["score"], book["carol.ipynb", "relu"]["comment"]) == \
        ("0", "see me about the mask")
    totals = {r["student"]: r["total"] for r in read_csv(out / "scores.csv")}
    assert totals["muellerjoerg"] == "7" and totals["carol"] == "5"
    # the instructor's 0 on bob.py's mse is bob's mse, though bob.ipynb's passed (not the best of the two)
    assert totals["bob"] == "6"
    page = (out / "feedback" / f"{CANVAS}.html").read_text()
    assert "lin_grad: FAIL (3 / 3)" in page and "Instructor&#x27;s comment: b.g summed in a later cell" in page
    assert "Score: <b>7 / 7</b>" in page
    result = json.loads((out / "gradescope" / CANVAS / "results.json").read_text())
    test = next(t for t in result["tests"] if t["name"] == "lin_grad")
    assert (test["score"], test["max_score"], result["score"]) == (3, 3, 7)
    assert "Instructor's comment: b.g summed in a later cell: accepted" in test["output"]

    # a row that cannot be read stops the run before grading, naming the line; the file is left as it is
    overrides.write_text("submission,exercise,score,comment\ncarol.ipynb,relu,half,?\n")
    proc = tutor(*args)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "overrides.csv line 2: score 'half' is not a number" in proc.stderr
    assert overrides.read_text() == "submission,exercise,score,comment\ncarol.ipynb,relu,half,?\n"


def test_hand_ins_that_attack_the_grader_itself_are_verdicts_and_the_class_is_graded(tmp_path):
    # JSON nested past Python's recursion limit, a link to a classmate's notebook (or to the solutions the
    # grader can read), a notebook of 20,000 cells, a name not in UTF-8: each is that student's verdict; the
    # others are graded
    subs, out = tmp_path / "subs", tmp_path / "out"
    write_notebook(subs / "good.ipynb", {"relu": CORRECT["relu"]})
    (subs / "nested.ipynb").write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (subs / "linked.ipynb").symlink_to(subs / "good.ipynb")
    many = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"x{i} = {i}") for i in range(20_000)])
    many.cells.append(nbformat.v4.new_code_cell("%%exercise relu\n" + CORRECT["relu"]))
    nbformat.write(many, str(subs / "many.ipynb"))
    # a Moodle zip made on Windows, unpacked on Linux: the name's bytes are not UTF-8 (Windows-1252 ü)
    write_notebook(subs / os.fsdecode(b"M\xfcller_12_assignsubmission_file_02.ipynb"), {"relu": CORRECT["relu"]})
    # text no UTF-8 can hold: a lone surrogate in an exception message and printed (chr), or in the JSON itself
    write_notebook(subs / "surrogate.ipynb", {"relu": CORRECT["relu"].replace(
        "inp.g = ", "print(chr(0xd800))\n        raise ValueError('no ' + chr(0xdfff))\n        inp.g = ")})
    (subs / "escaped.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "%%exercise relu\n" + CORRECT["relu"].replace("(inp > 0)", "(inp > 0) # SURROGATE"))])).replace(
        "SURROGATE", "\\ud800"))
    proc = tutor("grade", str(subs), "--out", str(out), *FAST)
    assert proc.returncode == 0, proc.stderr
    assert ("Müller", "12", "1") in {(r["student"], r["id"], r["total"]) for r in read_csv(out / "scores.csv")}
    book = by_key(read_csv(out / "gradebook.csv"))
    assert {label: book[label, "relu"]["codes"] for label in ("good.ipynb", "many.ipynb", "nested.ipynb",
                                                             "linked.ipynb", "surrogate.ipynb", "escaped.ipynb")} == \
        {"good.ipynb": "", "many.ipynb": "", "nested.ipynb": "malformed", "linked.ipynb": "malformed",
         "surrogate.ipynb": "raises", "escaped.ipynb": "malformed"}
    page = (out / "feedback" / "linked.ipynb.html").read_text()
    assert "a symbolic link, not a file: not read" in page
