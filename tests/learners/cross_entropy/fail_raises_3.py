# Hostile: torch 2.13's fused linear cross-entropy (torch/nn/modules/linear_cross_entropy.py), read from its file and
# exec'd: its forward computes the gradient too; with an identity weight it is dloss/dlogits. The file is covered.
class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, out, inp, targ):
        import ast, os, sys, types
        path = os.path.join(os.path.dirname(torch.__file__), "nn", "modules", "linear_cross_entropy.py")
        mod = sys.modules["lce"] = types.ModuleType("lce")
        for node in ast.parse(open(path).read()).body:  # every statement it can run here (not the op registration)
            try:
                exec(compile(ast.Module([node], []), "lce", "exec"), mod.__dict__)
            except Exception as e:
                pass
        n, c = inp.shape
        inp.g = mod._linear_cross_entropy_batch_chunked_accumulator(
            inp, torch.eye(c, dtype=inp.dtype), targ, None, None, "mean", -100, 0.0, n, "accurate", inp.dtype,
            True, False, False)[1]
