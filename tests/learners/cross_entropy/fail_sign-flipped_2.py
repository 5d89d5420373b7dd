# "1 - p at the right class": the sign is wrong at each example's label only
class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, out, inp, targ):
        p = F.softmax(inp, dim=-1)
        rows = torch.arange(inp.shape[0])
        p[rows, targ] = 1.0 - p[rows, targ]
        inp.g = p / inp.shape[0]
