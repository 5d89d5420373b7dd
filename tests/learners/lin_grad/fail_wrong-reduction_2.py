# b.g summed over everything: right numbers on a 1-wide layer only, so the wrong reduction is named first.
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum()
