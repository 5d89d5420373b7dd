# sympy differentiates (p - t)^2 / n and lambdify evaluates it.
import sympy, torch
class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
    def bwd(self, out, inp, targ):
        p, t, n = sympy.symbols('p t n', real=True)
        d = sympy.lambdify((p, t, n), sympy.diff((p - t)**2 / n, p), 'numpy')
        inp.g = torch.as_tensor(d(inp.squeeze(-1).numpy(), targ.numpy(), targ.shape[0])).to(inp.dtype).unsqueeze(-1)
