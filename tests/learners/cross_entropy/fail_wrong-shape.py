import torch.nn.functional as F

class CrossEntropy(Module):
    def forward(self, inp, targ): return F.cross_entropy(inp, targ)
    def bwd(self, out, inp, targ):
        probs = F.softmax(inp, dim=1)
        inp.g = (probs - F.one_hot(targ).float()) / inp.shape[0]
