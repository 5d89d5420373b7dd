class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()
    def bwd(self, out, inp, targ): inp.g = (inp.squeeze() - targ).unsqueeze(-1) / targ.shape[0]
