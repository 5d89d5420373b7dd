"""A learner's definitions in an importable module, to check live objects (not source text)."""
from tutor.lesson import Module


class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g
