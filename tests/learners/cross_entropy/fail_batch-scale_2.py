# the 1/n on the one-hot only
class CrossEntropy(Module):
    def forward(self, inp, targ): return F.cross_entropy(inp, targ)
    def bwd(self, out, inp, targ):
        n = inp.shape[0]
        inp.g = torch.softmax(inp, 1) - torch.eye(10)[targ] / n
