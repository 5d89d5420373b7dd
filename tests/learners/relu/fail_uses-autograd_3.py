# sympy differentiates max(x, 0) (Heaviside), evaluated with numpy: the gradient is sympy's, not the learner's.
import sympy
import torch
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        x = sympy.Symbol('x', real=True)
        d = sympy.diff(sympy.Max(x, 0), x)           # sympy: Heaviside(x)
        f = sympy.lambdify(x, d, modules=[{'Heaviside': lambda v, *h: (v > 0)}, 'numpy'])
        inp.g = torch.as_tensor(f(inp.numpy())).to(inp.dtype) * out.g
