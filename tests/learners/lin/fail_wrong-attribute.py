class Lin(Module):
    def __init__(self, w, b): self.w, self.b = w, b
    def forward(self, inp): return inp @ self.w + self.b
    def bwd(self, out, inp):
        inp.grad = out.grad @ self.w.t()
        self.w.grad = inp.t() @ out.grad
        self.b.grad = out.grad.sum(0)
