# %% [markdown]
# A cell that defines lin_grad and tries it at once, printing what went wrong instead of stopping.

# %%
from torch import tensor

# %%
try:
    def lin_grad(inp, out, w, b):
        inp.g = out.g @ w.t()
        w.g = inp.t() @ out.g
        b.g = out.g.sum(0)

    out = lin(x_train, w1, b1)
    out.g = torch.ones_like(out)
    lin_grad(x_train, out, w1, b1)
    print(w1.g.shape, b1.g.shape)
except Exception as e:
    print("lin_grad failed:", e)
