# Frees the upstream gradient once used (`del out.g`): a training loop's next step makes a fresh `out` with its own.
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
    del out.g   # free memory, we don't need it anymore
