# Hostile: grad mode turned on inside TorchScript (no Python trap sees it), then mm redispatched with a key set that
# names autograd's kernel (a redispatch skips the keys a thread excludes), then the graph's node called by hand,
# and grad mode turned off again so that nothing after it notices. A check offers no redispatch: it is autograd.
import torch


class Switch:
    unit = torch.jit.CompilationUnit("""
def turn(x: Tensor, on: bool):
    torch.set_grad_enabled(on)
    return x
""")


def lin_grad(inp, out, w, b):
    Switch.unit.turn(inp, True)
    i = inp.detach().clone().requires_grad_(True)
    ww = w.detach().clone().requires_grad_(True)
    keys = torch._C.DispatchKeySet(torch._C.DispatchKey.AutogradCPU) | torch._C.DispatchKeySet(torch._C.DispatchKey.CPU)
    y = torch.ops.aten.mm.default.redispatch(keys, i, ww)
    inp.g, w.g = y.grad_fn(out.g)
    b.g = out.g.sum(0)
    Switch.unit.turn(inp, False)
