def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = out.g.t() @ inp
    b.g = out.g.sum(0)
