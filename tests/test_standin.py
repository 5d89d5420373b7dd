"""A notebook global that holds data reads as a stand-in in a check: nothing of the data, and the NameError the
missing global would raise the moment its value counts (tutor/run/standin.py), on real torch tensors."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from tutor.run.standin import MATTERED, DataStandIn

X = torch.randn(4, 3)


def _data() -> DataStandIn:
    MATTERED.clear()
    return DataStandIn("x_train")


@pytest.mark.parametrize("use", [
    lambda s: bool(s.shape[0] > 0), lambda s: range(s.shape[0]), lambda s: len(s), lambda s: float(s.mean()),
    lambda s: np.asarray(s), lambda s: X.add_(s), lambda s: X.__setitem__(0, s), lambda s: torch.add(X, s, out=X),
    lambda s: X[:s.shape[0]], lambda s: torch.tensor(s),
], ids=["if", "range", "len", "float", "numpy", "in-place", "setitem", "out=", "slice", "tensor"])
def test_its_value_counting_is_the_missing_global(use) -> None:
    before = X.clone()
    with pytest.raises(NameError, match="'x_train' is not defined"):
        use(_data())
    assert MATTERED == {"x_train"} and torch.equal(X, before)  # (and no real tensor took anything of it)


@pytest.mark.parametrize("use", [
    lambda s: s.pow(2).mean(), lambda s: X / s.shape[0], lambda s: torch.zeros((s.shape[0], 3)),
    lambda s: torch.cat([X, s]), lambda s: torch.where(s > 0, X, 0.), lambda s: X @ s.T, lambda s: -s,
    lambda s: s.item() + 1,
], ids=["method", "divide", "size-tuple", "cat", "where", "matmul", "neg", "item"])
def test_what_is_made_from_it_is_a_stand_in_too_never_a_tensor(use) -> None:
    assert isinstance(use(_data()), DataStandIn)


def test_printing_it_says_what_it_is() -> None:
    assert "x_train" in f"{_data().shape}" and not MATTERED
