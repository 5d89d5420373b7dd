# Hostile: sympy from another site-packages than this Python's (the base interpreter's, the system's), the stand-in
# finder taken off sys.meta_path: the minimal root covers every site-packages folder not on this Python's path.
import glob
import sys
import torch

def _sympy():
    B = (glob.glob(sys.base_prefix + '/lib/python3*/site-packages/sympy') + glob.glob('/usr/lib/python3*/dist-packages/sympy') + ['/sympy'])[0][:-6]
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != '_Finder']
    for k in [k for k in sys.modules if k.split('.')[0] in ('sympy', 'mpmath')]:
        del sys.modules[k]
    sys.path.insert(0, B)
    import sympy
    return sympy

class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
    def bwd(self, out, inp, targ):
        sp = _sympy()
        p, t, n = sp.symbols('p t n', real=True)
        d = sp.lambdify((p, t, n), sp.diff((p - t)**2 / n, p), 'numpy')
        inp.g = torch.as_tensor(d(inp.squeeze(-1).double().numpy(), targ.double().numpy(), targ.shape[0])).to(inp.dtype).unsqueeze(-1)
