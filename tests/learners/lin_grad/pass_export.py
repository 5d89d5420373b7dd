#!/usr/bin/env python
# coding: utf-8

# In[1]:


import tutor


# In[2]:


get_ipython().run_cell_magic('exercise', 'lin_grad', 'def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)\n')
