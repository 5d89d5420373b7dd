"""Exports from stored verdicts: CSV rows, feedback pages, Gradescope files (no workers needed)."""
from __future__ import annotations

import json
import re

from gradehelp import read_csv

from tutor.grade.exports import Graded, slug, write_all
from tutor.grade.gradebook import Gradebook, Row
from tutor.grade.summary import summary_text


def row(passed, codes=()):
    return Row(passed, list(codes), {}, f"x: {'PASS' if passed else 'FAIL'}", "<div>report</div>")


def test_one_submission_also_writes_top_level_results_json(tmp_path):
    g = Graded("alice.ipynb", {"lin_grad": row(True), "relu": row(False, ["inverted-mask", "mutates-input"])})
    tally, written = write_all(tmp_path, iter([g]), {"lin_grad": 2.0, "relu": 1.0})
    assert tally.passed == 1 and tmp_path / "results.json" in written
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["score"] == 2.0 and [t["status"] for t in res["tests"]] == ["passed", "failed"]
    assert read_csv(tmp_path / "gradebook.csv") == [
        {"submission": "alice.ipynb", "exercise": "lin_grad", "passed": "1", "score": "2", "codes": "", "comment": ""},
        {"submission": "alice.ipynb", "exercise": "relu", "passed": "0", "score": "0",
         "codes": "inverted-mask mutates-input", "comment": ""}]
    assert "Score: <b>2 / 3</b>" in (tmp_path / "feedback" / "alice.ipynb.html").read_text()


def test_labels_that_slug_alike_get_pages_of_their_own(tmp_path):
    graded = [Graded(label, {"mse": row(True)}) for label in ("a/b.ipynb", "a__b.ipynb", "a b.ipynb")]
    write_all(tmp_path, iter(graded), {"mse": 1.0})
    assert slug("a/b.ipynb") == "a__b.ipynb"
    assert len(list((tmp_path / "feedback").iterdir())) == 3
    assert not (tmp_path / "results.json").exists()


def test_gradebook_keeps_verdicts_across_connections_and_configs(tmp_path):
    db = tmp_path / "gradebook.sqlite"
    book = Gradebook(db, "config-a")
    book.put("sha1", "relu", True, ["mutates-input"], {"passed": True}, "relu: PASS", "<p/>", 0.1)
    book.close()
    again = Gradebook(db, "config-a")
    assert again.done() == {("sha1", "relu")}
    assert again.get("sha1", "relu").codes == ["mutates-input"]
    assert Gradebook(db, "config-b").done() == set()  # other limits: graded anew


def test_class_summary_counts_mistakes_and_links_who_made_them(tmp_path):
    graded = [Graded("alice.ipynb", {"lin_grad": row(False, ["not-summed-over-batch"]), "relu": row(True)}),
              Graded("bob/x.ipynb", {"lin_grad": row(False, ["not-summed-over-batch", "mutates-input"]),
                                     "relu": row(True, ["mutates-input"])}),
              Graded("<carol>.ipynb", {"lin_grad": row(True), "relu": row(False, ["timeout", "mutates-input"])})]
    tally, written = write_all(tmp_path, iter(graded), {"lin_grad": 1.0, "relu": 1.0})
    lin, relu = tally.exercises["lin_grad"], tally.exercises["relu"]
    assert (lin.passed, lin.total, relu.passed, relu.total, tally.passed) == (1, 3, 2, 3, 3)
    assert lin.mistakes == {"not-summed-over-batch": 2, "mutates-input": 1} and relu.warnings == {"mutates-input": 1}
    assert summary_text(tally).splitlines()[1:] == [
        "lin_grad       1/3  33%  not-summed-over-batch 2 · mutates-input 1",
        "relu           2/3  67%  timeout 1 · mutates-input 1"]
    page = (tmp_path / "summary.html").read_text()
    assert tmp_path / "summary.html" in written
    assert '<a href="feedback/bob__x.ipynb.html#lin_grad">bob/x.ipynb</a>' in page
    # mutates-input came with bob's relu pass (a warning) and carol's relu failure (a mistake): two rows, each
    # listing only its own
    relu = page[page.index('<section id="relu">'):]
    rows = {r.split("</td>")[1].split(">")[-1]: r for r in re.findall(r"<tr class=.*?</tr>", relu) if "mutates" in r}
    assert "carol" in rows["mistake"] and "bob" not in rows["mistake"]
    assert "bob" in rows["warning"] and "carol" not in rows["warning"]
    assert "&lt;carol&gt;.ipynb" in page and "<carol>" not in page  # labels are escaped
    links = re.findall(r'href="([^"#]+)#', page)
    assert set(links) == {"feedback/alice.ipynb.html", "feedback/bob__x.ipynb.html", "feedback/carol_.ipynb.html"}
    assert all((tmp_path / link).exists() for link in links)


def test_feedback_shows_the_code_numbered_with_the_line_that_raised_marked(tmp_path):
    report = {"diagnoses": [{"code": "raises", "line": "b.g = out.g.sum(1)", "lineno": 4}]}
    failing = Row(False, ["raises"], report, "lin_grad: FAIL [raises]", "<div>report</div>")
    code = "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.T\n    w.g = inp.T @ out.g\n    b.g = out.g.sum(1)\n"
    write_all(tmp_path, iter([Graded("<x>.ipynb", {"lin_grad": failing}, {"lin_grad": code})]), {"lin_grad": 1.0})
    page = (tmp_path / "feedback" / "x_.ipynb.html").read_text()
    assert '<span class="hit"><span class="ln">  4  </span>    b.g = out.g.sum(1)</span>' in page
    assert '<span class="ln">  2  </span>    inp.g = out.g @ w.T\n' in page  # not marked
    assert page.index("Your code") < page.index("<div>report</div>")


def test_a_checker_changed_in_any_file_keys_its_verdicts_apart(tmp_path):
    # The package's version number stays the same from commit to commit (and was looked up under a name it is not
    # installed as): a verdict stored by a checker since fixed was reused when the class was graded again.
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    import tutor

    copy = tmp_path / "tutor"
    shutil.copytree(Path(tutor.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    key = ("from tutor.grade.engine import config_key\nfrom tutor.sandbox.protocol import Limits\n"
           "print(config_key(Limits()))")

    def key_of(package_parent):
        return subprocess.run([sys.executable, "-c", key], capture_output=True, text=True, check=True,
                              cwd=package_parent).stdout.strip()

    assert key_of(tmp_path) == key_of(Path(tutor.__file__).parents[1])  # the same checker: its verdicts are kept
    judge = copy / "judge" / "compare.py"
    judge.write_text(judge.read_text() + "\n# fixed\n")
    assert key_of(tmp_path) != key_of(Path(tutor.__file__).parents[1])
