class Mse(Module):
    def forward(self, inp, targ): return ((inp[:, 0] - targ) ** 2).mean()
    def bwd(self, out, inp, targ): inp.g = 2 * (inp - targ[:, None]) / len(targ)
