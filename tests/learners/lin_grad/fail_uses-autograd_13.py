# Hostile: torch's JIT operator for grad mode fetched by name from the JIT's registry (not through torch.ops), mm
# redispatched to autograd's kernel, the node called by hand, grad mode turned off again.
import torch


def lin_grad(inp, out, w, b):
    found = torch._C._jit_get_operation("aten::set_grad_enabled")
    switch = found[0] if isinstance(found, tuple) else found
    switch(True)
    i = inp.detach().clone().requires_grad_(True)
    ww = w.detach().clone().requires_grad_(True)
    keys = torch._C.DispatchKeySet(torch._C.DispatchKey.AutogradCPU) | torch._C.DispatchKeySet(torch._C.DispatchKey.CPU)
    y = torch.ops.aten.mm.default.redispatch(keys, i, ww)
    inp.g, w.g = y.grad_fn(out.g)
    b.g = out.g.sum(0)
    switch(False)
