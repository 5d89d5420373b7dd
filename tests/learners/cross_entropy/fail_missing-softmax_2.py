class CrossEntropy(Module):
    def forward(self, inp, targ): return F.cross_entropy(inp, targ)
    def bwd(self, out, inp, targ):
        inp.g = (inp - F.one_hot(targ, num_classes=10)) / len(targ)
