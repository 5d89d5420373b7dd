"""The code area of an exercise widget: a Textarea that types like code, and a Check that sends what it shows.

Keys: Tab indents (Shift+Tab dedents), Enter keeps the indentation (one level more after a `:`), and no keystroke
typed there reaches JupyterLab's command mode. ipywidgets has no code editor in both 7 and 8, and a widget of our
own would need a front-end extension that Colab cannot install. So a hidden <img> in an HTML widget, whose
`onerror` runs when the widget is drawn, attaches these handlers; each edit is sent as an `input` event, which is
how the Textarea tells the kernel.

Check: ipywidgets throttles a model's state updates (while one is unanswered, later ones wait in the page until
the kernel is idle), but a button's click is sent at once, so a click could reach the kernel before the last
keystrokes and check older code. With the handlers attached, a click on Check instead writes the code area's text
into a hidden Text widget of its own, which the kernel checks: the code checked is the code on screen. Where that
HTML is not run (a sanitising front end), the plain textarea and the button's own click remain.
"""
from __future__ import annotations

import json
from typing import Callable

import ipywidgets as W

_JS = (
    "(function attach(img, tries) {"
    " var root = img.closest('.tutor-exercise');"
    " var ta = root ? root.querySelector('.tutor-editor textarea') : null;"
    " if (!ta) { if (tries < 50) setTimeout(function () { attach(img, tries + 1); }, 100); return; }"
    " if (ta.dataset.tutorKeys) return; ta.dataset.tutorKeys = '1';"
    " var put = function (text, from, to, caret) { ta.setRangeText(text, from, to, 'end');"
    "   if (caret !== undefined) ta.selectionStart = ta.selectionEnd = caret;"
    "   ta.dispatchEvent(new Event('input', {bubbles: true})); };"
    " ta.addEventListener('keydown', function (e) {"
    "  e.stopPropagation();"
    "  if (e.ctrlKey || e.altKey || e.metaKey) return;"
    "  var s = ta.selectionStart, v = ta.value, ls = v.lastIndexOf('\\n', s - 1) + 1;"
    "  if (e.key === 'Tab') { e.preventDefault();"
    "   if (e.shiftKey) { var n = v.substr(ls, 4).match(/^ */)[0].length; put('', ls, ls + n, Math.max(ls, s - n)); }"
    "   else put('    ', s, ta.selectionEnd); }"
    "  else if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault();"
    "   var line = v.slice(ls, s), indent = line.match(/^ */)[0];"
    "   put('\\n' + indent + (/:\\s*$/.test(line) ? '    ' : ''), s, ta.selectionEnd); }"
    " });"
    " ['keypress', 'keyup'].forEach(function (k) { ta.addEventListener(k, function (e) { e.stopPropagation(); }); });"
    " root.addEventListener('click', function (e) {"
    "  var b = e.target.closest ? e.target.closest('.tutor-check-button') : null;"
    "  var rq = root.querySelector('.tutor-check-request input');"
    "  if (!b || !rq || b.disabled || !root.contains(ta)) return;"
    "  e.stopPropagation(); e.preventDefault();"
    "  rq.value = JSON.stringify({at: Date.now() + Math.random(), code: ta.value});"
    "  rq.dispatchEvent(new Event('input', {bubbles: true}));"
    " }, true);"
    "})(this, 0)"
)

KEYS_HTML = f'<img src="data:," alt="" style="display:none" onerror="{_JS}">'


class CodeArea:
    """A code area's widgets: the Textarea, the key handlers, and the hidden request a click on Check writes."""

    def __init__(self, code: str, on_edit: Callable[[str], None], on_check: Callable[[str], None]) -> None:
        self.text = W.Textarea(value=code, layout=W.Layout(width="100%", height="16em"))
        self.text.add_class("tutor-editor")
        self.text.observe(lambda change: on_edit(change["new"]), names="value")
        self.keys = W.HTML(KEYS_HTML)
        self.request = W.Text(value="", layout=W.Layout(display="none"))
        self.request.add_class("tutor-check-request")
        self.request.observe(lambda change: self._requested(change["new"], on_check), names="value")
        self.widgets: list[W.Widget] = [self.text, self.keys, self.request]

    def _requested(self, request: str, on_check: Callable[[str], None]) -> None:
        try:
            code = json.loads(request)["code"]
        except (ValueError, TypeError, KeyError):
            return  # not written by the handler above (the field is hidden): nothing asked for a check
        if isinstance(code, str):
            on_check(code)
