import numpy as np

def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = np.sum(out.g.numpy(), axis=0)
