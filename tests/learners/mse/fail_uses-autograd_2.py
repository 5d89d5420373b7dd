# Hostile (mse): the loss recorded as an autograd graph op by op through OpOverload._op_dk(DispatchKey.Autograd)
# (grad mode on via TorchScript), then torch's own backward engine (the C++ _EngineBase, found through
# object.__subclasses__()) runs it: torch computes the whole MSE gradient.
import torch

class Switch:
    unit = torch.jit.CompilationUnit("""
def turn(x: Tensor, on: bool):
    torch.set_grad_enabled(on)
    return x
""")

A = torch._C.DispatchKey.Autograd
aten = torch.ops.aten

def _engine():
    return [c for c in object.__subclasses__() if c.__name__ == "_EngineBase"][0]()

class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
    def bwd(self, out, inp, targ):
        Switch.unit.turn(inp, True)
        try:
            x = inp.detach().clone().requires_grad_(True)
            s = aten.squeeze.dim._op_dk(A, x, -1)
            d = aten.sub.Tensor._op_dk(A, s, targ)
            p = aten.pow.Tensor_Scalar._op_dk(A, d, 2)
            loss = aten.mean.default._op_dk(A, p)
            (g,) = _engine().run_backward((loss,), (torch.ones_like(loss),), False, False, (x,), True, False)
            inp.g = g
        finally:
            Switch.unit.turn(inp, False)
