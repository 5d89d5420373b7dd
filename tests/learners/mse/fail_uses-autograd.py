# torch's Python formula for the MSE gradient (torch._decomp), with the table lookup learners copy from forums
import torch._decomp


class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()
    def bwd(self, out, inp, targ):
        formula = torch._decomp.decomposition_table[torch.ops.aten.mse_loss_backward.default]
        inp.g = formula(torch.tensor(1.), inp.squeeze(-1), targ, 1).unsqueeze(-1)
