# PyTorch's name for a gradient, everywhere: reads out.grad and sets .grad
def lin_grad(inp, out, w, b):
    inp.grad = out.grad @ w.t()
    w.grad = inp.t() @ out.grad
    b.grad = out.grad.sum(0)
