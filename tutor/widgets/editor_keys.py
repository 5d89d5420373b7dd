"""Keys that make the code area behave like code: Tab indents (Shift+Tab dedents), Enter keeps the indentation
(one level more after a `:`), and no keystroke typed there reaches JupyterLab's command mode.

ipywidgets has no code editor in both 7 and 8, and a widget of our own would need a front-end extension that
Colab cannot install. So a hidden <img> in an HTML widget, whose `onerror` runs when the widget is drawn,
attaches these handlers to the code area's <textarea>; each edit is sent as an `input` event, which is how the
Textarea tells the kernel. Where that HTML is not run (a sanitising front end), the plain textarea remains.
"""
from __future__ import annotations

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
    "})(this, 0)"
)

EDITOR_KEYS_HTML = f'<img src="data:," alt="" style="display:none" onerror="{_JS}">'
