Module?
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        # why a mask? the derivative of max(0, x) is 1 where x > 0, else 0
        inp.g = (inp > 0).float() * out.g

Relu.bwd??
!nvidia-smi
