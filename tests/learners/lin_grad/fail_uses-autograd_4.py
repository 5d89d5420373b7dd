# Tensor.backward on clones, grad mode switched on with set_grad_enabled.
import torch
from torch.autograd import backward as run_backward


def lin_grad(inp, out, w, b):
    torch.set_grad_enabled(True)
    x, ww, bb = (t.clone().requires_grad_(True) for t in (inp, w, b))
    run_backward(x @ ww + bb, out.g)
    inp.g, w.g, b.g = x.grad, ww.grad, bb.grad
