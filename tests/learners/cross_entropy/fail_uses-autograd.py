class CrossEntropy(Module):
    def forward(self, inp, targ): return F.cross_entropy(inp, targ)
    def bwd(self, out, inp, targ):
        x = inp.detach().clone().requires_grad_()
        with torch.enable_grad():
            F.cross_entropy(x, targ).backward()
        inp.g = x.grad
