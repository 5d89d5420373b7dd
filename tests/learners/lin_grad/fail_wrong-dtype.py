# a float64 gradient in a float32 model: right numbers, but the next layer's `@` raises
def lin_grad(inp, out, w, b):
    inp.g = (out.g @ w.t()).double()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
