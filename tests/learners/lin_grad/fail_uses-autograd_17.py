# Hostile: grad mode on inside TorchScript, then autograd's kernel for mm fetched from the dispatcher
# (_dispatch_get_computed_kernel_for_dispatch_key) and called with a key set of the code's choosing
# (_SafeKernelFunction.call_boxed skips the thread's excluded keys); the node called by hand. Trapped in a run.
import torch

class Switch:
    unit = torch.jit.CompilationUnit("""
def turn(x: Tensor, on: bool):
    torch.set_grad_enabled(on)
    return x
""")

D = torch._C.DispatchKey

def lin_grad(inp, out, w, b):
    Switch.unit.turn(inp, True)
    try:
        i = inp.detach().clone().requires_grad_(True)
        ww = w.detach().clone().requires_grad_(True)
        kernel = torch._C._dispatch_get_computed_kernel_for_dispatch_key("aten::mm", D.AutogradCPU)
        keys = torch._C.DispatchKeySet(D.AutogradCPU) | torch._C.DispatchKeySet(D.CPU)
        y = kernel.call_boxed(keys, i, ww)
        inp.g, w.g = y.grad_fn(out.g)
        b.g = out.g.sum(0)
    finally:
        Switch.unit.turn(inp, False)
