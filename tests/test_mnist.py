"""`tutor.mnist()`: real digits, offline, from the right source, with clear errors for bad files."""
import gzip
import pickle

import numpy as np
import pytest
import torch

from tutor import MnistError, mnist
from tutor.mnist import SHIPPED, mnist_source


def test_shipped_slice_is_real_mnist_scaled_like_the_course() -> None:
    x_train, y_train, x_valid, y_valid = mnist()
    assert x_train.shape == (4000, 784) and x_valid.shape == (1000, 784)
    assert x_train.dtype == torch.float32 and y_train.dtype == torch.int64
    assert 0.0 == x_train.min() and x_train.max() == 1.0
    assert set(y_train.tolist()) == set(range(10)) and set(y_valid.tolist()) == set(range(10))
    # MNIST digits: about 19% of pixels are ink, and the border is blank
    ink = (x_train > 0).float().mean().item()
    assert 0.12 < ink < 0.25
    assert x_train.view(-1, 28, 28)[:, 0, :].abs().sum() == 0


def test_source_order_path_env_course_file_then_shipped(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TUTOR_MNIST", raising=False)
    assert mnist_source() == SHIPPED
    x = np.random.default_rng(0).random((20, 784), dtype=np.float32)
    y = np.arange(20) % 10
    (tmp_path / "data").mkdir()
    with gzip.open(tmp_path / "data" / "mnist.pkl.gz", "wb") as fh:
        pickle.dump(((x, y), (x[:5], y[:5]), (x[:5], y[:5])), fh)
    assert mnist_source() == (tmp_path / "data" / "mnist.pkl.gz").resolve()
    x_train, y_train, x_valid, _ = mnist()
    assert x_train.shape == (20, 784) and torch.allclose(x_train, torch.from_numpy(x))
    monkeypatch.setenv("TUTOR_MNIST", str(SHIPPED))
    assert mnist_source() == SHIPPED
    assert mnist_source(tmp_path / "data" / "mnist.pkl.gz") == tmp_path / "data" / "mnist.pkl.gz"


def test_missing_or_corrupt_named_file_is_a_clear_error(tmp_path, monkeypatch) -> None:
    with pytest.raises(MnistError, match="does not exist"):
        mnist(tmp_path / "nope.pkl.gz")
    bad = tmp_path / "bad.pkl.gz"
    bad.write_bytes(b"not a gzip file")
    with pytest.raises(MnistError, match="not a readable MNIST file"):
        mnist(bad)
    monkeypatch.setenv("TUTOR_MNIST", str(tmp_path / "gone.npz"))
    with pytest.raises(MnistError, match="TUTOR_MNIST"):
        mnist()


def test_callers_get_copies() -> None:
    x_train, *_ = mnist()
    x_train.zero_()
    assert mnist()[0].max() == 1.0
