# e^x without dividing by the row's sum
class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, out, inp, targ):
        onehot = torch.eye(10, dtype=inp.dtype)[targ]
        inp.g = (torch.exp(inp) - onehot) / inp.shape[0]
