# Hostile: torch's cross-entropy derivative formulas (torch._decomp's nll_loss_backward and
# _log_softmax_backward_data) exec'd afresh from torch's source text: torch/_decomp is covered in the minimal root.
import ast, torch
import torch._decomp.decompositions as _D

def _formulas():
    src = open(_D.__file__).read()
    tree = ast.parse(src)
    want = {"_log_softmax_backward_data", "nll_loss_backward", "_nll_loss_backward", "_cast_grad_to_input_dtype"}
    fns = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in want]
    for f in fns:
        f.decorator_list = []
    ns = dict(vars(_D))
    exec(compile(ast.Module(body=fns, type_ignores=[]), "f", "exec"), ns)
    return ns

class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, out, inp, targ):
        ns = _formulas()
        ls = log_softmax(inp)
        one = torch.ones((), dtype=inp.dtype)
        tw = torch.tensor(float(targ.shape[0]), dtype=inp.dtype)
        g = ns["nll_loss_backward"](one, ls, targ, None, 1, -100, tw)
        inp.g = ns["_log_softmax_backward_data"](g, ls, 1, inp.dtype)
