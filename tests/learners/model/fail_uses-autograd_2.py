# every layer's backward asks sympy for the derivative of its forward.
import sympy, torch
# every backward below is sympy's derivative of the forward, evaluated with numpy: no gradient formula typed
def _relu_d(v):
    x = sympy.Symbol('x', real=True)
    return sympy.lambdify(x, sympy.diff(sympy.Max(x, 0), x), [{'Heaviside': lambda v, *h: (v > 0)}, 'numpy'])(v)

def _mse_d(*a):
    p, t, n = sympy.symbols('p t n', real=True)
    return sympy.lambdify((p, t, n), sympy.diff((p - t)**2 / n, p), 'numpy')(*a)

def _lin_grads(inp, g, w, b):
    n, k = inp.shape; m = w.shape[1]
    X, W = sympy.MatrixSymbol('X', n, k), sympy.MatrixSymbol('W', k, m)
    B, G, one = sympy.MatrixSymbol('B', 1, m), sympy.MatrixSymbol('G', n, m), sympy.MatrixSymbol('one', n, 1)
    L = sympy.Trace(G.T * (X * W + one * B))
    syms = [X, W, B, G, one]
    vals = [inp.numpy(), w.numpy(), b.numpy().reshape(1, -1), g.numpy(), torch.ones(n, 1, dtype=inp.dtype).numpy()]
    ev = lambda e, like: torch.as_tensor(sympy.lambdify(syms, sympy.diff(L, e), 'numpy')(*vals)).to(inp.dtype).reshape(like.shape)
    return ev(X, inp), ev(W, w), ev(B, b)

class Relu():
    def __call__(self, inp):
        self.inp = inp; self.out = inp.clamp_min(0.); return self.out
    def backward(self):
        self.inp.g = torch.as_tensor(_relu_d(self.inp.numpy())).to(self.inp.dtype) * self.out.g

class Lin():
    def __init__(self, w, b): self.w, self.b = w, b
    def __call__(self, inp):
        self.inp = inp; self.out = lin(inp, self.w, self.b); return self.out
    def backward(self):
        self.inp.g, self.w.g, self.b.g = _lin_grads(self.inp, self.out.g, self.w, self.b)

class Mse():
    def __call__(self, inp, targ):
        self.inp, self.targ = inp, targ; self.out = mse(inp, targ); return self.out
    def backward(self):
        self.inp.g = torch.as_tensor(_mse_d(self.inp.squeeze(-1).numpy(), self.targ.numpy(), self.targ.shape[0])).to(self.inp.dtype).unsqueeze(-1)

class Model():
    def __init__(self, w1, b1, w2, b2):
        self.layers = [Lin(w1,b1), Relu(), Lin(w2,b2)]
        self.loss = Mse()
    def __call__(self, x, targ):
        for l in self.layers: x = l(x)
        return self.loss(x, targ)
    def backward(self):
        self.loss.backward()
        for l in reversed(self.layers): l.backward()
