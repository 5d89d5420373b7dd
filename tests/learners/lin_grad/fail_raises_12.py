# an error whose numbers look like a known mistake's must not be named as that mistake
def lin_grad(inp, out, w, b):
    inp.g = (out.g @ w.t()).view(-1, 784)
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
