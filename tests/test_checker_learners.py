"""Every learner file under tests/learners/ gets the verdict its name promises, on real MNIST cases.

`pass_*.py` must pass; `fail_<code>[_n].py` must fail with `<code>` as the first mistake named;
`warn_<code>.py` must pass with `<code>` as a warning.
"""
from pathlib import Path

import pytest

import tutor
from tutor import exercises

LEARNERS = Path(__file__).parent / "learners"
FILES = sorted(LEARNERS.glob("*/*.py"))


def expectation(path: Path) -> tuple[str, str]:
    """(verdict, code) from a file name like fail_not-summed-over-batch_2.py."""
    verdict, _, rest = path.stem.partition("_")
    code = rest.rsplit("_", 1)[0] if rest[-1:].isdigit() else rest
    return verdict, code


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.name}/{p.stem}" for p in FILES])
def test_learner_file(path: Path) -> None:
    verdict, code = expectation(path)
    report = tutor.check(path.parent.name, path.read_text())
    if verdict == "pass":
        assert report.passed, str(report)
        assert not report.errors, str(report)
    elif verdict == "warn":
        assert report.passed, str(report)
        assert [d.code for d in report.diagnoses if d.severity == "warning"] == [code], str(report)
    else:
        assert not report.passed, str(report)
        assert report.errors and report.errors[0].code == code, str(report)


def test_every_named_diagnosis_has_a_learner_file() -> None:
    codes = {expectation(p)[1] for p in FILES if expectation(p)[0] in ("fail", "warn")}
    named = {v.code for name in exercises.names() for v in exercises.get(name).variants}
    named |= {"raises", "missing-grad", "wrong-attribute", "returns-instead-of-setting", "wrong-shape",
              "batch-scale", "scale", "sign-flipped", "wrong-mask", "uses-globals", "uses-autograd",
              "uses-reference", "mutates-input", "not-finite", "unfinished", "wrong-signature", "wrong-dtype",
              "not-a-tensor", "not-repeatable"}
    assert named - codes == set()


def test_every_correct_variant_of_the_lesson_is_covered() -> None:
    stems = {p.stem for p in FILES if p.stem.startswith("pass_")}
    for needed in ("pass_dot_T", "pass_matmul", "pass_einsum", "pass_broadcast_outer", "pass_loop",
                   "pass_bool_mask", "pass_where", "pass_mask_from_out", "pass_backward_style", "pass_own_module"):
        assert needed in stems


@pytest.mark.parametrize("name", exercises.names())
def test_reference_passes_and_stub_is_unfinished(name: str) -> None:
    ex = exercises.get(name)
    assert tutor.check(name, ex.reference_source).passed
    needs = exercises.get("lin_grad").reference_source + "\n\n" if name == "forward_and_backward" else ""
    stub = tutor.check(name, needs + ex.stub)  # forward_and_backward calls the learner's lin_grad
    assert not stub.passed and stub.codes[0] == "unfinished", str(stub)


@pytest.mark.parametrize("name", exercises.names())
def test_every_variant_is_named_by_its_own_code(name: str) -> None:
    for variant in exercises.get(name).variants:
        report = tutor.check(name, variant.source)
        assert not report.passed and report.errors[0].code == variant.code, (variant.source, str(report))


def test_a_wrong_forward_is_told_to_look_at_the_forward_pass_not_the_chain_rule() -> None:
    report = tutor.check("relu", (LEARNERS / "relu" / "fail_wrong-value.py").read_text())
    said = report.errors[0].message
    assert "forward pass" in said and "chain rule" not in said, said


def test_a_missing_two_over_n_is_said_as_that_not_as_a_batch_size_written_as_the_number_two() -> None:
    report = tutor.check("mse", (LEARNERS / "mse" / "fail_batch-scale_4.py").read_text())
    said = report.errors[0].message
    assert "a factor 2/n is missing" in said and "written as the number" not in said, said


def test_a_first_layer_whose_backward_never_ran_is_said_so_not_set_x_g_by_hand() -> None:
    report = tutor.check("model", (LEARNERS / "model" / "fail_missing-grad.py").read_text())
    said = report.errors[0].message
    assert "first linear layer" in said and "Set x.g" not in said, said
