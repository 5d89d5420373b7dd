import torch

def lin_grad(inp, out, w, b):
    ones = torch.ones(out.shape, dtype=out.dtype)
    inp.g = ones @ w.t()
    w.g = inp.t() @ ones
    b.g = ones.sum(0)
