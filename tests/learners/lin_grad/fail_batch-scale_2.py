# the batch size written as a number in the bias gradient... of a lin_grad that averages over 1000 examples
def lin_grad(inp, out, w, b):
    n = 1000
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0) * inp.shape[0] / n
