class CrossEntropyLoss(Module):
    def forward(self, inp, targ):
        return -log_softmax(inp)[range(len(targ)), targ].mean()

    def bwd(self, out, inp, targ):
        grad = inp.softmax(dim=-1)
        grad[range(len(targ)), targ] -= 1
        inp.g = grad / len(targ)
