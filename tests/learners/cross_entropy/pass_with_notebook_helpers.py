%%exercise cross_entropy
import torch.nn.functional as F

def softmax(x):
    e = (x - x.max(-1, keepdim=True)[0]).exp()
    return e / e.sum(-1, keepdim=True)

xb, yb = x_train[:64], y_train[:64]

class CrossEntropy(Module):
    def forward(self, inp, targ): return F.nll_loss(F.log_softmax(inp, -1), targ)
    def bwd(self, out, inp, targ):
        g = softmax(inp)
        g[torch.arange(inp.shape[0]), targ] -= 1
        inp.g = g / inp.shape[0]

loss = CrossEntropy()(xb @ torch.randn(784, 10), yb)
