class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, out, inp, targ):
        n = inp.shape[0]
        g = torch.empty_like(inp)
        for i in range(n):
            e = (inp[i] - inp[i].max()).exp()
            g[i] = e / e.sum()
            g[i, targ[i]] -= 1
        inp.g = g / n
