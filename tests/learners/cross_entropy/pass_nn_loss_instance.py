# %%
import torch
from torch import nn
loss_func = nn.CrossEntropyLoss()

# %%
class CrossEntropy(Module):
    def forward(self, inp, targ): return loss_func(inp, targ)
    def bwd(self, out, inp, targ):
        p = inp.softmax(-1)
        p[range(len(targ)), targ] -= 1
        inp.g = p / len(targ)
