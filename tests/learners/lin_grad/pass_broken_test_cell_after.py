#!/usr/bin/env python
# coding: utf-8

# In[12]:


def lin_grad(inp, out, w, b):
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)


# In[13]:


lin_grad(l2, out, w2, b2


# In[14]:


w2.g.shape
