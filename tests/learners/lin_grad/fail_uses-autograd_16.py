# Hostile: grad mode on inside TorchScript, then mm's autograd kernel called directly by dispatch key
# (OpOverload._op_dk with the alias key Autograd skips the thread's excluded keys) and its node (MmBackward0)
# called by hand: torch computes the gradient. Every overload's _op_dk is trapped in a run.
import torch

class Switch:
    unit = torch.jit.CompilationUnit("""
def turn(x: Tensor, on: bool):
    torch.set_grad_enabled(on)
    return x
""")

def lin_grad(inp, out, w, b):
    Switch.unit.turn(inp, True)
    try:
        i = inp.detach().clone().requires_grad_(True)
        ww = w.detach().clone().requires_grad_(True)
        y = torch.ops.aten.mm.default._op_dk(torch._C.DispatchKey.Autograd, i, ww)
        inp.g, w.g = y.grad_fn(out.g)
        b.g = out.g.sum(0)
    finally:
        Switch.unit.turn(inp, False)
