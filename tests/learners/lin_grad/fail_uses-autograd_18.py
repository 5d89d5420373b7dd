# Forgery: graph-executor optimization turned back on through the *getter*, which takes an optional new
# setting (torch._C._get_graph_executor_optimize(True)); then TorchScript autodiff (legacy executor) as in
# fail_uses-autograd_14: DifferentiableGraph attaches a grad_fn by hand, the node called directly.
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
    torch._C._get_graph_executor_optimize(True)
    torch._C._jit_set_profiling_executor(False)
    torch._C._jit_set_profiling_mode(False)
    sw = torch.jit.CompilationUnit(SW)
    cu = torch.jit.CompilationUnit(SRC)
    sw.turn(inp, True)
    try:
        i = inp.detach().clone().requires_grad_(True)
        ww = w.detach().clone().requires_grad_(True)
        bb = b.detach().clone().requires_grad_(True)
        y = cu.f(i, ww, bb)
        g = y.grad_fn(out.g)
        b.g, inp.g, w.g = g
    finally:
        sw.turn(inp, False)
