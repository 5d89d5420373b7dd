# A transposed inp.g: at batch 1 it makes the next layer's out.g a matrix in the model, where a right line then raises (a knock-on, not named).
def lin_grad(inp, out, w, b):
    inp.g = w @ out.g.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)
