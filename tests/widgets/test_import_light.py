"""`import tutor`, `tutor list` and `tutor --help` load neither torch nor ipywidgets (the checker loads on first use)."""
from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = "import sys; {code}; print(sorted(m for m in ('torch', 'ipywidgets', 'matplotlib') if m in sys.modules))"


def loaded(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE.format(code=code)], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("code", [
    "import tutor",
    "from tutor.cli import main; main(['list'])",
    "from tutor.cli import build_parser; build_parser().format_help()",
    # what a kernel's `import tutor` does before it spawns the sandbox worker: the worker's torch import must not
    # wait for the kernel's own (Run All's first exercise cell waited 2 s more for it)
    "from tutor.sandbox.handle import worker_env; worker_env()",
])
def test_light(code):
    assert loaded(code) == "[]"


def test_list_prints_every_exercise_with_its_title():
    from tutor import exercises

    out = subprocess.run([sys.executable, "-m", "tutor", "list"], capture_output=True, text=True, check=True).stdout
    rows = {line.split()[0]: line.split(None, 1)[1] for line in out.splitlines()}
    for name in exercises.names():
        assert rows[name] == exercises.get(name).title


def test_lazy_names_still_work():
    import tutor
    import tutor.mnist  # the submodule must not shadow the function

    assert callable(tutor.mnist) and tutor.mnist.__module__ == "tutor.mnist"
    assert tutor.check.__module__ == "tutor.attempt" and tutor.CheckReport.__name__ == "CheckReport"
    assert callable(tutor.progress) and tutor.progress.store
