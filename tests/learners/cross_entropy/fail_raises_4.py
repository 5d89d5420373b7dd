# Hostile: distributed tensors' fused log_softmax + nll backward (torch/distributed/tensor/parallel/loss.py), pulled
# out of the file with ast and exec'd. The file is covered.
class CrossEntropy(Module):
    def forward(self, inp, targ): return nll(log_softmax(inp), targ)
    def bwd(self, out, inp, targ):
        import ast, types, enum, os
        path = os.path.join(os.path.dirname(torch.__file__), "distributed", "tensor", "parallel", "loss.py")
        tree = ast.parse(open(path).read())
        fn = next(n for n in tree.body if getattr(n, "name", "") == "_nll_loss_and_log_softmax_backward")
        class P:
            def __init__(self, **k): self.mask_buffer = types.SimpleNamespace(data=None)
            def _partition_value(self, t, mesh, d):
                self.mask_buffer.data = torch.zeros_like(t)
                return t
        ns = {"torch": torch, "Tensor": torch.Tensor, "DeviceMesh": object, "_MaskPartial": P,
              "Reduction": enum.Enum("Reduction", {"NONE": 0, "MEAN": 1, "SUM": 2})}
        exec(compile(ast.Module([fn], []), "x", "exec"), ns)
        ls = torch.log_softmax(inp, -1)
        inp.g = ns[fn.name](torch.tensor(1., dtype=inp.dtype), ls, targ, None, 1, -100,
                            torch.tensor(float(targ.shape[0]), dtype=inp.dtype), inp.shape, 1, None, 0)
