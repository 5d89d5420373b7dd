# Debugging prints left in the class: tensors printed in forward and in bwd.
class Relu(Module):
    def forward(self, inp):
        print("relu in", inp)
        return inp.clamp_min(0.)

    def bwd(self, out, inp):
        inp.g = (inp > 0).float() * out.g
        print(repr(inp.g))
