# Hostile (mse): the forward_and_backward exercise's reference (not poisoned in an mse check) computes
# `out.g = 2.*diff[:,None] / inp.shape[0]` for us once its `lin` returns our prediction column.
import torch

def _mse_grad(pred, targ):
    from tutor.exercises import get
    ref = get("forward_and_backward").reference
    box = {}
    calls = iter([pred.new_zeros(pred.shape[0], 1), pred.clone()])
    def lin(x, w, b):
        return next(calls)
    def lin_grad(i, o, w, b):
        box.setdefault("g", o.g)
        i.g = torch.zeros_like(i)
    ref.__globals__.update(lin=lin, lin_grad=lin_grad, w1=None, b1=None, w2=None, b2=None)
    ref(pred, targ)
    return box["g"]

class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
    def bwd(self, out, inp, targ):
        inp.g = _mse_grad(inp, targ)
