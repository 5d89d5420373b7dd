# b.g multiplied by b: on the width-1 layer its one entry is off by some factor, which names no constant.
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = (out.g * b).sum(0)
