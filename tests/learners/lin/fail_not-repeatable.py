# Adds to .g across calls (sets it to 0 the first time): right once; the training loop, which never clears .g, then steps by the sum of every gradient so far.
class Lin(Module):
    def __init__(self, w, b): self.w,self.b = w,b
    def forward(self, inp): return inp@self.w + self.b
    def bwd(self, out, inp):
        inp.g = self.out.g @ self.w.t()
        if not hasattr(self.w, 'g'): self.w.g, self.b.g = 0., 0.
        self.w.g = self.w.g + inp.t() @ self.out.g
        self.b.g = self.b.g + self.out.g.sum(0)
