# one argument short: the lesson passes inp, out, w, b
def lin_grad(inp, out, w):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
