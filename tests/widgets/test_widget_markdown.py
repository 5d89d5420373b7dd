"""Statements and hints as HTML without the `markdown` package: maths left for MathJax, the rest converted."""
from __future__ import annotations

import subprocess
import sys

from tutor import exercises
from tutor.widgets.markdown import _convert, inline_html, statement_html


def test_blocks_inline_marks_and_maths():
    md = "### Title `x`\n\nSome **bold** and *em*, `a*b*c` code\nand $a*b*c < d$ inline.\n\n" \
         "- one `x`\n- two\n  continued\n\n$$\\frac{a}{b} & c$$"
    html = statement_html(md)
    assert html.startswith("<h3>Title <code>x</code></h3>")
    assert "<strong>bold</strong>" in html and "<em>em</em>" in html and "<code>a*b*c</code>" in html
    assert "$a*b*c &lt; d$" in html  # maths: escaped for HTML, never touched by emphasis rules
    assert "<ul><li>one <code>x</code></li><li>two continued</li></ul>" in html
    assert "$$\\frac{a}{b} &amp; c$$" in html


def test_learner_text_is_escaped():
    assert "<script>" not in statement_html("<script>alert(1)</script>")
    assert inline_html("use `inp > 0` then <b>") == "use <code>inp &gt; 0</code> then &lt;b&gt;"


def test_every_statement_converts_with_its_maths_intact():
    for name in exercises.names():
        statement = exercises.get(name).statement
        html = _convert(statement)
        assert html.count("$") == statement.count("$"), name
        assert "**" not in html and "`" not in html, name


def test_import_tutor_stays_light_outside_ipython():
    code = "import sys, tutor; print(sorted(m for m in ('ipywidgets', 'IPython', 'matplotlib') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stderr
