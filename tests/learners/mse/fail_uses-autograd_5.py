# Hostile: gradcheck's numerical differentiation exec'd afresh from torch's source text (the file is covered in
# the minimal root: an empty file; what the exec leaves is the locked function).
import ast, sys, torch
def _num():
    g = sys.modules["torch.autograd.gradcheck"]
    src = open(g.__file__).read()
    ns = dict(vars(g)); exec(compile(src, "gc", "exec"), ns)
    return ns["get_numerical_jacobian"]
class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
    def bwd(self, out, inp, targ):
        x = inp.detach().double().clone(); t = targ.double()
        (jac,) = _num()(lambda zs: (zs[0].squeeze(-1) - t).pow(2).mean(), (x,), eps=1.0)
        inp.g = jac.reshape(inp.shape).to(inp.dtype)
