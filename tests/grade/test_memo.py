"""Identical results are judged and drawn once; anything that differs is judged on its own."""
from __future__ import annotations

import re
from pathlib import Path

from gradehelp import ROOT

from tutor.grade import engine
from tutor.grade.memo import VerdictMemo
from tutor.sandbox.protocol import Limits, Outcome
from tutor.report import CheckReport, GradientSample
from tutor.run import run_submission

RELU = ROOT / "tests" / "learners" / "relu"


def _outcome(source: str) -> Outcome:
    return Outcome("ok", payload=run_submission("relu", source).to_bytes(), wall=0.1)


def test_key_follows_every_input_of_the_verdict():
    lesson = (RELU / "pass_lesson.py").read_text()
    base = _outcome(lesson)
    key = VerdictMemo.key("relu", base, Limits(), "failing")
    assert VerdictMemo.key("relu", _outcome(lesson + "\n# another student\n"), Limits(), "failing") == key
    flipped = bytearray(base.payload)
    flipped[-1] ^= 1
    others = [
        VerdictMemo.key("relu", Outcome("ok", payload=bytes(flipped)), Limits(), "failing"),
        VerdictMemo.key("mse", base, Limits(), "failing"),
        VerdictMemo.key("relu", Outcome("timeout", payload=base.payload), Limits(), "failing"),
        VerdictMemo.key("relu", Outcome("ok", payload=base.payload, output_cut=True), Limits(), "failing"),
        VerdictMemo.key("relu", base, Limits(memory_mb=512), "failing"),
        VerdictMemo.key("relu", base, Limits(), "all"),
    ]
    assert key not in others and len(set(others)) == len(others)


def test_hits_are_copies_without_sample_arrays():
    memo = VerdictMemo(size=2)
    sample = GradientSample("inp.g", "case", reference=[1.0], learner=[1.0])
    memo.put(b"a", CheckReport("relu", passed=True, samples=[sample]), "<figure/>")
    first, figures = memo.get(b"a")
    first.seconds = 9.0
    second, _ = memo.get(b"a")
    assert (figures, first.samples, second.seconds, memo.hits) == ("<figure/>", [], 0.0, 2)
    memo.put(b"b", CheckReport("relu", passed=False), "")
    memo.put(b"c", CheckReport("relu", passed=False), "")
    assert memo.get(b"a") is None and memo.get(b"c") is not None  # the least recently used went first


def _timeless(page: str) -> str:
    """The judged part of a feedback page: without the time it took, the student's name and their own code."""
    page = re.sub(r" · checked in [0-9.]+ s", "", page)
    page = re.sub(r"<title>.*?</title>|<h1>.*?</h1>", "", page)
    return re.sub(r'<details open class="code">.*?</details>', "", page, flags=re.S)


def test_grading_shares_verdicts_only_between_identical_results(tmp_path: Path):
    lesson, wrong = (RELU / "pass_lesson.py").read_text(), (RELU / "fail_inverted-mask.py").read_text()
    subs = tmp_path / "subs"
    subs.mkdir()
    for name, src in {"a.py": lesson, "b.py": lesson + "\n# b wrote this alone\n", "c.py": wrong,
                      "d.py": wrong + "\n# so did d\n"}.items():
        (subs / name).write_text(src)
    engine._MEMO.items.clear()  # nothing remembered from another grading in this process
    hits = engine._MEMO.hits
    summary = engine.grade([str(subs)], tmp_path / "out", engine.Settings(workers=1))
    assert (summary.passed, summary.total, summary.graded_now) == (2, 4, 4)  # four runs, two verdicts judged
    assert engine._MEMO.hits - hits == 2
    pages = {p.name: (tmp_path / "out" / "feedback" / p.name).read_text()
             for p in (tmp_path / "out" / "feedback").glob("*.html")}
    assert _timeless(pages["a.py.html"]).replace("a.py", "X") == _timeless(pages["b.py.html"]).replace("b.py", "X")
    assert "data:image/png" in pages["c.py.html"] and "data:image/png" in pages["d.py.html"]
    assert "data:image/png" not in pages["a.py.html"]
