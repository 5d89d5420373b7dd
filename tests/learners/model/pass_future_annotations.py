from __future__ import annotations

import torch
from torch import Tensor


class Module:
    def __call__(self, *args: Tensor) -> Tensor:
        self.args = args
        self.out = self.forward(*args)
        return self.out

    def forward(self) -> Tensor:
        raise Exception('not implemented')

    def backward(self) -> None:
        self.bwd(self.out, *self.args)

    def bwd(self, out: Tensor, *args: Tensor) -> None:
        raise Exception('not implemented')


class Lin(Module):
    def __init__(self, w: Tensor, b: Tensor) -> None:
        self.w, self.b = w, b

    def forward(self, inp: Tensor) -> Tensor:
        return inp @ self.w + self.b

    def then(self, nxt: Relu) -> Relu:  # (Relu comes after: a hint only, under the future import)
        return nxt

    def bwd(self, out: Tensor, inp: Tensor) -> None:
        inp.g = out.g @ self.w.t()
        self.w.g = inp.t() @ out.g
        self.b.g = out.g.sum(0)


class Relu(Module):
    def forward(self, inp: Tensor) -> Tensor:
        return inp.clamp_min(0.)

    def bwd(self, out: Tensor, inp: Tensor) -> None:
        inp.g = (inp > 0).float() * out.g


class Mse(Module):
    def forward(self, inp: Tensor, targ: Tensor) -> Tensor:
        return (inp.squeeze() - targ).pow(2).mean()

    def bwd(self, out: Tensor, inp: Tensor, targ: Tensor) -> None:
        inp.g = 2 * (inp.squeeze() - targ).unsqueeze(-1) / targ.shape[0]


class Model:
    def __init__(self, w1: Tensor, b1: Tensor, w2: Tensor, b2: Tensor) -> None:
        self.layers: list[Module] = [Lin(w1, b1), Relu(), Lin(w2, b2)]
        self.loss = Mse()

    def __call__(self, x: Tensor, targ: Tensor) -> Tensor:
        for l in self.layers:
            x = l(x)
        return self.loss(x, targ)

    def backward(self) -> None:
        self.loss.backward()
        for l in reversed(self.layers):
            l.backward()
