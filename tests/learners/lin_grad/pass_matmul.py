import torch

def lin_grad(inp, out, w, b):
    inp.g = torch.matmul(out.g, w.transpose(0, 1))
    w.g = torch.matmul(inp.transpose(0, 1), out.g)
    b.g = torch.sum(out.g, 0)
