# Forward-mode autograd: a Jacobian by jacfwd, then the chain rule by hand.
import torch
from torch.func import jacfwd


def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    jb = jacfwd(lambda bb: inp @ w + bb)(b)  # (n, out, out)
    b.g = torch.einsum("no,nop->p", out.g, jb)
    w.g = inp.t() @ out.g
