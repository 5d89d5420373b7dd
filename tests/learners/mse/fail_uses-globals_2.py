# %% cell 3
x_train, y_train, x_valid, y_valid = tutor.mnist()
# %% cell 8
class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()
    def bwd(self, out, inp, targ): inp.g = 2 * (inp.squeeze(-1) - y_train[:inp.shape[0]]).unsqueeze(-1) / targ.shape[0]
