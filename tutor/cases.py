"""The cases every submission runs on: real MNIST slices, two hidden widths, float32 and float64."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import torch

from .mnist import mnist


@dataclass(frozen=True)
class Case:
    """One way of calling the learner's code: a piece alone (`unit`) or inside the 784-50-1 model."""

    kind: str  # "unit" | "model"
    n: int  # batch size
    dtype: torch.dtype
    hidden: int
    layer: int  # unit cases of a linear layer: 1 = 784→hidden, 2 = hidden→1
    seed: int
    classes: int = 1  # 10: the cross-entropy cases (784-hidden-10 model, integer labels)
    large: bool = False  # logits spread over ±100, where a naive exp overflows float32
    whole: bool = False  # a case of the whole-model exercises: the model, and (kind "unit") each piece alone too

    @cached_property  # (asked hundreds of times per check)
    def name(self) -> str:
        """A short label: `unit · batch 1000 · float32 · 784→50`."""
        dt = str(self.dtype).replace("torch.", "")
        if self.classes > 1:
            if self.kind == "model":
                return f"model 784-{self.hidden}-{self.classes} · batch {self.n} · {dt}"
            return f"alone · batch {self.n} · {dt} · {self.classes} classes" + (" · logits ±100" if self.large else "")
        if self.whole and self.kind == "unit":
            layer = " · layer 2" if self.layer == 2 else ""
            return f"pieces alone · batch {self.n} · {dt} · width {self.hidden}{layer}"
        if self.kind == "model":
            return f"model 784-{self.hidden}-1 · batch {self.n} · {dt}"
        return f"alone · batch {self.n} · {dt} · width {self.hidden}" + (" · layer 2" if self.layer == 2 else "")


# The piece alone runs up to batch 256: the model's batch-1000 case runs every piece at that size (a piece alone at
# 1000 as well doubled a linear layer's run for no mistake the model case misses).
CASES: tuple[Case, ...] = (
    Case("unit", 1, torch.float32, 50, 1, seed=1),
    Case("unit", 64, torch.float64, 17, 2, seed=2),
    Case("unit", 128, torch.float32, 50, 1, seed=3),
    Case("unit", 256, torch.float64, 30, 2, seed=4),
    Case("model", 1000, torch.float32, 50, 1, seed=5),
    Case("model", 1, torch.float64, 50, 1, seed=6),
)

# The cross-entropy loss on 10 logits per digit and integer labels, alone and at the end of a 784-50-10 model.
CROSS_ENTROPY_CASES: tuple[Case, ...] = (
    Case("unit", 1, torch.float32, 50, 1, seed=11, classes=10),
    Case("unit", 64, torch.float64, 50, 1, seed=12, classes=10),
    Case("unit", 1000, torch.float32, 50, 1, seed=13, classes=10),
    Case("unit", 64, torch.float32, 50, 1, seed=14, classes=10, large=True),
    Case("model", 1000, torch.float32, 50, 1, seed=15, classes=10),
    Case("model", 64, torch.float64, 50, 1, seed=16, classes=10),
)


# The whole-model exercises (`forward_and_backward`, `Model`): first the learner's pieces (lin_grad, Lin, Relu,
# Mse, ...) alone, on the pieces' own small cases (they name the piece that is wrong; batch 1000 is the model's
# case, which runs every piece at that size); then the model on five batch sizes, three widths, both dtypes.
WHOLE_CASES: tuple[Case, ...] = (
    *(Case("unit", c.n, c.dtype, c.hidden, c.layer, c.seed, whole=True) for c in CASES[:4]),
    Case("model", 1, torch.float32, 50, 1, seed=31, whole=True),
    Case("model", 64, torch.float64, 17, 1, seed=32, whole=True),
    Case("model", 100, torch.float64, 30, 1, seed=34, whole=True),
    CASES[4],
    CASES[5],
)


def cases_for(unit: str) -> tuple[Case, ...]:
    """The cases a piece runs on: the cross-entropy loss has its own (10 classes, integer labels)."""
    if unit == "model":
        return WHOLE_CASES
    return CROSS_ENTROPY_CASES if unit == "cross_entropy" else CASES


# Relative error allowed, normwise: max|got - expected| <= tol * max(max|expected|, 1).
TOLERANCE = {torch.float32: 1e-4, torch.float64: 1e-9}


def case_by_name(name: str) -> Case:
    """The case with this label (KeyError names the label when there is none)."""
    for c in CASES + CROSS_ENTROPY_CASES + WHOLE_CASES:
        if c.name == name:
            return c
    raise KeyError(f"no case named {name!r}")


@lru_cache(maxsize=None)
def case_data(case: Case) -> dict[str, torch.Tensor]:
    """The tensors of a case, built once: MNIST rows, weights, upstream gradients (never hand these out: clone)."""
    x_train, y_train, _, _ = mnist()
    g = torch.Generator().manual_seed(case.seed)
    start = (case.seed * 397) % (len(x_train) - case.n)
    x = x_train[start:start + case.n].to(case.dtype, copy=True)  # (a view would keep all of MNIST alive per case)
    y = y_train[start:start + case.n].to(case.dtype)
    h = case.hidden
    rand = lambda *shape: torch.randn(*shape, generator=g, dtype=torch.float64).to(case.dtype)  # noqa: E731
    if case.classes > 1:
        return _classifier_data(case, x, y_train[start:start + case.n].clone(), rand, g)
    w1, b1 = rand(784, h) / 784 ** 0.5, rand(h) * 0.1
    w2, b2 = rand(h, 1) / h ** 0.5, rand(1) * 0.1
    pre = x @ w1 + b1
    pre_zeros = pre.clone()
    pre_zeros.view(-1)[::7] = 0.0  # exact zeros: ReLU's subgradient at 0 may be either 0 or 1
    pred = pre.clamp_min(0.) @ w2 + b2
    return {"x": x, "y": y, "w1": w1, "b1": b1, "w2": w2, "b2": b2, "pre": pre_zeros, "pred": pred,
            "up1": rand(case.n, h), "up2": rand(case.n, 1)}


def _classifier_data(case: Case, x: torch.Tensor, labels: torch.Tensor, rand, g: torch.Generator) -> dict:
    """A 784-hidden-10 model's tensors with integer labels; its logits (spread to about ±4, or uniform over ±100
    for a `large` case) are what the loss gets alone."""
    h, c = case.hidden, case.classes
    w1, b1 = rand(784, h) * (2 / 784) ** 0.5, rand(h) * 0.1
    w2, b2 = rand(h, c) / h ** 0.5, rand(c) * 0.1
    logits = (x @ w1 + b1).clamp_min(0.) @ w2 + b2
    logits = logits / logits.std() * 2
    if case.large:
        logits = (torch.rand(case.n, c, generator=g, dtype=torch.float64) * 200 - 100).to(case.dtype)
    return {"x": x, "y": labels, "w1": w1, "b1": b1, "w2": w2, "b2": b2, "logits": logits}


def unit_inputs(unit: str, case: Case, copy: bool = True) -> dict[str, torch.Tensor]:
    """What a piece gets alone (fresh copies unless copy=False): linear → inp, w, b, up; relu → inp, up; mse → inp, targ."""
    d = case_data(case)
    if unit == "linear":
        if case.layer == 1:
            t = {"inp": d["x"], "w": d["w1"], "b": d["b1"], "up": d["up1"]}
        else:
            t = {"inp": d["pre"].clamp_min(0.), "w": d["w2"], "b": d["b2"], "up": d["up2"]}
    elif unit == "relu":
        t = {"inp": d["pre"], "up": d["up1"]}
    elif unit == "mse":
        t = {"inp": d["pred"], "targ": d["y"]}
    elif unit == "cross_entropy":
        t = {"inp": d["logits"], "targ": d["y"]}
    else:
        raise ValueError(f"unknown unit {unit!r}")
    return {k: v.clone() for k, v in t.items()} if copy else t


def model_inputs(case: Case, copy: bool = True) -> dict[str, torch.Tensor]:
    """The model's data and parameters (fresh copies unless copy=False): x, y, w1, b1, w2, b2."""
    d = case_data(case)
    return {k: d[k].clone() if copy else d[k] for k in ("x", "y", "w1", "b1", "w2", "b2")}


@lru_cache(maxsize=None)
def autograd_grads(unit: str, case: Case) -> dict[str, torch.Tensor]:
    """Ground truth from torch autograd for a unit or the whole model (names as the checks use them), with grad
    mode on whatever the caller's is (a learner's notebook may turn it off: `torch.set_grad_enabled(False)`)."""
    with torch.enable_grad():
        return _autograd_grads(unit, case)


def _autograd_grads(unit: str, case: Case) -> dict[str, torch.Tensor]:
    if case.kind == "model" or unit == "model":  # "model": the whole-model exercises, on any of their cases
        t = model_inputs(case)
        ps = {k: t[k].requires_grad_() for k in ("x", "w1", "b1", "w2", "b2")}
        out = (ps["x"] @ ps["w1"] + ps["b1"]).clamp_min(0.) @ ps["w2"] + ps["b2"]
        if case.classes > 1:
            torch.nn.functional.cross_entropy(out, t["y"]).backward()
        else:
            (out[:, 0] - t["y"]).pow(2).mean().backward()
        return {f"{k}.g": p.grad.detach() for k, p in ps.items()}
    t = unit_inputs(unit, case)
    # (out * up).sum() has exactly `up` as the gradient of out; out.backward(up) would import sympy (~1 s)
    if unit == "linear":
        ps = {k: t[k].requires_grad_() for k in ("inp", "w", "b")}
        ((ps["inp"] @ ps["w"] + ps["b"]) * t["up"]).sum().backward()
    elif unit == "relu":
        ps = {"inp": t["inp"].requires_grad_()}
        (ps["inp"].clamp_min(0.) * t["up"]).sum().backward()
    elif unit == "cross_entropy":
        ps = {"inp": t["inp"].requires_grad_()}
        torch.nn.functional.cross_entropy(ps["inp"], t["targ"]).backward()
    else:
        ps = {"inp": t["inp"].requires_grad_()}
        (ps["inp"].squeeze(-1) - t["targ"]).pow(2).mean().backward()
    return {f"{k}.g": p.grad.detach() for k, p in ps.items()}
