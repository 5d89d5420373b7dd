# half precision: close, but not the tensor's dtype (no "scale 1x" claim)
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = (inp.t() @ out.g).half()
    b.g = out.g.sum(0)
