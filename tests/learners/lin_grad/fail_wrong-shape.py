# summed over the batch, but kept a dimension: (1, out) for b's (out,)
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0, keepdim=True)
