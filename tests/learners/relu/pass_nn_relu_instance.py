import torch.nn as nn
act = nn.ReLU()

class Relu(Module):
    def forward(self, inp): return act(inp)
    def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g
