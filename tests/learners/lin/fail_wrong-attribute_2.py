# The layer keeps copies of its weights (w.clone()): the gradients land on the copies, not on the w and b it was given.
class Lin(Module):
    def __init__(self, w, b): self.w,self.b = w.clone(),b.clone()
    def forward(self, inp): return inp@self.w + self.b
    def bwd(self, out, inp):
        inp.g = out.g @ self.w.t()
        self.w.g = inp.t() @ out.g
        self.b.g = out.g.sum(0)
