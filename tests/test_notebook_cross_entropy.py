"""Notebook 07 (cross-entropy, then a 784-50-10 classifier), executed headless with nbclient in real kernels.

As shipped (the stub in its exercise cell, nothing passed before) it runs to the end: the exercise reports
`cross_entropy: FAIL [...]` and training is skipped, naming what is missing. Solved, in a home where relu and lin
passed before (as notebooks 03 and 05 leave it), the exercise passes and the classifier trains with the learner's
own Lin, Relu and CrossEntropy to at least 85% on the 1,000 validation digits — with the reference, and with a
learner's variant (softmax by max subtraction, one-hot by indexing) in the exercise cell.
"""
from __future__ import annotations

import asyncio
import copy
import re
from pathlib import Path

import pytest

from tutor import exercises
from tutor.notebook import parse_magic
from tutor.progress import FILENAME, ProgressStore

pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
from test_notebooks import KERNELS_AT_ONCE, cell_with, execute, ran, read, texts, verdicts, widget_models  # noqa: E402

STEM = "07_cross_entropy"
LEARNER = Path(__file__).parent / "learners" / "cross_entropy" / "pass_max_subtraction.py"
FINAL = re.compile(r"^final validation accuracy: (\d+\.\d)%$", re.M)


def with_exercise(body: str):
    """Notebook 07 with `body` in its `%%exercise cross_entropy` cell."""
    nb = copy.deepcopy(read(STEM))
    cells = [c for c in nb.cells if c.cell_type == "code" and parse_magic(c.source)]
    assert [parse_magic(c.source)[0] for c in cells] == ["cross_entropy"]
    cells[0].source = f"%%exercise cross_entropy\n{body}"
    return nb


def passed_before(home: Path, *names: str) -> Path:
    """A $TUTOR_HOME where these exercises passed earlier with the lesson's code, as notebooks 03 and 05 leave it."""
    home.mkdir(parents=True)
    store = ProgressStore(home / FILENAME)
    for name in names:
        assert store.record_attempt(name, True, f"{name}: PASS", exercises.get(name).reference_source)
    store.close()
    return home


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("nb07")
    reference = exercises.get("cross_entropy").reference_source
    jobs = {"shipped": (read(STEM), tmp / "shipped"),
            "solved": (with_exercise(reference), passed_before(tmp / "solved", "relu", "lin")),
            "learner": (with_exercise(LEARNER.read_text()), passed_before(tmp / "learner", "relu", "lin"))}
    (tmp / "shipped").mkdir()

    async def all_runs():
        gate = asyncio.Semaphore(KERNELS_AT_ONCE)
        return await asyncio.gather(*(execute(nb, home, home, gate) for nb, home in jobs.values()))

    return dict(zip(jobs, asyncio.run(all_runs())))


@pytest.mark.slow
def test_shipped_runs_to_the_end_fails_cleanly_and_skips_training(runs):
    run = runs["shipped"]
    nb = ran(run)
    assert all("Traceback" not in t for c in nb.cells for t in texts(c))
    lines = verdicts(nb)["cross_entropy"]
    assert lines and re.fullmatch(r"cross_entropy: FAIL \[[a-z0-9, -]+\]", lines[0]), lines
    said = "".join(texts(cell_with(nb, "history = fit()")))
    assert said.strip() == ("Training skipped: not passing yet: relu (notebook 03), lin (notebook 05), "
                            "cross_entropy (notebook 07)")
    assert widget_models(nb), "no widget state saved"


@pytest.mark.slow
def test_shipped_builds_log_softmax_as_the_course_does(runs):
    nb = ran(runs["shipped"])
    naive = "".join(texts(cell_with(nb, "x - x.exp().sum(-1, keepdim=True).log()")))
    assert "-inf" in naive  # e^100 overflowed float32
    assert "".join(texts(cell_with(nb, "torch.allclose(logsumexp(pred)"))).strip() == "True"
    stable = "".join(texts(cell_with(nb, "x - x.logsumexp(-1, keepdim=True)")))
    assert "inf" not in stable and "-100.0000" in stable
    ours, torchs = re.findall(r"tensor\(([\d.]+)\)", "".join(texts(cell_with(nb, "F.cross_entropy(pred, y_train)"))))
    assert ours == torchs and abs(float(ours) - 2.30) < 0.1


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["solved", "learner"])
def test_solved_trains_the_classifier_past_85_percent_with_a_live_plot(runs, kind):
    run = runs[kind]
    nb = ran(run)
    assert verdicts(nb)["cross_entropy"][0] == "cross_entropy: PASS"
    loader = "".join(texts(cell_with(nb, 'load_passing("relu", "lin", "cross_entropy")')))
    for name, where in (("relu", "03"), ("lin", "05"), ("cross_entropy", "07")):
        assert f"{name}: loaded your passing code from notebook {where}" in loader, loader
    said = "".join(texts(cell_with(nb, "history = fit()")))
    match = FINAL.search(said)
    assert match and float(match[1]) >= 85.0, said
    assert said.rstrip().splitlines()[-1] == match[0]
    models = list(widget_models(nb).values())
    bars = [m["state"] for m in models if m["model_name"] == "IntProgressModel"]
    assert [(b["value"], b["max"]) for b in bars] == [(10, 10)]
    outputs = [m["state"].get("outputs", []) for m in models if m["model_name"] == "OutputModel"]
    assert len([o for out in outputs for o in out if "image/png" in o.get("data", {})]) == 1
    plain = [o for o in cell_with(nb, "history = fit()").outputs if "image/png" in o.get("data", {})]
    assert len(plain) == 1, "the final chart, also as a plain image: an exported notebook shows it"
