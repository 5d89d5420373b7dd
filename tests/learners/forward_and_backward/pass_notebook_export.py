#!/usr/bin/env python
# coding: utf-8

# In[1]:


import pickle,gzip,math,os,time,shutil,torch,matplotlib as mpl, numpy as np
from pathlib import Path
from torch import tensor
torch.manual_seed(42)


# In[2]:


x_train, y_train, x_valid, y_valid = map(tensor, (np.zeros((50, 784), dtype=np.float32), np.zeros(50), np.zeros((10, 784), dtype=np.float32), np.zeros(10)))
n,m = x_train.shape
c = y_train.max()+1
nh = 50


# In[3]:


w1 = torch.randn(m,nh)
b1 = torch.zeros(nh)
w2 = torch.randn(nh,1)
b2 = torch.zeros([1])


# In[4]:


def lin(x, w, b): return x@w + b
def relu(x): return x.clamp_min(0.)
def mse(output, targ): return (output[:,0]-targ).pow(2).mean()


# In[5]:


def lin_grad(inp, out, w, b):
    # grad of matmul with respect to input
    inp.g = out.g @ w.t()
    w.g = (inp.unsqueeze(-1) * out.g.unsqueeze(1)).sum(0)
    b.g = out.g.sum(0)


# In[6]:


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


# In[7]:


forward_and_backward(x_train, y_train)
print(w1.g.shape)
