# targ.float() inside Mse: at batch 1, inp.squeeze() is 0-d, so in float64 cases the difference (and inp.g) is float32.
class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze() - targ.float()).pow(2).mean()
    def bwd(self, out, inp, targ): inp.g = 2*(inp.squeeze()-targ.float()).unsqueeze(-1) / targ.shape[0]
