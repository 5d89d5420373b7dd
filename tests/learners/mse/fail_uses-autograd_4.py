# Hostile: torch's own numerical differentiation (gradcheck's finite differences): central differences are exact
# for a quadratic at any step, so eps=1 gives the mse's gradient to the last bit. Refused like mpmath.diff.
import sys, warnings, torch
warnings.simplefilter("ignore")

class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
    def bwd(self, out, inp, targ):
        gc = sys.modules["torch.autograd.gradcheck"]
        x = inp.detach().double().clone().requires_grad_()
        t = targ.double()
        (jac,) = gc.get_numerical_jacobian(lambda zs: (zs[0].squeeze(-1) - t).pow(2).mean(), (x,), eps=1.0)
        inp.g = jac.reshape(inp.shape).to(inp.dtype)
