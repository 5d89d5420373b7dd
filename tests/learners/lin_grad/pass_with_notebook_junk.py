%matplotlib inline
import torch
x_train, y_train, x_valid, y_valid = tutor.mnist()   # top-level data: not part of the definition
EPS = 1e-8

def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0) + 0 * EPS

lin_grad(x_train[:5], None, None, None)  # a learner's quick test call
