# course22p2's 03_backprop exported in full by Jupyter ("Save as Python"), through its autograd section, which
# redefines `class Model(nn.Module)` with `__init__(self, n_in, nh, n_out)`: the lesson's own Model(w1, b1, w2, b2),
# defined before it, is the one checked (the last definition, as the notebook ends, cannot be called so).
#!/usr/bin/env python
# coding: utf-8

# # The forward and backward passes

# In[1]:


import pickle,gzip,math,os,time,shutil,torch,matplotlib as mpl,numpy as np
from pathlib import Path
from torch import tensor
from fastcore.test import test_close
torch.manual_seed(42)

mpl.rcParams['image.cmap'] = 'gray'
torch.set_printoptions(precision=2, linewidth=125, sci_mode=False)
np.set_printoptions(precision=2, linewidth=125)

path_data = Path('data')
path_gz = path_data/'mnist.pkl.gz'
with gzip.open(path_gz, 'rb') as f: ((x_train, y_train), (x_valid, y_valid), _) = pickle.load(f, encoding='latin-1')
x_train, y_train, x_valid, y_valid = map(tensor, [x_train, y_train, x_valid, y_valid])


# ## Foundations version

# ### Basic architecture

# In[2]:


n,m = x_train.shape
c = y_train.max()+1
n,m,c


# In[3]:


# num hidden
nh = 50


# In[4]:


w1 = torch.randn(m,nh)
b1 = torch.zeros(nh)
w2 = torch.randn(nh,1)
b2 = torch.zeros(1)


# In[5]:


def lin(x, w, b): return x@w + b


# In[6]:


t = lin(x_valid, w1, b1)
t.shape


# In[7]:


def relu(x): return x.clamp_min(0.)


# In[8]:


t = relu(t)
t


# In[9]:


def model(xb):
    l1 = lin(xb, w1, b1)
    l2 = relu(l1)
    return lin(l2, w2, b2)


# In[10]:


res = model(x_valid)
res.shape


# ### Loss function: MSE

# In[11]:


res[:,0].shape


# In[12]:


res.squeeze().shape


# In[13]:


(res[:,0]-y_valid).shape


# In[14]:


y_train,y_valid = y_train.float(),y_valid.float()

preds = model(x_train)
preds.shape


# In[15]:


def mse(output, targ): return (output[:,0]-targ).pow(2).mean()


# In[16]:


mse(preds, y_train)


# ### Gradients and backward pass

# In[17]:


from sympy import symbols,diff
x,y = symbols('x y')
diff(x**2, x)


# In[18]:


diff(3*x**2+9, x)


# In[19]:


def lin_grad(inp, out, w, b):
    # grad of matmul with respect to input
    inp.g = out.g @ w.t()
    w.g = (inp.unsqueeze(-1) * out.g.unsqueeze(1)).sum(0)
    b.g = out.g.sum(0)


# In[20]:


def forward_and_backward(inp, targ):
    # forward pass:
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    diff = out[:,0]-targ
    loss = diff.pow(2).mean()
    
    # backward pass:
    out.g = 2.*diff[:,None] / inp.shape[0]
    lin_grad(l2, out, w2, b2)
    l1.g = (l1>0).float() * l2.g
    lin_grad(inp, l1, w1, b1)


# In[21]:


forward_and_backward(x_train, y_train)


# In[22]:


# Save for testing against later
def get_grad(x): return x.g.clone()
chks = w1,w2,b1,b2,x_train
grads = w1g,w2g,b1g,b2g,ig = tuple(map(get_grad, chks))


# We cheat a little bit and use PyTorch autograd to check our results.

# In[23]:


def mkgrad(x): return x.clone().requires_grad_(True)
ptgrads = w12,w22,b12,b22,xt2 = tuple(map(mkgrad, chks))


# In[24]:


def forward(inp, targ):
    l1 = lin(inp, w12, b12)
    l2 = relu(l1)
    out = lin(l2, w22, b22)
    return mse(out, targ)


# In[25]:


loss = forward(xt2, y_train)
loss.backward()


# In[26]:


for a,b in zip(grads, ptgrads): test_close(a, b.grad, eps=0.01)


# ## Refactor model

# ### Layers as classes

# In[27]:


class Relu():
    def __call__(self, inp):
        self.inp = inp
        self.out = inp.clamp_min(0.)
        return self.out
    
    def backward(self): self.inp.g = (self.inp>0).float() * self.out.g


# In[28]:


class Lin():
    def __init__(self, w, b): self.w,self.b = w,b

    def __call__(self, inp):
        self.inp = inp
        self.out = lin(inp, self.w, self.b)
        return self.out

    def backward(self):
        self.inp.g = self.out.g @ self.w.t()
        self.w.g = self.inp.t() @ self.out.g
        self.b.g = self.out.g.sum(0)


# In[29]:


class Mse():
    def __call__(self, inp, targ):
        self.inp,self.targ = inp,targ
        self.out = mse(inp, targ)
        return self.out
    
    def backward(self):
        self.inp.g = 2. * (self.inp.squeeze() - self.targ).unsqueeze(-1) / self.targ.shape[0]


# In[30]:


class Model():
    def __init__(self, w1, b1, w2, b2):
        self.layers = [Lin(w1,b1), Relu(), Lin(w2,b2)]
        self.loss = Mse()
        
    def __call__(self, x, targ):
        for l in self.layers: x = l(x)
        return self.loss(x, targ)
    
    def backward(self):
        self.loss.backward()
        for l in reversed(self.layers): l.backward()


# In[31]:


model = Model(w1, b1, w2, b2)


# In[32]:


loss = model(x_train, y_train)


# In[33]:


model.backward()


# In[34]:


test_close(w2g, w2.g, eps=0.01)
test_close(b2g, b2.g, eps=0.01)
test_close(w1g, w1.g, eps=0.01)
test_close(b1g, b1.g, eps=0.01)
test_close(ig, x_train.g, eps=0.01)


# ### Module.forward()

# In[35]:


class Module():
    def __call__(self, *args):
        self.args = args
        self.out = self.forward(*args)
        return self.out

    def forward(self): raise Exception('not implemented')
    def backward(self): self.bwd(self.out, *self.args)
    def bwd(self): raise Exception('not implemented')


# In[36]:


class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp): inp.g = (inp>0).float() * out.g


# In[37]:


class Lin(Module):
    def __init__(self, w, b): self.w,self.b = w,b
    def forward(self, inp): return inp@self.w + self.b
    def bwd(self, out, inp):
        inp.g = self.out.g @ self.w.t()
        self.w.g = inp.t() @ self.out.g
        self.b.g = self.out.g.sum(0)


# In[38]:


class Mse(Module):
    def forward (self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()
    def bwd(self, out, inp, targ): inp.g = 2*(inp.squeeze()-targ).unsqueeze(-1) / targ.shape[0]


# In[39]:


model = Model(w1, b1, w2, b2)


# In[40]:


loss = model(x_train, y_train)


# In[41]:


model.backward()


# In[42]:


test_close(w2g, w2.g, eps=0.01)
test_close(b2g, b2.g, eps=0.01)
test_close(w1g, w1.g, eps=0.01)
test_close(b1g, b1.g, eps=0.01)
test_close(ig, x_train.g, eps=0.01)


# ### Autograd

# In[43]:


from torch import nn
import torch.nn.functional as F


# In[44]:


class Linear(nn.Module):
    def __init__(self, n_in, n_out):
        super().__init__()
        self.w = torch.randn(n_in,n_out).requires_grad_()
        self.b = torch.zeros(n_out).requires_grad_()
    def forward(self, inp): return inp@self.w + self.b


# In[45]:


class Model(nn.Module):
    def __init__(self, n_in, nh, n_out):
        super().__init__()
        self.layers = [Linear(n_in,nh), nn.ReLU(), Linear(nh,n_out)]
        
    def __call__(self, x, targ):
        for l in self.layers: x = l(x)
        return F.mse_loss(x, targ[:,None])


# In[46]:


model = Model(m, nh, 1)
loss = model(x_train, y_train)
loss.backward()


# In[47]:


l0 = model.layers[0]
l0.b.grad
