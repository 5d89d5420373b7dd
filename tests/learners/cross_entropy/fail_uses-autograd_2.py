# torch's derivative of log_softmax and nll_loss, reached as operators (not through torch.autograd)
import torch.nn.functional as F


class CrossEntropy(Module):
    def forward(self, inp, targ): return F.cross_entropy(inp, targ)
    def bwd(self, out, inp, targ):
        logp = inp.log_softmax(-1)
        g = torch.ops.aten.nll_loss_backward(torch.tensor(1.), logp, targ, None, 1, -100, torch.tensor(float(len(targ))))
        inp.g = torch._C._VariableFunctions._log_softmax_backward_data(g, logp, -1, inp.dtype)
