"""The lesson notebooks, executed headless with nbclient in real kernels: as shipped and solved.

As shipped (stubs) every notebook runs to the end, each exercise reports `NAME: FAIL [...]` and
nothing raises. Solved (every `%%exercise` body replaced by the exercise's reference) every report
says `NAME: PASS`, the model's gradients agree with autograd and training lifts the accuracy.
In the solved run 03 and 04, then 05, then 06 share one $TUTOR_HOME, as a learner's would: 05 and 06
load the code passed earlier. Then, in a copy of that home, 05 runs with a wrong Lin and 06 after it:
lin passed once, the latest code does not: 06 trains with the code that passed, and says so.
Kernels run two at a time.
"""
from __future__ import annotations

import asyncio
import copy
import importlib.util
import os
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tutor import exercises
from tutor.notebook import parse_magic

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from nbclient import NotebookClient  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
STEMS = ["01_forward", "02_lin_grad", "03_relu_bwd", "04_mse_bwd", "05_lin_and_autograd", "06_train"]
OTHERS = ["07_cross_entropy"]  # executed by tests/test_notebook_cross_entropy.py
EXERCISES = {"02_lin_grad": ["lin_grad", "forward_and_backward"], "03_relu_bwd": ["relu"], "04_mse_bwd": ["mse"],
             "05_lin_and_autograd": ["lin", "model"], "07_cross_entropy": ["cross_entropy"]}
# Solved, these share one $TUTOR_HOME: 03 and 04 (side by side) pass relu and mse, 05 loads them and passes
# lin, 06 loads all three. 01 has no exercise cell: its shipped run is its solved run.
SHARED_HOME_FIRST, SHARED_HOME_THEN = ["03_relu_bwd", "04_mse_bwd"], ["05_lin_and_autograd", "06_train"]
ALONE = {"shipped": STEMS, "solved": ["02_lin_grad"]}
WRONG_LIN = "batch-scale"  # b.g averaged over the batch: only the bias gradients differ from autograd
MODEL_ALONE = "class Model" + exercises.get("model").reference_source.split("class Model", 1)[1]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
KERNELS_AT_ONCE = 2
CELL_TIMEOUT = 120
ACCURACY = re.compile(r"valid accuracy: ([\d.]+)% before training → ([\d.]+)% after (\d+) epochs in ([\d.]+) s")


@dataclass
class Run:
    """One executed notebook: the notebook with its outputs, or the error that stopped it, and its time."""

    nb: nbformat.NotebookNode
    error: str = ""
    seconds: float = 0.0
    home: str = ""


def read(stem: str) -> nbformat.NotebookNode:
    """A notebook from notebooks/."""
    return nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)


def solved(nb: nbformat.NotebookNode, wrong: str = "") -> nbformat.NotebookNode:
    """A copy whose `%%exercise NAME` cells hold the exercise's reference (or its `wrong` variant) for the stub."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        parsed = parse_magic(cell.source) if cell.cell_type == "code" else None
        if parsed:
            ex = exercises.get(parsed[0])
            # an exercise without that mistake: the notebook's own solution (Model alone: its pieces are the kernel's)
            fallback = MODEL_ALONE if ex.name == "model" else ex.reference_source
            body = next((v.source for v in ex.variants if v.code == wrong), fallback) if wrong else ex.reference_source
            cell.source = f"%%exercise {ex.name}\n{body}"
    return nb


async def execute(nb: nbformat.NotebookNode, home: Path, workdir: Path, gate: asyncio.Semaphore) -> Run:
    """Run every cell in a fresh python3 kernel whose $TUTOR_HOME is `home`."""
    env = {**os.environ, "TUTOR_HOME": str(home), "MPLBACKEND": "Agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    async with gate:
        start = time.perf_counter()
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                resources={"metadata": {"path": str(workdir)}})
        try:
            await client.async_execute(env=env)
            error = ""
        except Exception as e:  # kept for the tests to report: one notebook must not hide the others
            error = f"{type(e).__name__}: {e}"
        return Run(nb, error, time.perf_counter() - start, str(home))


async def execute_all(tmp: Path) -> dict[tuple[str, str], Run]:
    """Every notebook as shipped (own home each) and solved (03 and 04, then 05, then 06 in one home)."""
    gate = asyncio.Semaphore(KERNELS_AT_ONCE)

    def start(kind: str, stem: str, home: Path | None = None):
        where = tmp / kind / stem
        where.mkdir(parents=True)
        nb = read(stem) if kind == "shipped" else solved(read(stem), wrong=WRONG_LIN if kind == "wrong" else "")
        return execute(nb, home or where, where, gate)

    async def chain() -> list[Run]:
        home = tmp / "shared-home"
        first = await asyncio.gather(*(start("solved", s, home) for s in SHARED_HOME_FIRST))
        lin = await start("solved", "05_lin_and_autograd", home)
        # In a copy of that home (all passed once), a wrong Lin, then training: beside training in the original.
        shutil.copytree(home, tmp / "wrong-home")

        async def wrong_then_train() -> list[Run]:
            return [await start("wrong", s, tmp / "wrong-home") for s in SHARED_HOME_THEN]

        train, wrong = await asyncio.gather(start("solved", "06_train", home), wrong_then_train())
        return [*first, lin, train, *wrong]

    alone = [(kind, s) for kind, stems in ALONE.items() for s in stems]
    # The chain starts first: it is the longest path, so it must not queue behind the single notebooks.
    chained, *singles = await asyncio.gather(chain(), *(start(kind, s) for kind, s in alone))
    runs = dict(zip(alone, singles))
    keys = [("solved", s) for s in SHARED_HOME_FIRST + SHARED_HOME_THEN] + [("wrong", s) for s in SHARED_HOME_THEN]
    runs.update(zip(keys, chained))
    runs["solved", "01_forward"] = runs["shipped", "01_forward"]
    return runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[tuple[str, str], Run]:
    tmp = tmp_path_factory.mktemp("notebooks")
    start = time.perf_counter()
    result = asyncio.run(execute_all(tmp))
    total = time.perf_counter() - start
    print(f"\nexecuted {len(result)} notebooks in {total:.1f} s: "
          + ", ".join(f"{kind[:4]} {stem[:2]} {r.seconds:.1f}s" for (kind, stem), r in sorted(result.items())))
    return result


# ----------------------------------------------------------------------------------- reading outputs


def texts(cell) -> list[str]:
    """Every text the cell shows: streams and the text/plain of displays and results."""
    out = []
    for o in cell.get("outputs", []):
        if o.output_type == "stream":
            out.append(o.text)
        elif "text/plain" in o.get("data", {}):
            out.append(o.data["text/plain"])
    return out


def errors(nb) -> list[str]:
    """Error outputs (tracebacks) anywhere in the notebook, as `cell i: Ename: value`."""
    return [f"cell {i}: {o.ename}: {o.evalue}" for i, c in enumerate(nb.cells)
            for o in c.get("outputs", []) if o.output_type == "error"]


def verdicts(nb) -> dict[str, list[str]]:
    """For each `%%exercise NAME` cell, the first line of each of its text/plain displays."""
    found = {}
    for cell in nb.cells:
        parsed = parse_magic(cell.source) if cell.cell_type == "code" else None
        if parsed:
            found[parsed[0]] = [o.data["text/plain"].splitlines()[0] for o in cell.outputs
                                if "text/plain" in o.get("data", {})]
    return found


def cell_with(nb, snippet: str):
    """The one code cell whose source contains `snippet`."""
    cells = [c for c in nb.cells if c.cell_type == "code" and snippet in c.source]
    assert len(cells) == 1, f"{len(cells)} code cells contain {snippet!r}"
    return cells[0]


def widget_models(nb) -> dict[str, dict]:
    """The widget state saved in the executed notebook's metadata: model id → {model_name, state}."""
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def ran(run: Run) -> nbformat.NotebookNode:
    """The executed notebook, failing with the reason when it did not run to the end."""
    assert not run.error, f"the notebook stopped: {run.error[:2000]}"
    assert not errors(run.nb), f"error outputs: {errors(run.nb)}"
    # The magic says its own problems (and a cell's syntax error) on stderr instead of raising.
    stderr = [o.text for c in run.nb.cells for o in c.get("outputs", []) if o.get("name") == "stderr"]
    assert not stderr, f"stderr output: {stderr}"
    return run.nb


# ------------------------------------------------------------------------------------------ the files


def build_script():
    spec = importlib.util.spec_from_file_location("build_notebooks", REPO / "scripts" / "build_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_notebooks_on_disk_are_what_the_build_script_generates():
    assert build_script().main(["--check"]) == 0, "run python scripts/build_notebooks.py and commit"
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == STEMS + OTHERS


def test_exercise_cells_hold_the_stubs_in_lesson_order():
    found = []
    for stem in STEMS + OTHERS:
        cells = [parse_magic(c.source) for c in read(stem).cells if c.cell_type == "code"]
        names = [p[0] for p in cells if p]
        assert names == EXERCISES.get(stem, []), stem
        for name, body in filter(None, cells):
            assert body.strip() == exercises.get(name).stub.strip() and "TODO" in body
        found += names
    assert found == exercises.names()


def test_lin_grad_notebook_starts_with_import_tutor_and_ends_with_progress():
    cells = read("02_lin_grad").cells
    assert cells[0].cell_type == "code" and cells[0].source.startswith("import tutor")
    progress = [i for i, c in enumerate(cells) if c.cell_type == "code" and "tutor.progress()" in c.source]
    assert progress and progress[-1] >= len(cells) - 2
    assert sum("%%exercise lin_grad" in c.source for c in cells) == 1


# ------------------------------------------------------------------------------------- as shipped


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_shipped_notebook_runs_to_the_end_and_fails_cleanly(runs, stem):
    run = runs["shipped", stem]
    nb = ran(run)
    assert all("Traceback" not in t for c in nb.cells for t in texts(c))
    got = verdicts(nb)
    assert sorted(got) == sorted(EXERCISES.get(stem, []))
    for name, lines in got.items():
        assert lines and re.fullmatch(rf"{name}: FAIL \[[a-z0-9, -]+\]", lines[0]), lines
    if stem != "01_forward":  # the others show exercise widgets or the progress dashboard
        assert widget_models(nb), "no widget state saved"


@pytest.mark.slow
def test_shipped_autograd_comparison_says_what_is_missing(runs):
    nb = ran(runs["shipped", "05_lin_and_autograd"])
    loader = "\n".join(texts(cell_with(nb, 'load_passing("relu", "mse")')))
    assert "relu: not tried yet (notebook 03)" in loader and "mse: not tried yet (notebook 04)" in loader
    said = "".join(texts(cell_with(nb, "compare_with_autograd()")))
    assert said.strip() == ("The model needs Relu (notebook 03), Mse (notebook 04): "
                            "pass them first, then run the cells above again.")


@pytest.mark.slow
def test_shipped_training_is_skipped_with_the_missing_pieces_named(runs):
    nb = ran(runs["shipped", "06_train"])
    said = "".join(texts(cell_with(nb, "history = train()")))
    assert said.strip() == "Training skipped: not passing yet: relu (notebook 03), mse (notebook 04), lin (notebook 05)"


# ------------------------------------------------------------------------------------------ solved


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_solved_notebook_passes_every_exercise(runs, stem):
    run = runs["solved", stem]
    nb = ran(run)
    got = verdicts(nb)
    assert sorted(got) == sorted(EXERCISES.get(stem, []))
    for name, lines in got.items():
        assert lines and lines[0] == f"{name}: PASS", lines
    if got or stem == "06_train":
        assert widget_models(nb), "no widget state saved"


@pytest.mark.slow
def test_solved_lin_grad_agrees_with_the_nudge_experiment(runs):
    nb = ran(runs["solved", "02_lin_grad"])
    number = r"-?\d+\.\d+(?:e-?\d+)?"
    nudged = float(re.search(f"loss by ({number}) per unit", "".join(texts(cell_with(nb, "+= eps"))))[1])
    mine = float(re.search(f"your w.g\\[1, 2\\] = ({number})", "".join(texts(cell_with(nb, "your w.g[1, 2]"))))[1])
    assert mine == pytest.approx(nudged, rel=1e-4)


@pytest.mark.slow
def test_solved_model_gradients_agree_with_autograd(runs):
    nb = ran(runs["solved", "05_lin_and_autograd"])
    loader = "".join(texts(cell_with(nb, 'load_passing("relu", "mse")')))
    assert "relu: loaded your passing code from notebook 03" in loader
    lines = "".join(texts(cell_with(nb, "compare_with_autograd()"))).strip().splitlines()
    assert [ln.split(":")[0] for ln in lines[:5]] == ["✓ x.g", "✓ w1.g", "✓ b1.g", "✓ w2.g", "✓ b2.g"]
    assert lines[-1] == "All five gradients agree with autograd: your backward pass is right."


@pytest.mark.slow
def test_solved_training_lifts_accuracy_with_a_live_plot_and_progress_bar(runs):
    nb = ran(runs["solved", "06_train"])
    said = "".join(texts(cell_with(nb, "history = train()")))
    match = ACCURACY.search(said)
    assert match, said
    before, after, epochs, seconds = float(match[1]), float(match[2]), int(match[3]), float(match[4])
    assert before < 20 and after > 25 and after > before + 10, said
    assert epochs == 10 and seconds > 0, said  # (how fast: bench/, not a timed test)
    models = list(widget_models(nb).values())
    bars = [m["state"] for m in models if m["model_name"] == "IntProgressModel"]
    assert [(b["value"], b["max"]) for b in bars] == [(epochs, epochs)]
    outputs = [m["state"].get("outputs", []) for m in models if m["model_name"] == "OutputModel"]
    pngs = [o for out in outputs for o in out if "image/png" in o.get("data", {})]
    assert len(pngs) == 1, "the live plot should hold exactly the latest figure"
    plain = [o for o in cell_with(nb, "history = train()").outputs if "image/png" in o.get("data", {})]
    assert len(plain) == 1, "the final chart, also as a plain image: an exported notebook shows it"
    assert bars[0]["style"]


@pytest.mark.slow
def test_autograd_comparison_names_the_gradients_that_differ(runs):
    nb = ran(runs["wrong", "05_lin_and_autograd"])
    assert verdicts(nb)["lin"][0] == f"lin: FAIL [{WRONG_LIN}]"
    lines = "".join(texts(cell_with(nb, "compare_with_autograd()"))).strip().splitlines()
    assert [ln.split(":")[0] for ln in lines[:5]] == ["✓ x.g", "✓ w1.g", "✗ b1.g", "✓ w2.g", "✗ b2.g"]
    assert lines[-1] == "Some gradients differ from autograd (✗ above): see the report of the `%%exercise lin` cell " \
        "above.", lines[-1]


@pytest.mark.slow
def test_training_uses_the_code_that_passed_and_says_a_later_check_failed(runs):
    nb = ran(runs["wrong", "06_train"])
    loader = "".join(texts(cell_with(nb, 'load_passing("relu", "mse", "lin")')))
    assert (f"lin: loaded your passing code from notebook 05 (a later check failed: lin: FAIL [{WRONG_LIN}]; "
            "using the code that passed)") in loader
    assert "relu: loaded your passing code from notebook 03\n" in loader
    assert ACCURACY.search("".join(texts(cell_with(nb, "history = train()"))))
