"""The lesson notebooks under ipywidgets 7 (what Google Colab ships): every exercise, solved, says `NAME: PASS`.

A second environment is built for the test: a venv that sees this one's packages (torch, tutor, ipykernel)
through a .pth file and holds ipywidgets 7.8.5 itself, which therefore comes first on sys.path (~5 s).
Its kernel runs the notebooks with nbclient, two at a time in one home, each after the notebooks whose passed
code it loads (03 and 04, then 05, then 06 and 07; 01 and 02 meanwhile); ipywidgets 8 runs them in
tests/test_notebooks.py.
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tutor import exercises
from tutor.notebook import parse_magic

REPO = Path(__file__).resolve().parents[2]
IPYWIDGETS_7 = ["ipywidgets==7.8.5", "ipython_genutils==0.2.0"]  # the kernel side needs nothing more
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


@pytest.fixture(scope="module")
def kernel7(tmp_path_factory) -> str:
    """The name of a kernel spec (in a JUPYTER_PATH of its own) whose Python imports ipywidgets 7.8.5."""
    root = tmp_path_factory.mktemp("ipywidgets7")
    env_dir = root / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.check_output([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    ours = sysconfig.get_paths()["purelib"]
    (site / "zz_tutor_env.pth").write_text(f"import site; site.addsitedir({ours!r})\n")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                           *IPYWIDGETS_7], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"could not install {IPYWIDGETS_7} (PyPI unreachable?): {done.stderr[-800:]}")
    version = subprocess.check_output([python, "-c", "import ipywidgets; print(ipywidgets.__version__)"], text=True)
    assert version.strip() == "7.8.5"
    prefix = root / "jupyter"
    subprocess.run([python, "-m", "ipykernel", "install", "--prefix", str(prefix), "--name", "tutor-ipywidgets7"],
                   check=True, capture_output=True)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(prefix / "share" / "jupyter"),
                                                                os.environ.get("JUPYTER_PATH")]))
    return "tutor-ipywidgets7"


def solved(stem: str) -> nbformat.NotebookNode:
    """A lesson notebook whose `%%exercise NAME` cells hold the exercise's reference instead of the stub."""
    nb = nbformat.read(REPO / "notebooks" / f"{stem}.ipynb", as_version=4)
    for cell in nb.cells:
        parsed = parse_magic(cell.source) if cell.cell_type == "code" else None
        if parsed:
            ex = exercises.get(parsed[0])
            cell.source = f"%%exercise {ex.name}\n{ex.reference_source}"
    return nb


# Notebooks that load code passed earlier (05: relu, mse; 06: relu, mse, lin; 07: relu, lin) start after those.
AFTER_EACH_OTHER = [["03_relu_bwd", "04_mse_bwd"], ["05_lin_and_autograd"], ["06_train", "07_cross_entropy"]]
MEANWHILE = ["01_forward", "02_lin_grad"]


def execute_all(kernel: str, env: dict[str, str], workdir: Path) -> dict[str, nbformat.NotebookNode]:
    """Every notebook solved, two kernels at a time, in the order AFTER_EACH_OTHER and MEANWHILE say."""
    gate = asyncio.Semaphore(2)

    async def run(stem: str) -> tuple[str, nbformat.NotebookNode]:
        nb = solved(stem)
        async with gate:
            await NotebookClient(nb, timeout=180, kernel_name=kernel,
                                 resources={"metadata": {"path": str(workdir)}}).async_execute(env=env)
        return stem, nb

    async def in_order(steps: list[list[str]]) -> list[tuple[str, nbformat.NotebookNode]]:
        done = []
        for step in steps:
            done += await asyncio.gather(*map(run, step))
        return done

    async def everything():
        chain, side = await asyncio.gather(in_order(AFTER_EACH_OTHER), in_order([[s] for s in MEANWHILE]))
        return dict(chain + side)

    return asyncio.run(everything())


@pytest.mark.slow
def test_every_exercise_passes_under_ipywidgets_7(kernel7, tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "TUTOR_HOME": str(home), "MPLBACKEND": "Agg", "TUTOR_PLOTS": "1"}
    seen: dict[str, str] = {}
    stems = sorted(p.stem for p in (REPO / "notebooks").glob("*.ipynb"))
    assert sorted(MEANWHILE + [s for step in AFTER_EACH_OTHER for s in step]) == stems
    executed = execute_all(kernel7, env, tmp_path)  # one home: 05, 06, 07 load the code passed before
    for stem in stems:
        nb = executed[stem]
        errors = [f"{stem}: {o.ename}: {o.evalue}" for c in nb.cells for o in c.get("outputs", [])
                  if o.output_type == "error"]
        assert not errors, errors
        widgets = 0
        for cell in nb.cells:
            shown = [o for o in cell.get("outputs", []) if WIDGET_VIEW in o.get("data", {})]
            widgets += len(shown)
            parsed = parse_magic(cell.source) if cell.cell_type == "code" else None
            if parsed:
                assert shown, f"{stem}: no widget below %%exercise {parsed[0]}"
                seen[parsed[0]] = shown[-1]["data"]["text/plain"].splitlines()[0]
        if widgets:  # exercise widgets, the dashboard, 06's progress bar: their state is saved
            state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {})
            assert state.get("version_major") == 2 and state.get("state"), f"{stem}: no widget state saved"
    assert seen == {name: f"{name}: PASS" for name in exercises.names()}
