# PyTorch's habit: adding to the weight's gradient (+=), which nothing set before.
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g += inp.t() @ out.g
    b.g = out.g.sum(0)
