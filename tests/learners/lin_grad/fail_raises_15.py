# Hostile: TorchScript turns grad mode on (aten::set_grad_enabled) and calls aten::grad, all inside the JIT where
# no Python trap is seen. No operator records a graph in a check, so there is nothing to differentiate: it raises.
import torch

SRC = """
def grads(i: Tensor, w: Tensor, b: Tensor, g: Tensor):
    torch.set_grad_enabled(True)
    i = i.detach().clone().requires_grad_(True)
    w = w.detach().clone().requires_grad_(True)
    b = b.detach().clone().requires_grad_(True)
    y = torch.matmul(i, w) + b
    return torch.ops.aten.grad([y], [i, w, b], [g])
"""


def lin_grad(inp, out, w, b):
    unit = torch.jit.CompilationUnit(SRC)
    inp.g, w.g, b.g = unit.grads(inp, w, b, out.g)
