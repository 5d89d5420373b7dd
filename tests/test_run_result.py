"""The worker → grader boundary: a run survives bytes unchanged, and nothing but numbers crosses it."""
from pathlib import Path

import numpy as np
import pytest

from tutor.judge import judge
from tutor.run import run_submission
from tutor.run.result import CaseRun, SubmissionRun

LEARNERS = Path(__file__).parent / "learners"
# (run here in-process: the hostile files, made to escape a sandbox child, would start programs and threads here)
FILES = sorted(p for p in LEARNERS.glob("*/*.py") if not p.read_text().startswith("# Hostile"))


@pytest.mark.parametrize("path", FILES[::3], ids=[f"{p.parent.name}/{p.stem}" for p in FILES[::3]])
def test_the_verdict_is_the_same_after_the_trip_through_bytes(path: Path) -> None:
    run = run_submission(path.parent.name, path.read_text())
    again = SubmissionRun.from_bytes(run.to_bytes())
    assert judge(run.exercise, again).to_dict() == judge(run.exercise, run).to_dict()


def test_zero_dim_and_mixed_dtypes_keep_their_shape() -> None:
    run = SubmissionRun("mse", cases=[CaseRun("c", values={"loss": np.array(2.5, np.float32),
                                                           "inp.g": np.arange(6, dtype=np.float64).reshape(3, 2)})])
    back = SubmissionRun.from_bytes(run.to_bytes()).cases[0].values
    assert back["loss"].shape == () and back["loss"].dtype == np.float32 and back["loss"] == 2.5
    assert back["inp.g"].shape == (3, 2) and back["inp.g"][2, 1] == 5.0


def test_empty_bool_int_and_strided_arrays_round_trip() -> None:
    values = {"e": np.zeros((0, 3)), "b": np.array([True, False]), "i": np.array(3, np.int64),
              "v": np.ones((2, 4), np.float32)[:, ::2]}
    back = SubmissionRun.from_bytes(SubmissionRun("x", cases=[CaseRun("c", values=values)]).to_bytes())
    for name, value in values.items():
        got = back.cases[0].values[name]
        assert got.shape == value.shape and got.dtype == value.dtype and np.array_equal(got, value), name


def test_only_numbers_cross_the_boundary() -> None:
    with pytest.raises(TypeError, match="only numeric arrays"):
        SubmissionRun("x", cases=[CaseRun("c", values={"w.g": np.array([object()])})]).to_bytes()
    good = SubmissionRun("x", cases=[CaseRun("c", values={"w.g": np.ones(4)})]).to_bytes()
    for bad in (b"\x80\x04pickle", good[:-8], good.replace(b'"<f8"', b'"|O8"')):
        with pytest.raises(ValueError):
            SubmissionRun.from_bytes(bad)


def test_a_header_with_other_types_than_text_is_refused_not_judged() -> None:
    """A run that rewrites its own result (a number where a message belongs) is unreadable: a verdict, never a
    crash of the checker."""
    import json

    import pytest

    from tutor.run.result import ErrorInfo, SubmissionRun

    run = SubmissionRun("lin_grad", load_error=ErrorInfo("X", "boom"))
    good = run.to_bytes()
    assert SubmissionRun.from_bytes(good).load_error.message == "boom"
    for field, value in (("message", 0), ("lineno", "3"), ("type", None), ("extra", "x")):
        head = json.loads(good[18:])
        head["load_error"][field] = value
        text = json.dumps(head).encode()
        with pytest.raises(ValueError):
            SubmissionRun.from_bytes(good[:10] + len(text).to_bytes(8, "little") + text)


def test_out_of_memory_once_is_out_of_memory_for_every_case_without_filling_the_limit_again() -> None:
    # Each fill of the run's memory limit takes a second or more on a loaded machine: once per case (and once
    # more per argument order the probes try) ran a memory creep into the wall-clock limit, a `timeout`.
    source = ("calls = []\ndef lin_grad(inp, out, w, b):\n    calls.append(1)\n"
              "    if len(calls) > 1:\n        raise AssertionError('called again')\n    raise MemoryError\n")
    run = run_submission("lin_grad", source)
    assert len(run.cases) > 1 and all(c.error is not None and c.error.type == "MemoryError" for c in run.cases)
