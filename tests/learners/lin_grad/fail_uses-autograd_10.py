# A graph node called directly (no engine): only possible if a graph was ever recorded.
import torch


def lin_grad(inp, out, w, b):
    torch.autograd.set_grad_enabled(True)
    x, ww = inp.clone().requires_grad_(), w.clone().requires_grad_()
    y = torch.mm(x, ww)
    inp.g, w.g = y.grad_fn(out.g)
    b.g = out.g.sum(0)
