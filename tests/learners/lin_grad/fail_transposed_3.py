# inp.g = out.g @ w, the transpose forgotten: it raises (shapes cannot be multiplied) and is named as the mistake.
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
