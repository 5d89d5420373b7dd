# Only the forward pass broadcasts (inp (n, 1) minus targ (n,)): the loss is close to the right one, but off. Named
# broadcast-outer (a declared variant with that forward), not "precision was lost".
class Mse(Module):
    def forward(self, inp, targ): return (inp - targ).pow(2).mean()
    def bwd(self, out, inp, targ): inp.g = 2*(inp.squeeze()-targ).unsqueeze(-1) / targ.shape[0]
