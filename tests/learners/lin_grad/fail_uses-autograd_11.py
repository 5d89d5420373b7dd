# Hostile: grad mode turned back on through torch's JIT operator, then the JIT's own autograd operator.
import torch


def lin_grad(inp, out, w, b):
    torch.ops.aten.set_grad_enabled(True)
    i = inp.detach().clone().requires_grad_(True)
    ww = w.detach().clone().requires_grad_(True)
    bb = b.detach().clone().requires_grad_(True)
    y = i @ ww + bb
    inp.g, w.g, b.g = torch.ops.aten.grad([y], [i, ww, bb], [out.g])
    torch.ops.aten.set_grad_enabled(False)
