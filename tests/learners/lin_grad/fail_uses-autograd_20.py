# sympy, installed with torch, differentiates a matrix expression of the layer for it (sympy.diff of a trace).
import sympy
import torch
def lin_grad(inp, out, w, b):
    n, k = inp.shape; m = w.shape[1]
    X = sympy.MatrixSymbol('X', n, k); W = sympy.MatrixSymbol('W', k, m)
    B = sympy.MatrixSymbol('B', 1, m); G = sympy.MatrixSymbol('G', n, m)
    one = sympy.MatrixSymbol('one', n, 1)
    L = sympy.Trace(G.T * (X * W + one * B))
    dX, dW, dB = sympy.diff(L, X), sympy.diff(L, W), sympy.diff(L, B)
    vals = {'X': inp.numpy(), 'W': w.numpy(), 'B': b.numpy().reshape(1, -1), 'G': out.g.numpy(),
            'one': torch.ones(n, 1, dtype=inp.dtype).numpy()}
    syms = [X, W, B, G, one]
    ev = lambda e: torch.as_tensor(sympy.lambdify(syms, e, 'numpy')(*[vals[s.name] for s in syms])).to(inp.dtype)
    inp.g = ev(dX).reshape(inp.shape)
    w.g = ev(dW).reshape(w.shape)
    b.g = ev(dB).reshape(b.shape)
