# %%
import torch
USE_EINSUM = False

# %%
if USE_EINSUM:
    def lin_grad(inp, out, w, b):
        inp.g = torch.einsum('bk,ik->bi', out.g, w)
        w.g = torch.einsum('bi,bk->ik', inp, out.g)
        b.g = out.g.sum(0)
else:
    def lin_grad(inp, out, w, b):
        inp.g = out.g @ w.t()
        w.g = inp.t() @ out.g
        b.g = out.g.sum(0)
