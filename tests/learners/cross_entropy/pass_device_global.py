# In[1]:
import torch
import torch.nn.functional as F
def_device = 'cuda' if torch.cuda.is_available() else 'cpu'

# In[30]:
class CrossEntropy(Module):
    def forward(self, inp, targ): return F.cross_entropy(inp, targ)
    def bwd(self, out, inp, targ):
        onehot = torch.zeros(inp.shape, device=def_device, dtype=inp.dtype)
        onehot[torch.arange(len(targ)), targ] = 1.
        inp.g = (F.softmax(inp, -1) - onehot) / len(targ)
