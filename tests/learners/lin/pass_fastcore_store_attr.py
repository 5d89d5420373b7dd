import fastcore.all as fc
class Lin(Module):
    def __init__(self, w, b): fc.store_attr()
    def forward(self, inp): return inp @ self.w + self.b
    def bwd(self, out, inp):
        inp.g = out.g @ self.w.t()
        self.w.g = inp.t() @ out.g
        self.b.g = out.g.sum(0)
