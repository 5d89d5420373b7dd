"""An exercise statement (Markdown with $…$ maths) as HTML for HTMLMath, with no extra dependency.

Uses the `markdown` package when it is installed; otherwise a small conversion of what statements
use: headings, paragraphs, bullet lists, `code`, **bold** and *emphasis*. Maths is left untouched
(only HTML-escaped) so MathJax typesets it in the browser.
"""
from __future__ import annotations

import html
import re

_MATH = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$)", re.S)
_CODE = re.compile(r"(`[^`\n]+`)")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")


def statement_html(markdown_text: str) -> str:
    """HTML for a Markdown statement; `$…$` and `$$…$$` pass through for MathJax."""
    protected, maths = _protect_maths(markdown_text)
    try:
        import markdown  # optional: richer Markdown when present
    except ImportError:
        body = _convert(protected)
    else:
        body = markdown.markdown(protected)
    for i, math in enumerate(maths):
        body = body.replace(_token(i), html.escape(math, quote=False))
    return body


def inline_html(markdown_text: str) -> str:
    """One line of Markdown (a hint) as inline HTML: `code`, **bold**, *emphasis*, maths untouched."""
    protected, maths = _protect_maths(markdown_text)
    body = _inline(protected)
    for i, math in enumerate(maths):
        body = body.replace(_token(i), html.escape(math, quote=False))
    return body


def _token(i: int) -> str:
    return f"tutormath{i}token"


def _protect_maths(text: str) -> tuple[str, list[str]]:
    """Swap each maths span for a token, so Markdown rules never touch its `*` and `_`."""
    maths: list[str] = []

    def keep(m: re.Match) -> str:
        maths.append(m.group(0))
        return _token(len(maths) - 1)

    return _MATH.sub(keep, text), maths


def _convert(text: str) -> str:
    """The minimal Markdown: blocks split on blank lines, headings, bullet lists, paragraphs."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.splitlines()
        paragraph: list[str] = []
        items: list[str] = []

        def flush() -> None:
            if paragraph:
                out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
                paragraph.clear()
            if items:
                out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
                items.clear()

        for line in lines:
            heading, bullet = _HEADING.match(line), _BULLET.match(line)
            if heading:
                flush()
                level = len(heading.group(1))
                out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
            elif bullet:
                if paragraph:
                    flush()
                items.append(bullet.group(1))
            elif items and line.startswith(" "):
                items[-1] += " " + line.strip()
            else:
                if items:
                    flush()
                paragraph.append(line.strip())
        flush()
    return "\n".join(out)


def _inline(text: str) -> str:
    """`code`, **bold** and *emphasis* inside one block of text (maths already swapped out)."""
    parts = []
    for piece in _CODE.split(text):
        if piece.startswith("`") and piece.endswith("`") and len(piece) > 1:
            parts.append(f"<code>{html.escape(piece[1:-1], quote=False)}</code>")
        else:
            escaped = html.escape(piece, quote=False)
            escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
            parts.append(_EM.sub(r"<em>\1</em>", escaped))
    return "".join(parts)
