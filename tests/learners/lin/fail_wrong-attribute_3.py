# A Lin that keeps w transposed (self.wt = w.t(), a new tensor) and sets self.wt.g: w.g is never set, and what
# self.wt.g holds is w's gradient transposed.
class Lin(Module):
    def __init__(self, w, b): self.wt, self.b = w.t(), b
    def forward(self, inp): return inp @ self.wt.t() + self.b
    def bwd(self, out, inp):
        inp.g = out.g @ self.wt
        self.wt.g = out.g.t() @ inp
        self.b.g = out.g.sum(0)
