#!/usr/bin/env python
# coding: utf-8

# ## The gradients of a linear layer

# In[1]:


import torch


# In[ ]:





# In[2]:


def lin_grad(inp, out, w, b):
    # grad of matmul with respect to input
    inp.g = out.g @ w.t()
    w.g = inp.t() @ out.g
    b.g = out.g.sum(0)


# In[ ]:




