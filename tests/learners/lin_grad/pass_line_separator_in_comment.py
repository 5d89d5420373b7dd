import torch

# %% cell 2
def lin_grad(inp, out, w, b):
    # grad of matmul with respect to input (pasted from the book: d(inp @ w)/d inp = w.t())
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
