# torch's own derivative of ReLU, called as an operator: the gradient is torch's, not the learner's
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp): inp.g = torch.ops.aten.threshold_backward(out.g, inp, 0.)
