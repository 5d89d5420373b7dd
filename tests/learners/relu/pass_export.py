#!/usr/bin/env python
# coding: utf-8

# # The gradient of ReLU

# In[1]:


import tutor
from tutor.lesson import Module
get_ipython().run_line_magic('matplotlib', 'inline')


# In[2]:


x_train, y_train, x_valid, y_valid = tutor.mnist()


# In[3]:


get_ipython().run_cell_magic('exercise', 'relu', 'class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n    def bwd(self, out, inp): inp.g = (inp>0).float() * out.g\n')


# In[ ]:


Relu()(x_train[:3])
