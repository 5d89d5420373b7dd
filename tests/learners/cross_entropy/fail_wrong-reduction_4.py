# forward: log_softmax over the batch axis (the gradient itself is right)
class CrossEntropy(Module):
    def forward(self, inp, targ):
        logp = F.log_softmax(inp, dim=0)
        return -logp[range(len(targ)), targ].mean()
    def bwd(self, out, inp, targ):
        g = F.softmax(inp, dim=1)
        g[range(len(targ)), targ] -= 1
        inp.g = g / len(targ)
