# sympy differentiates one example's cross-entropy per class.
import sympy, torch
class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, out, inp, targ):
        n, c = inp.shape
        xs = sympy.symbols(f'x0:{c}', real=True)
        g = torch.empty_like(inp)
        X = inp.double().numpy()
        for t in range(c):
            L = -(xs[t] - sympy.log(sum(sympy.exp(v) for v in xs)))      # one example's loss, class t
            grads = sympy.lambdify(xs, [sympy.diff(L, v) for v in xs], 'numpy')
            rows = (targ == t).nonzero().flatten()
            if len(rows):
                vals = grads(*[X[rows.numpy(), j] for j in range(c)])
                g[rows] = torch.stack([torch.as_tensor(v).expand(len(rows)) for v in vals], 1).to(inp.dtype)
        inp.g = g / n
