class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, inp, targ):
        g = log_softmax(inp).exp()
        g[range(targ.shape[0]), targ] -= 1
        inp.g = g / targ.shape[0]
