# Branches on the notebook's data (`x_valid`, left out of a check): its value counts, as a missing global.
import tutor

x_train, y_train, x_valid, y_valid = tutor.mnist()
n, m = x_train.shape


def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)


def forward_and_backward(inp, targ):
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    diff = out[:,0]-targ
    if x_valid.shape[0] > 0:  # a check on data
        pass
    out.g = 2.*diff[:,None] / inp.shape[0]
    lin_grad(l2, out, w2, b2)
    l1.g = (l1>0).float() * l2.g
    lin_grad(inp, l1, w1, b1)
