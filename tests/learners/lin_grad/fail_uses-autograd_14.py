# Hostile: TorchScript's own autodiff. The legacy graph executor, optimizing with grad mode turned on inside
# TorchScript, differentiates a subgraph and attaches a grad_fn by hand (no autograd dispatch key involved):
# the node called with out.g gives every gradient. A check runs TorchScript unoptimized: it is autograd.
# Forgery: TorchScript's own symbolic autodiff (legacy graph executor -> DifferentiableGraph) attaches a grad_fn by
# hand, independent of the autograd dispatch keys; the node is then called directly.
import torch
SW = """
def turn(x: Tensor, on: bool):
    torch.set_grad_enabled(on)
    return x
"""
SRC = """
def f(i: Tensor, w: Tensor, b: Tensor):
    return torch.matmul(i, w) + b
"""
def lin_grad(inp, out, w, b):
    torch._C._jit_set_profiling_executor(False)
    torch._C._jit_set_profiling_mode(False)
    sw = torch.jit.CompilationUnit(SW)
    cu = torch.jit.CompilationUnit(SRC)
    sw.turn(inp, True)
    i = inp.detach().clone().requires_grad_(True)
    ww = w.detach().clone().requires_grad_(True)
    bb = b.detach().clone().requires_grad_(True)
    y = cu.f(i, ww, bb)
    g = y.grad_fn(out.g)

    b.g, inp.g, w.g = g
    sw.turn(inp, False)
