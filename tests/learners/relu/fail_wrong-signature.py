class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, inp, out): inp.g = (inp>0).float() * out.g
