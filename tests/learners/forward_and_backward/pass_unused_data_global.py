# course22p2 03_backprop as it was taught from October 2022 to January 2023: `loss = res.pow(2).mean()` reads the
# notebook's `res` (the model's output on the validation set, data), never used. It runs in the notebook; the
# gradients are right.
import tutor
from torch import tensor

x_train, y_train, x_valid, y_valid = tutor.mnist()
w1, b1, w2, b2 = torch.randn(784, 50), torch.zeros(50), torch.randn(50, 1), torch.zeros(1)


def model(xb):
    l1 = lin(xb, w1, b1)
    l2 = relu(l1)
    return lin(l2, w2, b2)


res = model(x_valid)
print(res.shape)


def lin_grad(inp, out, w, b):
    # grad of matmul with respect to input
    inp.g = out.g @ w.t()
    w.g = (inp.unsqueeze(-1) * out.g.unsqueeze(1)).sum(0)
    b.g = out.g.sum(0)


def forward_and_backward(inp, targ):
    # forward pass:
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    diff = out[:,0]-targ
    loss = res.pow(2).mean()
    print(f"loss {loss}")

    # backward pass:
    out.g = 2.*diff[:,None] / inp.shape[0]
    lin_grad(l2, out, w2, b2)
    l1.g = (l1>0).float() * l2.g
    lin_grad(inp, l1, w1, b1)
