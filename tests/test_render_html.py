"""The static HTML of real reports from `tutor.check` on real code: what a learner or instructor reads."""
from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import pytest

import tutor
import tutor.exercises as E
from tutor.render.html import render_html

LIN = E.get("lin_grad")
RAISES_WITH_SCRIPT = """\
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = 1 / 0  # <script>alert("hi")</script>
    b.g = out.g.sum(0)
"""
MESSAGE_WITH_MARKUP = """\
def lin_grad(inp, out, w, b):
    raise ValueError("<b>bold</b> & <img src=x onerror=alert(1)>")
"""
MUTATES_OUT_G = """\
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
    out.g.zero_()
"""


@pytest.fixture(scope="module")
def right():
    return tutor.check("lin_grad", LIN.reference_source)


@pytest.fixture(scope="module")
def variants():
    return [(v, tutor.check("lin_grad", v.source)) for v in LIN.variants]


class Tags(HTMLParser):
    """Collects start tags (with attributes) and checks that every opened element is closed in order."""

    VOID = {"img", "br", "hr", "meta", "input", "link", "col", "wbr", "source"}

    def __init__(self, text: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.starts: list[tuple[str, dict]] = []
        self.errors: list[str] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.starts.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str, cls: str | None = None) -> list[dict]:
        return [a for t, a in self.starts if t == tag and (cls is None or cls in a.get("class", "").split())]


def test_passing_report_has_green_pass_badge_and_every_check(right):
    page = render_html(right)
    tags = Tags(page)
    assert tags.errors == [] and tags.stack == []
    (root,) = tags.all("div", "tutor-report")
    assert root["data-exercise"] == "lin_grad" and root["data-passed"] == "true"
    (badge,) = tags.all("span", "tutor-badge")
    assert ">PASS</span>" in page and "var(--tutor-pass, #1b5e20)" in badge["style"]
    rows = tags.all("span", "tutor-check")
    assert len(rows) == len(right.checks) == 22
    assert all(r["data-passed"] == "true" for r in rows)
    assert "<details" in page and "22 passing checks" in page  # folded: nothing to fix here
    assert "22 of 22 checks passed" in "".join(tags.text)


def test_plots_are_inline_png_images(right):
    tags = Tags(render_html(right))
    images = tags.all("img")
    assert len(images) == len(right.samples) == 3  # inp.g, w.g, b.g of lin_grad alone
    for img in images:
        assert img["src"].startswith("data:image/png;base64,")
        assert base64.b64decode(img["src"].split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
        assert img["alt"]


def test_without_plots_there_is_no_image(right):
    page = render_html(right, plots=False)
    assert "<img" not in page and "tutor-report" in page


def test_fragment_is_self_contained(right, variants):
    for report in [right] + [r for _, r in variants[:3]]:
        page = render_html(report)
        srcs = re.findall(r'(?:src|href)="([^"]*)"', page)
        assert all(s.startswith("data:image/png;base64,") for s in srcs)
        assert "<link" not in page and "<script" not in page and "url(" not in page
        assert page.count("<style") == 1  # only the theme's colour variables, scoped to .tutor-report
        assert "http://" not in page and "https://" not in page


def test_each_known_mistake_fails_with_its_code(variants):
    for variant, report in variants:
        page = render_html(report)
        tags = Tags(page)
        assert tags.errors == [] and tags.stack == [], variant.code
        assert tags.all("div", "tutor-report")[0]["data-passed"] == "false"
        assert ">FAIL</span>" in page
        codes = [d["data-code"] for d in tags.all("div", "tutor-diagnosis")]
        assert variant.code in codes, (variant.code, codes)
        assert f">{variant.code}</code>" in page
        assert len(tags.all("span", "tutor-check")) == len(report.checks)


@pytest.mark.slow
@pytest.mark.parametrize("exercise", [n for n in E.names() if n != "lin_grad"])
def test_every_exercise_variant_renders_with_its_code_and_plots(exercise):
    for variant in E.get(exercise).variants:
        report = tutor.check(exercise, variant.source)
        page = render_html(report)
        tags = Tags(page)
        assert tags.errors == [] and tags.stack == [], variant.code
        assert tags.all("div", "tutor-report")[0]["data-passed"] == "false" and ">FAIL</span>" in page
        assert variant.code in [d["data-code"] for d in tags.all("div", "tutor-diagnosis")], variant.code
        assert "Plots unavailable" not in page and (not report.samples or len(tags.all("img")) >= 1)


def test_checks_are_grouped_failures_first(variants):
    _, report = next((v, r) for v, r in variants if v.code == "not-summed-over-batch")
    rows = Tags(render_html(report, plots=False)).all("tr", "tutor-check-group")
    kinds = [r["data-kind"] for r in rows]
    assert kinds[0] == "failed" and "passed" in kinds
    order = {"failed": 0, "not checked": 1, "passed": 2}
    assert kinds == sorted(kinds, key=order.get)
    # one row per distinct failure: b.g on the 4 cases of the layer alone; the model's b1.g and b2.g need a
    # right b.g, so they are not checked (one row each)
    grouped = {(r["data-kind"], r["data-tensor"]): int(r["data-count"]) for r in rows if r["data-kind"] != "passed"}
    assert grouped == {("failed", "b.g"): 4, ("not checked", "b1.g"): 2, ("not checked", "b2.g"): 2}
    assert sum(int(r["data-count"]) for r in rows) == len(report.checks)


def test_shape_mismatch_shows_both_shapes(variants):
    _, report = next((v, r) for v, r in variants if v.code == "not-summed-over-batch")
    page = render_html(report)
    assert ">(1, 50)</span> ≠ (50,)</span>" in page
    assert "b.g: shape (64, 1), expected (1,)" in page  # the shape plot's caption


def test_learner_line_is_shown_in_a_code_block_and_escaped():
    report = tutor.check("lin_grad", RAISES_WITH_SCRIPT)
    assert not report.passed and any(d.line for d in report.diagnoses)
    page = render_html(report)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;" in page
    tags = Tags(page)
    assert len(tags.all("pre", "tutor-line")) == 1
    assert 'line 3: w.g = 1 / 0  # <script>alert("hi")</script>' in "".join(tags.text)


def test_learner_message_is_escaped():
    report = tutor.check("lin_grad", MESSAGE_WITH_MARKUP)
    page = render_html(report, plots=False)
    assert "<b>bold</b>" not in page and "<img" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in page


def test_warning_is_styled_apart_from_mistakes():
    report = tutor.check("lin_grad", MUTATES_OUT_G)
    assert report.passed and report.codes == ["mutates-input"]
    page = render_html(report, plots=False)
    (warning,) = Tags(page).all("div", "tutor-diagnosis")
    assert warning["data-severity"] == "warning" and "tutor-warning" in warning["class"]
    assert "--tutor-warn" in warning["style"] and "--tutor-fail" not in warning["style"]
    assert "⚠ Warning</strong>" in page and ">PASS</span>" in page


def test_syntax_error_report_reads_on_its_own():
    report = tutor.check("lin_grad", "def lin_grad(inp, out, w, b)\n    pass\n")
    page = render_html(report)
    tags = Tags(page)
    assert tags.errors == [] and ">FAIL</span>" in page and "<img" not in page
    assert "line 1: def lin_grad(inp, out, w, b)" in "".join(tags.text)
    assert len(tags.all("span", "tutor-check")) == len(report.checks)


def test_a_report_reads_as_text_without_any_renderer_loaded():
    code = ("import sys; from tutor.report import Check, CheckReport; "
            "r = CheckReport('relu', False, [Check('c', False, 'inp.g is wrong', tensor='inp.g')]); "
            "print(str(r).splitlines()[0], [m for m in sys.modules if m.startswith('tutor.render')])")
    out = __import__("subprocess").run([__import__("sys").executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "relu: FAIL [wrong-value] []", out.stderr


def test_relative_error_beside_its_limit_never_a_false_inequality():
    report = tutor.check("lin_grad", LIN.reference_source.replace("out.g @ w.t()", "2 * out.g @ w.t()"))
    page = render_html(report, plots=False)
    assert "(limit 1e-4)" in page and "(limit 1e-9)" in page and " ≤ " not in page
    assert re.search(r">1 \(limit 1e-4\)<", page)


def test_plots_are_2x_images_shown_at_half_size(right):
    from tutor.render.plots import png_size

    for img in Tags(render_html(right)).all("img"):
        width = png_size(base64.b64decode(img["src"].split(",", 1)[1]))[0]
        assert f"width: {width // 2}px" in img["style"] and width >= 1000
