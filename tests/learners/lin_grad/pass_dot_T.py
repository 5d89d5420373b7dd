def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.T
    w.g = inp.T @ out.g
    b.g = out.g.sum(dim=0)
