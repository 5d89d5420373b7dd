# Hostile: torch's own ReLU derivative, exec'd from the compiled .pyc of torch._decomp.decompositions (its code
# objects, without the source text). The minimal root covers torch/_decomp, __pycache__ and all.
import marshal, glob, os, torch
import torch._decomp.decompositions as _D

def _torch_formula(name):
    d = os.path.dirname(_D.__file__)
    pyc = glob.glob(os.path.join(d, "__pycache__", "decompositions.*.pyc"))[0]
    code = marshal.loads(open(pyc, "rb").read()[16:])
    ns = dict(vars(_D)); exec(code, ns)
    return ns[name]

class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        inp.g = _torch_formula("threshold_backward")(out.g, inp, 0.)
