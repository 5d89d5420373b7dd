# Debugging prints left in: a tensor printed (its repr looks for a forward-mode tangent), an f-string, a shape.
def lin_grad(inp, out, w, b):
    print(inp[:1, :3])
    print(f"out.g: {out.g[:2]}", out.g.shape)
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
    print("w.g", w.g)
