# Hostile: torch's own ReLU derivative (aten::threshold_backward) through its MKLDNN kernel (a tensor after
# .to_mkldnn() takes another backend's kernels), float64 split into float32 pieces. Locked on every CPU backend.
import torch

class Relu(Module):
    def forward(self, inp):
        return inp.clamp_min(0.)

    def bwd(self, out, inp):
        x = inp.float().to_mkldnn()
        g, total = out.g, 0
        for _ in range(3):
            piece = g.float()
            total = total + torch.ops.aten.threshold_backward(piece.to_mkldnn(), x, 0.).to_dense().to(inp.dtype)
            g = g - piece.to(g.dtype)
        inp.g = total
