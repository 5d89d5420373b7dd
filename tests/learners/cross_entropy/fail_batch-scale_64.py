# a notebook constant for the batch size (carried over like EPS = 1e-8), read in bwd: right only on batches of 64
bs = 64

class CrossEntropy(Module):
    def forward(self, inp, targ): return F.cross_entropy(inp, targ)
    def bwd(self, out, inp, targ):
        g = inp.softmax(-1)
        g[range(bs), targ] -= 1
        inp.g = g / bs
