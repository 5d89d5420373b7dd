import torch.nn.functional as F

class CrossEntropy(Module):
    def forward(self, inp, targ):
        return F.cross_entropy(inp, targ)

    def bwd(self, out, inp, targ):
        n = inp.shape[0]
        inp.g = (F.softmax(inp, dim=-1) - F.one_hot(targ, num_classes=inp.shape[1])) / n
