# %% cell 4
ZERO = torch.zeros(())
TWO = 2.0 * 1
EPS: float = 0.0
BATCH_DIM = (0,)
# %% cell 6
class Lin(Module):
    def __init__(self, w, b): self.w, self.b = w, b
    def forward(self, inp): return inp @ self.w + self.b + ZERO
    def bwd(self, out, inp):
        inp.g = out.g @ self.w.t() * (TWO / 2)
        self.w.g = inp.t() @ out.g + EPS
        self.b.g = out.g.sum(BATCH_DIM[0])
