# %% cell 4
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
# %% cell 5
def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g
Relu.bwd = bwd
