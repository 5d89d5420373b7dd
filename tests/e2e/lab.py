"""Helpers that drive JupyterLab 4 in Chromium through its real UI (menus, editor, keyboard).

Every wait is on real DOM state (prompts, status bar, outputs), never on a guessed delay.
Pitfalls met on this machine, and handled here:
- JupyterLab restores old tabs and stale widgets: notebooks open with ``?reset`` after every
  session was shut down over REST.
- "Run All" clicked before the kernel is connected is sometimes dropped: wait for the status bar
  to read "| Idle", then confirm that prompts changed, and retry if not.
- Typing code into CodeMirror 6 auto-closes brackets and auto-indents:
  ``keyboard.insert_text`` inserts the text as one input, with neither.
- After a restart the old prompts stay unless cleared: restarts clear outputs, so a later run is
  seen by its prompts changing, and the restart by the first prompt reading ``[1]``.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError, Locator, Page

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

ACTIVE = ".jp-NotebookPanel:not(.lm-mod-hidden)"
KERNEL_STATUS = ".jp-StatusBar-TextItem:has-text(' | ')"
PROMPT_RE = re.compile(r"\[(\*|\d*| )\]")

KERNEL_START_TIMEOUT = 60_000
RUN_TIMEOUT = 180_000  # Run All on a loaded 2-core machine: the first check also starts the sandbox worker

# JS: the prompts of the active notebook's code cells, as text ("[1]:", "[*]:", "[ ]:").
_PROMPTS_JS = """(sel) => [...document.querySelectorAll(sel + ' .jp-CodeCell .jp-InputPrompt')]
                          .map(e => e.textContent.trim())"""


# ----------------------------------------------------------------------------------- notebooks


def open_and_run(page: Page, server, name: str, sources: list[str]) -> None:
    """Write a notebook of these code cells as ``name`` under the server's root, open it, Run All: no tracebacks."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    nbformat.write(nb, server.root / name)
    open_notebook(page, server, name)
    run_all(page)
    assert_no_errors(page)


def open_notebook(page: Page, server, name: str, hide_sidebar: bool = True) -> None:
    """Open ``name`` (relative to the server root) in a fresh workspace; return once the kernel is idle."""
    server.shutdown_sessions()  # or JupyterLab may reattach to an old kernel with old widgets
    page.goto(f"{server.url}/lab/tree/{name}?reset", wait_until="domcontentloaded")
    page.wait_for_selector(f"{ACTIVE} .jp-Cell", timeout=KERNEL_START_TIMEOUT)
    if hide_sidebar:
        hide_left_sidebar(page)
    wait_kernel_idle(page)


def hide_left_sidebar(page: Page) -> None:
    """Collapse the file browser, so the notebook (and its screenshots) get the width."""
    current = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if current.count():
        current.first.click()
    page.wait_for_selector("#jp-left-stack", state="hidden")


def wait_kernel_idle(page: Page, timeout: float = KERNEL_START_TIMEOUT) -> None:
    """The status bar names the kernel and says Idle: connected and not running anything."""
    page.wait_for_selector(f"{KERNEL_STATUS}:has-text('| Idle')", timeout=timeout)


def code_cells(page: Page) -> Locator:
    return page.locator(f"{ACTIVE} .jp-CodeCell")


def code_cell(page: Page, source_contains: str) -> Locator:
    """The one code cell whose editor text contains ``source_contains``, pinned by position
    (so the locator still finds it after its text is replaced)."""
    page.locator(f"{ACTIVE} .jp-CodeCell .jp-InputArea-editor", has_text=source_contains
                 ).first.wait_for(state="attached")
    found = page.evaluate(
        """([sel, text]) => [...document.querySelectorAll(sel + ' .jp-CodeCell')]
               .map((c, i) => [i, c.querySelector('.jp-InputArea-editor')])
               .filter(([i, e]) => e && e.textContent.includes(text)).map(([i]) => i)""",
        [ACTIVE, source_contains])
    assert len(found) == 1, f"{len(found)} code cells contain {source_contains!r}"
    return code_cells(page).nth(found[0])


def prompts(page: Page) -> list[str]:
    return page.evaluate(_PROMPTS_JS, ACTIVE)


def prompt(cell: Locator) -> str:
    return cell.locator(".jp-InputPrompt").first.text_content().strip()


def execution_count(cell: Locator) -> int | None:
    m = re.search(r"\[(\d+)\]", prompt(cell))
    return int(m.group(1)) if m else None


def error_outputs(page: Page) -> list[str]:
    """Texts of every traceback shown in the active notebook."""
    return page.locator(
        f"{ACTIVE} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
    ).all_text_contents()  # not innerText: it is '' for off-screen cells (content-visibility: auto)


def assert_no_errors(page: Page) -> None:
    errs = error_outputs(page)
    assert not errs, "a cell raised:\n" + "\n---\n".join(e[-2000:] for e in errs)


# -------------------------------------------------------------------------------------- running


def _menu(page: Page, menu: str, command: str) -> None:
    """Click a main-menu item by its Lumino command id (e.g. Run > runmenu:run-all)."""
    page.click(f".lm-MenuBar-itemLabel:text-is('{menu}')")
    page.click(f".lm-Menu-item[data-command='{command}']")


def _wait_all_done(page: Page, timeout: float) -> None:
    """No prompt is [*] any more, and the kernel is idle."""
    page.wait_for_function(
        f"(sel) => !({_PROMPTS_JS})(sel).some(t => t.includes('*'))", arg=ACTIVE, timeout=timeout)
    wait_kernel_idle(page, timeout)


def run_all(page: Page, timeout: float = RUN_TIMEOUT) -> None:
    """Run > Run All Cells, retried if the click was dropped; return when every cell has run."""
    wait_kernel_idle(page)
    before = prompts(page)
    for attempt in range(3):
        _menu(page, "Run", "runmenu:run-all")
        try:  # started: some prompt changed (to [*] or a new number)
            page.wait_for_function(
                f"([sel, before]) => {{ const now = ({_PROMPTS_JS})(sel);"
                " return now.some((t, i) => t.includes('*') || t !== before[i]); }",
                arg=[ACTIVE, before], timeout=10_000)
            break
        except Exception:
            if attempt == 2:
                raise AssertionError(f"Run All never started (prompts stayed {before})")
    _wait_all_done(page, timeout)


def set_code(page: Page, cell: Locator, code: str) -> None:
    """Replace the whole text of a code cell's CodeMirror 6 editor with ``code``, and check it."""
    content = cell.locator(".cm-content")
    content.click()
    page.wait_for_function("(el) => el.contains(document.activeElement) || el === document.activeElement",
                           arg=content.element_handle())
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(code)  # one input event: no auto-closed brackets, no auto-indent
    expected = code.rstrip("\n")
    try:
        page.wait_for_function(
            "([el, want]) => [...el.querySelectorAll('.cm-line')].map(l => l.textContent)"
            ".join('\\n').replace(/\\u00a0/g, ' ') === want",
            arg=[content.element_handle(), expected], timeout=5_000)
    except Exception:
        got = editor_text(cell)
        raise AssertionError(f"editor text differs from what was typed:\n--- want\n{expected}\n--- got\n{got}")


def editor_text(cell: Locator) -> str:
    return "\n".join(cell.locator(".cm-content .cm-line").all_text_contents()).replace("\u00a0", " ")


def run_cell(page: Page, cell: Locator, timeout: float = RUN_TIMEOUT) -> int:
    """Run ``cell`` with Shift+Enter from its editor; return its new execution count once done."""
    before = prompt(cell)
    cell.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(
        "([el, before]) => { const t = el.textContent.trim();"
        " return t !== before && /\\[\\d+\\]/.test(t); }",
        arg=[cell.locator(".jp-InputPrompt").first.element_handle(), before], timeout=timeout)
    wait_kernel_idle(page, timeout)
    n = execution_count(cell)
    assert n is not None
    return n


def restart_kernel(page: Page, clear_outputs: bool = True, timeout: float = KERNEL_START_TIMEOUT) -> None:
    """Kernel > Restart Kernel (and Clear Outputs)…, confirm the dialog, wait until it is idle again.

    The status bar is watched from before the click, so the Idle waited for is the one that
    follows the restart, not the one before it.
    """
    wait_kernel_idle(page)
    page.evaluate(
        """() => { const el = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                               .find(e => e.textContent.includes(' | '));
               window.__kernelStates = [el.textContent];
               if (window.__kernelObserver) window.__kernelObserver.disconnect();
               window.__kernelObserver = new MutationObserver(
                   () => window.__kernelStates.push(el.textContent));
               window.__kernelObserver.observe(el, {subtree: true, childList: true, characterData: true}); }""")
    _menu(page, "Kernel", "kernelmenu:restart-and-clear" if clear_outputs else "kernelmenu:restart")
    dialog = page.locator(".jp-Dialog")
    dialog.locator("button.jp-mod-accept").click()
    dialog.wait_for(state="detached")
    page.wait_for_function(
        """() => { const s = window.__kernelStates || [];
               const i = s.findIndex(t => !t.includes('| Idle'));
               return i >= 0 && s.slice(i).some(t => t.includes('| Idle'))
                      && s[s.length - 1].includes('| Idle'); }""", timeout=timeout)
    if clear_outputs:
        page.wait_for_function(
            f"(sel) => ({_PROMPTS_JS})(sel).every(t => !/\\d/.test(t))", arg=ACTIVE, timeout=timeout)


# ---------------------------------------------------------------------------------------- misc


def shown(locator: Locator, timeout: float = 30_000) -> Locator:
    """Wait for ``locator``'s first match, scroll it into view and wait until it is visible.

    JupyterLab 4 does not render cells scrolled out of view (`content-visibility: auto`): there an
    element has no box and its innerText is '', so look at it as a learner would, in view."""
    for attempt in range(5):  # (a display update re-renders a widget: the element matched may be replaced meanwhile)
        locator.first.wait_for(state="attached", timeout=timeout)
        try:
            locator.first.scroll_into_view_if_needed(timeout=timeout)
            break
        except PlaywrightError as e:
            if "not attached" not in str(e) or attempt == 4:
                raise
    locator.first.wait_for(state="visible", timeout=timeout)
    return locator


def wait_text(page: Page, locator: Locator, text: str, timeout: float = 30_000) -> None:
    """Wait until ``locator``'s first match contains ``text`` (its live DOM text)."""
    locator.first.wait_for(state="attached", timeout=timeout)
    try:
        page.wait_for_function("([el, t]) => el.textContent.includes(t)",
                               arg=[locator.first.element_handle(), text], timeout=timeout)
    except Exception as e:
        raise AssertionError(f"{text!r} never appeared in {timeout / 1000:.0f}s; the text is:\n"
                             f"{locator.first.text_content()!r}") from e


def assert_no_console_errors(page: Page) -> None:
    """Nothing went wrong in the page: no uncaught error, no console.error (a widget that fails to
    render logs one; a healthy run here logs none)."""
    errors = getattr(page, "console_errors", [])
    assert not errors, "browser console errors:\n" + "\n".join(e[:500] for e in errors[:10])


def screenshot(page: Page, name: str, locator: Locator | None = None,
               until: Locator | None = None) -> Path:
    """Save a PNG into test-artifacts/ at the repo root: the viewport, or ``locator``'s region.

    JupyterLab scrolls inside its notebook panel, where Playwright's element screenshots of tall
    elements come out garbled: scroll the element to the top of the panel and clip the viewport
    instead, from its top down to its bottom, or to the bottom of ``until`` (inside it).
    """
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if locator is None:
        page.screenshot(path=str(path))
        return path
    locator.first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    box = locator.first.bounding_box()
    bottom = box["y"] + box["height"]
    if until is not None:
        end = until.first.bounding_box()
        bottom = end["y"] + end["height"] + 8
    height = min(bottom, page.viewport_size["height"]) - box["y"]
    assert height > 50, f"nothing of {name} is in view ({box})"
    page.screenshot(path=str(path), clip={"x": box["x"], "y": box["y"], "width": box["width"],
                                          "height": height})
    return path


class Stopwatch:
    """Print how long each step took (shown with pytest -s, or in the report on failure)."""

    def __init__(self) -> None:
        self.t0 = self.last = time.monotonic()

    def __call__(self, what: str) -> None:
        now = time.monotonic()
        print(f"{now - self.t0:7.2f}s (+{now - self.last:5.2f}s)  {what}", flush=True)
        self.last = now


# ------------------------------------------------------------------------------------- contrast

_CONTRAST_JS = """(el) => {
  const rgba = (s) => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const over = (top, below) => top.slice(0, 3).map((c, i) => c * top[3] + below[i] * (1 - top[3])).concat([1]);
  const layers = [];
  for (let e = el; e; e = e.parentElement) {
    const bg = rgba(getComputedStyle(e).backgroundColor);
    if (bg[3] > 0) layers.push(bg);
    if (bg[3] >= 1) break;
  }
  let bg = [255, 255, 255, 1];
  for (const layer of layers.reverse()) bg = over(layer, bg);
  const fg = over(rgba(getComputedStyle(el).color), bg);
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return {ratio: (a + 0.05) / (b + 0.05), fg: fg.map(Math.round), bg: bg.map(Math.round), text: el.textContent.trim().slice(0, 40)};
}"""


def contrast(locator: Locator) -> dict:
    """WCAG contrast of the element's text against the background it is drawn on (ancestors' backgrounds
    composed, as the browser paints them): {ratio, fg, bg, text}."""
    return locator.first.evaluate(_CONTRAST_JS)


def set_theme(page: Page, theme: str) -> None:
    """Settings > Theme > `theme` ("JupyterLab Dark", "JupyterLab Light"), and wait until it is applied."""
    page.locator(".lm-MenuBar-itemLabel:text-is('Settings')").click()
    page.locator(".lm-Menu-item:has-text('Theme')").first.hover()
    page.locator(f".lm-Menu-item[data-command='apputils:change-theme']:has-text('{theme}')").first.click()
    light = "false" if "Dark" in theme else "true"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'", timeout=30_000)
    page.evaluate("() => new Promise(r => setTimeout(r, 500))")  # the theme's CSS variables settle


FOLD = {"width": 1400, "height": 1000}


def assert_above_the_fold(page: Page, cell: Locator, parts: list[Locator]) -> None:
    """With a 1400×1000 window and the cell scrolled to the top of the notebook, every part is fully in view."""
    before = page.viewport_size
    page.set_viewport_size(FOLD)
    try:
        cell.first.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        for part in parts:
            box = part.first.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= FOLD["height"], \
                f"{part} is not above the fold: {box}"
        screenshot(page, "above-the-fold")
    finally:
        page.set_viewport_size(before)
