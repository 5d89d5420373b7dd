# The lesson's step keeping its intermediates as globals (for a plot afterwards), with the notebook's own forward
# pass of the same names above it, from data: the function sets them before it reads them, in the notebook as here.
import torch
from pathlib import Path
x_train = torch.load(Path('data') / 'x_train.pt')  # (not here: data)
l1 = lin(x_train, w1, b1)
l2 = relu(l1)

def lin(x, w, b): return x@w + b
def relu(x): return x.clamp_min(0.)
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)

def forward_and_backward(inp, targ):
    global l1, l2, out, loss
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    diff = out[:,0]-targ
    loss = diff.pow(2).mean()
    out.g = 2.*diff[:,None] / inp.shape[0]
    lin_grad(l2, out, w2, b2)
    l1.g = (l1>0).float() * l2.g
    lin_grad(inp, l1, w1, b1)

forward_and_backward(x_train, y_train)
show_image(l1.g[0])
