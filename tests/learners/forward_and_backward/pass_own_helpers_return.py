def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)

def mse_grad(inp, targ):
    return 2. * (inp.squeeze(-1) - targ).unsqueeze(-1) / inp.shape[0]

def relu_grad(inp, out_g):
    return (inp > 0).float() * out_g

def forward_and_backward(inp, targ):
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    out.g = mse_grad(out, targ)
    lin_grad(l2, out, w2, b2)
    l1.g = relu_grad(l1, l2.g)
    lin_grad(inp, l1, w1, b1)
