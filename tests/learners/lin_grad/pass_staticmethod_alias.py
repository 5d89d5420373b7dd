# A class of static methods, one of them bound to the lesson's name afterwards: `lin_grad = Grads.lin`.
import torch
class Grads:
    @staticmethod
    def lin(inp, out, w, b):
        inp.g = out.g @ w.t()
        w.g = inp.t() @ out.g
        b.g = out.g.sum(0)

lin_grad = Grads.lin
