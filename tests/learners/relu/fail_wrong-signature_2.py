# PyTorch's autograd.Function style: backward(self, grad) takes the gradient flowing in as an argument; the
# lesson's backward() takes none and reads self.out.g.
class Relu:
    def __call__(self, inp):
        self.inp = inp
        self.out = inp.clamp_min(0.)
        return self.out
    def backward(self, grad):
        self.inp.g = (self.inp > 0).float() * grad
        return self.inp.g
