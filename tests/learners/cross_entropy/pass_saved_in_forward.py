class CrossEntropy(Module):
    def forward(self, inp, targ):
        self.logp = log_softmax(inp)
        return nll(self.logp, targ)

    def bwd(self, out, inp, targ):
        grad = self.logp.exp()
        grad[torch.arange(inp.shape[0]), targ] -= 1.0
        inp.g = grad / inp.shape[0]
