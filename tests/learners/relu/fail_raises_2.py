# Hostile: torch's own ReLU derivative (torch._decomp's threshold_backward), exec'd afresh from torch's source
# text (the loaded function is locked; a fresh copy is not). The minimal root covers torch/_decomp: the file is
# not there to read.
import ast, torch
import torch._decomp.decompositions as _D

def _torch_formula(name):
    fn = next(n for n in ast.parse(open(_D.__file__).read()).body if isinstance(n, ast.FunctionDef) and n.name == name)
    fn.decorator_list = []
    ns = dict(vars(_D)); exec(compile(ast.Module(body=[fn], type_ignores=[]), "x", "exec"), ns)
    return ns[name]

class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        inp.g = _torch_formula("threshold_backward")(out.g, inp, 0.)
