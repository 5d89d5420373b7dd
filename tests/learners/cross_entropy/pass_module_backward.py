# a Module subclass that overrides backward() and reads its arguments from self.args
class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)

    def backward(self):
        inp, targ = self.args
        onehot = (torch.arange(inp.shape[1])[None, :] == targ[:, None]).to(inp.dtype)
        inp.g = (inp.softmax(-1) - onehot) / inp.shape[0]
