import torch

def lin_grad(inp, out, w, b):
    # one example at a time, the way the maths is written
    inp.g = torch.zeros_like(inp)
    w.g = torch.zeros_like(w)
    b.g = torch.zeros_like(b)
    for i in range(inp.shape[0]):
        inp.g[i] = w @ out.g[i]
        w.g += torch.outer(inp[i], out.g[i])
        b.g += out.g[i]
