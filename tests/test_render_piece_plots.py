"""Each exercise's own plot, from real reports of real learner files (tests/learners/, real MNIST, real torch):
relu's inp.g ÷ out.g against inp is a step, mse's inp.g against the residual a line of slope 2/n, cross-entropy's
rows of digit classes carry their label, lin_grad and lin show w.g as 28×28 tiles, the whole model w1.g; 2× PNGs
with no text below 9.5 pt (12.7 CSS px as shown); no blank |yours − ref| panel."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

import tutor
from tutor.cases import case_by_name, unit_inputs
from tutor.render.focus import plotted
from tutor.render.html import PLOT_DPI
from tutor.render.plots import AGREE, WIDTH, figures, png_images, png_size

LEARNERS = Path(__file__).parent / "learners"
PASS_PLOT = {
    "relu/pass_lesson": "inp.g: ÷ out.g against inp",
    "mse/pass_lesson": "inp.g: against the residual",
    "cross_entropy/pass_lesson": "inp.g: per digit class",
    "lin_grad/pass_lesson": "w.g: units as 28×28 images",
    "lin/pass_lesson": "w.g: units as 28×28 images",
    "model/pass_lesson": "w1.g: units as 28×28 images",
    "forward_and_backward/pass_lesson": "w1.g: units as 28×28 images",
}
FAILING = ["relu/fail_activation-not-mask", "mse/fail_scale", "cross_entropy/fail_missing-one-hot",
           "lin_grad/fail_not-summed-over-batch"]


def check(path: str):
    exercise = path.split("/")[0]
    return tutor.check(exercise, (LEARNERS / f"{path}.py").read_text())


@pytest.fixture(scope="module")
def reports():
    return {path: check(path) for path in [*PASS_PLOT, *FAILING]}


def shown(report) -> tuple[str, Figure]:
    """The one figure a report's display draws first."""
    return figures(plotted(report))[0]


def line(fig: Figure, gid: str) -> tuple[np.ndarray, np.ndarray]:
    """The data of the lines with this gid (drawn once, or alike on each axes)."""
    found = [(np.asarray(ln.get_xdata(), dtype=float), np.asarray(ln.get_ydata(), dtype=float))
             for ax in fig.axes for ln in ax.lines if ln.get_gid() == gid]
    assert found and all(np.array_equal(x, found[0][0]) and np.array_equal(y, found[0][1]) for x, y in found)
    return found[0]


def image(fig: Figure, gid: str) -> np.ndarray:
    (found,) = [im for ax in fig.axes for im in ax.images if im.get_gid() == gid]
    return np.asarray(found.get_array())


@pytest.mark.parametrize("path", list(PASS_PLOT))
def test_a_pass_draws_the_plot_of_its_exercise_as_a_2x_png(reports, path):
    report = reports[path]
    assert report.passed, report.summary_line()
    (title, _png), = png_images(plotted(report), dpi=PLOT_DPI)
    assert title == PASS_PLOT[path]
    width, height = png_size(_png)
    assert abs(width - WIDTH * PLOT_DPI) <= 1 and PLOT_DPI == 192 and height > 300  # 2×: shown at half size


def test_relu_pass_is_a_step(reports):
    _, fig = shown(reports["relu/pass_lesson"])
    x, ref = line(fig, "reference")
    _, yours = line(fig, "yours")
    assert x.size > 1000 and (x < 0).any() and (x > 0).any()
    assert np.array_equal(ref[x > 0], np.ones((x > 0).sum())) and np.array_equal(ref[x < 0], np.zeros((x < 0).sum()))
    assert np.allclose(yours, ref)
    sample = plotted(reports["relu/pass_lesson"]).samples[0]
    case = case_by_name(sample.case)
    assert np.array_equal(sample.inputs["inp"], unit_inputs("relu", case)["inp"].numpy()[:256])  # what relu got


def test_relu_mistake_is_not_a_step(reports):
    report = reports["relu/fail_activation-not-mask"]
    title, fig = shown(report)
    assert title == "inp.g: ÷ out.g against inp"
    x, ref = line(fig, "reference")
    _, yours = line(fig, "yours")
    assert set(np.unique(ref[x != 0])) == {0.0, 1.0}
    assert not np.allclose(yours, ref) and np.allclose(yours[x > 0], x[x > 0])  # out * out.g: a ramp, not a step


def test_mse_pass_is_a_line_through_zero_of_slope_two_over_n(reports):
    report = reports["mse/pass_lesson"]
    _, fig = shown(report)
    residual, ref = line(fig, "reference")
    _, yours = line(fig, "yours")
    n = case_by_name(plotted(report).samples[0].case).n
    assert residual.size == 256 and np.ptp(residual) > 1  # one dot per example (the first 256)
    assert np.allclose(ref, 2 / n * residual, rtol=1e-4, atol=1e-9) and np.allclose(yours, ref, rtol=1e-4)


def test_mse_missing_factor_two_shows_half_the_slope(reports):
    _, fig = shown(reports["mse/fail_scale"])
    residual, ref = line(fig, "reference")
    _, yours = line(fig, "yours")
    assert np.allclose(yours, ref / 2, rtol=1e-6, atol=1e-12) and not np.allclose(yours, ref)


def test_cross_entropy_rows_carry_their_label(reports):
    report = reports["cross_entropy/pass_lesson"]
    _, fig = shown(report)
    ref, yours = image(fig, "reference"), image(fig, "yours")
    rings, rows = (line(fig, "labels")[i] for i in (0, 1))
    assert ref.shape == (8, 10) and np.allclose(yours, ref, atol=1e-7)
    assert np.array_equal(rows, np.arange(8))
    assert np.array_equal(ref.argmin(1), rings.astype(int))  # the label is the one pushed up (negative)
    assert np.allclose(ref.sum(1), 0, atol=1e-6)
    sample = plotted(report).samples[0]
    assert sample.inputs["targ"].dtype.kind == "i" and sample.inputs["targ"].shape == (256,)


def test_cross_entropy_missing_one_hot_shows_no_negative_label(reports):
    _, fig = shown(reports["cross_entropy/fail_missing-one-hot"])
    yours, ref = image(fig, "yours"), image(fig, "reference")
    rings = line(fig, "labels")[0].astype(int)
    at_label = yours[np.arange(len(rings)), rings]
    assert (at_label >= 0).all() and (ref[np.arange(len(rings)), rings] < 0).all()


def test_the_tiles_of_a_linear_pass_are_the_units_of_w_g(reports):
    sample = plotted(reports["lin/pass_lesson"]).samples[0]
    assert sample.tensor == "w.g" and sample.reference.shape == (784, 50) and sample.image_shape == (28, 28)


def test_an_agreeing_gradient_has_no_blank_difference_panel(reports):
    report = reports["lin_grad/fail_not-summed-over-batch"]
    figs = {title.split(":")[0]: fig for title, fig in figures(report)}
    right = next(s for s in report.samples if s.tensor == "inp.g")
    assert np.allclose(right.learner, right.reference)  # inp.g is right: drawn as two heatmaps and a note
    words = [t.get_text() for t in figs["inp.g"].findobj(Text)]
    assert AGREE in words and not any("|yours − ref|" in w for w in words)
    for path in PASS_PLOT:  # and no pass draws one
        words = [t.get_text() for t in shown(reports[path])[1].findobj(Text)]
        assert not any("|yours − ref|" in w for w in words), path


@pytest.mark.parametrize("path", [*PASS_PLOT, *FAILING])
def test_no_text_is_too_small_to_read(reports, path):
    for _title, fig in figures(plotted(reports[path])):
        sizes = {t.get_text(): t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()}
        small = {k: v for k, v in sizes.items() if v < 9.5}
        assert not small, (path, small)


def test_inputs_are_the_reports_own_copies(reports):
    report = check("relu/pass_lesson")
    sample = plotted(report).samples[0]
    assert all(isinstance(a, np.ndarray) and a.base is None for a in sample.inputs.values())
    for a in sample.inputs.values():
        a *= 0
    again = plotted(check("relu/pass_lesson")).samples[0]
    assert again.inputs["up"].any() and again.inputs["inp"].any()


def test_a_wrong_piece_of_the_model_gets_that_pieces_plot():
    source = (LEARNERS / "model/pass_lesson.py").read_text()
    wrong = source.replace("self.inp.g = (self.inp>0).float() * self.out.g", "self.inp.g = self.out * self.out.g")
    assert wrong != source
    report = tutor.check("model", wrong)
    assert not report.passed and "activation-not-mask" in report.codes
    title, fig = shown(report)
    assert title == "Relu: inp.g: ÷ out.g against inp"
    x, ref = line(fig, "reference")
    _, yours = line(fig, "yours")
    assert set(np.unique(ref[x != 0])) == {0.0, 1.0} and np.allclose(yours[x > 0], x[x > 0])
