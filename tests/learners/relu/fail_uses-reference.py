# Hostile (relu): the forward_and_backward exercise's reference function (exec'd from the lesson text, so it is
# not an attribute of tutor.lesson) is not poisoned in a relu check. Its globals are rewired (lin, lin_grad) so
# that its line `l1.g = (l1>0).float() * l2.g` computes the ReLU gradient for us.
import torch

def _relu_grad(inp, up):
    from tutor.exercises import get
    ref = get("forward_and_backward").reference
    g = ref.__globals__
    box = {}
    calls = iter([inp.clone(), torch.zeros(inp.shape[0], 1, dtype=inp.dtype)])
    def lin(x, w, b):
        return next(calls)
    def lin_grad(i, o, w, b):
        if "up" not in box:
            box["up"] = True
            i.g = up
        else:
            box["g"] = o.g
    g.update(lin=lin, lin_grad=lin_grad, w1=None, b1=None, w2=None, b2=None)
    ref(inp, torch.zeros(inp.shape[0], dtype=inp.dtype))
    return box["g"]

class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        inp.g = _relu_grad(inp, out.g).to(inp.dtype)
