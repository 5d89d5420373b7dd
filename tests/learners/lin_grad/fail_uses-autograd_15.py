# Hostile: TorchScript's symbolic differentiation asked for by hand (torch._C._jit_differentiate): its backward
# graph is torch's derivative formula, not the learner's. A check traps it: it is autograd.
import torch
def lin_grad(inp, out, w, b):
    cu = torch.jit.CompilationUnit("""
def f(i: Tensor, w: Tensor, b: Tensor):
    return torch.matmul(i, w) + b
""")
    g = cu.f.graph.copy()
    torch._C._jit_pass_inline(g)
    grad = torch._C._jit_differentiate(g)
    fw = torch._C._create_function_from_graph("fw", grad.f)
    bw = torch._C._create_function_from_graph("bw", grad.df)
    outs = fw(inp, w, b)
    outs = list(outs) if isinstance(outs, tuple) else [outs]
    n_out = len(grad.df_input_vjps)
    # df inputs: the vjps of the outputs, then the captured values
    caps = [inp, w, b][:0]
    args = [out.g] + [ (list((inp, w, b))[i]) for i in grad.df_input_captured_inputs] + [outs[i] for i in grad.df_input_captured_outputs]
    res = bw(*args)
    res = list(res) if isinstance(res, tuple) else [res]
    print([r.shape if r is not None else None for r in res])
    inp.g, w.g, b.g = res[0], res[1], res[2]
