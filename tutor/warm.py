"""What a learner's kernel prepares while the learner reads, so that the first check is served at once.

`import tutor` in a kernel starts the sandbox worker (its own process: it imports torch and gets ready) and,
in one background thread of the kernel, what the kernel's first check would otherwise pay for: torch's first
backward, matplotlib and the plot module, then the judge's reference, autograd and
wrong-variant runs for the exercises of the notebook being run, in the notebook's order. None of it runs
learner code, none of it patches anything, and a check never waits for it (the judge computes whatever is
not cached yet itself).
"""
from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

_EXERCISE_CELL = re.compile(r"^%%exercise\s+(\w+)|tutor\.exercise\(\s*['\"](\w+)['\"]", re.MULTILINE)


def notebook_path(shell: Any) -> Path | None:
    """The notebook this kernel runs, where the front end says so (JupyterLab/Notebook: JPY_SESSION_NAME,
    VS Code: __vsc_ipynb_file__); None elsewhere."""
    ns = getattr(shell, "user_ns", {}) or {}
    for named in (ns.get("__vsc_ipynb_file__"), ns.get("__session__"), os.environ.get("JPY_SESSION_NAME")):
        if isinstance(named, str) and named.endswith(".ipynb"):
            for path in (Path(named), Path.cwd() / Path(named).name):
                if path.is_file():
                    return path
    return None


def notebook_exercises(path: Path | None) -> list[str]:
    """The exercises a notebook's cells open, in order (unknown names and unreadable notebooks: none)."""
    if path is None:
        return []
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        from .exercises import canonical, names

        found = []
        for cell in cells:
            source = "".join(cell.get("source", "")) if cell.get("cell_type") == "code" else ""
            for match in _EXERCISE_CELL.finditer(source):
                name = canonical(match.group(1) or match.group(2))
                if name in names() and name not in found:
                    found.append(name)
        return found
    except Exception:  # noqa: BLE001 - a guess to warm up by, nothing depends on it
        return []


def warm_judge(exercise: str) -> None:
    """Fill the judge's caches for one exercise: the reference and torch autograd on every case, and each known
    wrong variant (what naming a first mistake needs)."""
    from .cases import autograd_grads, cases_for
    from .exercises import get
    from .judge import reference_run, variant_run

    ex = get(exercise)
    for case in cases_for(ex.unit):
        reference_run(ex.name, case)
        autograd_grads(ex.unit, case)
    for case in cases_for(ex.unit):
        for i in range(len(ex.variants)):
            variant_run(ex.name, i, case)


def warm_kernel(exercises: list[str]) -> None:
    """Everything a kernel's first check would pay for, cheapest first; errors are left to that check."""
    try:
        import torch

        x = torch.zeros(2, requires_grad=True)
        x.sum().backward()  # torch's first backward (with no gradient given: one given imports sympy, ~1 s)
        from .render import plots  # noqa: F401 - matplotlib
        from .widgets import display  # noqa: F401
        for name in exercises:
            warm_judge(name)
    except Exception:  # noqa: BLE001 - an optimisation only
        pass


def start(shell: Any) -> None:
    """Start the kernel's warm-up in a background thread (the worker is started by `sandbox.session.prestart`).
    Not where checks run in-process (Windows): there a check's tripwires patch torch's autograd for a while, and
    this thread's own backward could be taken for the learner's."""
    from .sandbox.session import available

    if not available():
        return
    exercises = notebook_exercises(notebook_path(shell))
    threading.Thread(target=warm_kernel, args=(exercises,), daemon=True, name="tutor-warm-up").start()
