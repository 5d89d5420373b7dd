# PyTorch's habit: adding to the weights' gradients (+=), which nothing set before.
class Lin(Module):
    def __init__(self, w, b): self.w,self.b = w,b
    def forward(self, inp): return inp@self.w + self.b
    def bwd(self, out, inp):
        inp.g = out.g @ self.w.t()
        self.w.g += inp.t() @ out.g
        self.b.g += out.g.sum(0)
