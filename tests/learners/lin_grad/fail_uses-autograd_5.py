# torch.func's vector-Jacobian product: no .backward() anywhere.
from torch.func import vjp


def lin_grad(inp, out, w, b):
    _, pullback = vjp(lambda x, ww, bb: x @ ww + bb, inp, w, b)
    inp.g, w.g, b.g = pullback(out.g)
