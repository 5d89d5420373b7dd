class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        inp.g = out.g.clone()
        inp.g[inp <= 0] = 0
        inp.clamp_(min=0)   # changes the layer's input in place
