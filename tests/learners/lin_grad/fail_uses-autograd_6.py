# torch.autograd.functional.vjp through a module alias.
import torch.autograd.functional as F


def lin_grad(inp, out, w, b):
    _, (inp.g, w.g, b.g) = F.vjp(lambda x, ww, bb: x @ ww + bb, (inp, w, b), out.g)
