# A Relu that keeps its last mask in a global (to look at it afterwards): it sets it before it reads it.
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        global last_mask
        last_mask = (inp > 0).float()
        inp.g = last_mask * out.g
