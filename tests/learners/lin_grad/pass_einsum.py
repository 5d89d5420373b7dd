import torch

def lin_grad(inp, out, w, b):
    inp.g = torch.einsum('bj,ij->bi', out.g, w)
    w.g = torch.einsum('bi,bj->ij', inp, out.g)
    b.g = torch.einsum('bj->j', out.g)
