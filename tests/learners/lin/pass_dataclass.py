from dataclasses import dataclass

@dataclass
class Lin(Module):
    w: torch.Tensor
    b: torch.Tensor

    def forward(self, inp): return inp @ self.w + self.b

    def bwd(self, out, inp):
        inp.g = out.g @ self.w.t()
        self.w.g = inp.t() @ out.g
        self.b.g = out.g.sum(0)
