# Adds to .g across calls (sets it to 0 the first time): right once; the training loop, which never clears .g, then steps by the sum of every gradient so far.
def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    if not hasattr(w, 'g'): w.g, b.g = 0., 0.
    w.g = w.g + inp.t() @ out.g
    b.g = b.g + out.g.sum(0)

def forward_and_backward(inp, targ):
    # forward pass:
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    diff = out[:,0]-targ
    loss = diff.pow(2).mean()

    # backward pass:
    out.g = 2.*diff[:,None] / inp.shape[0]
    lin_grad(l2, out, w2, b2)
    l1.g = (l1>0).float() * l2.g
    lin_grad(inp, l1, w1, b1)
