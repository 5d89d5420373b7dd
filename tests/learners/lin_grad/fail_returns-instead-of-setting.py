def lin_grad(inp, out, w, b):
    return out.g @ w.t(), inp.t() @ out.g, out.g.sum(0)
