# `from sympy import *` at the top of the notebook (to try derivatives), the loss's gradient by hand.
from sympy import *
import torch

class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()
    def bwd(self, out, inp, targ): inp.g = 2. * (inp.squeeze() - targ).unsqueeze(-1) / targ.shape[0]
