# In[7]:


# the loss and its check, run only once the data has been loaded
if "x_train" in globals() and len(x_train):
    class Mse():
        def __call__(self, inp, targ):
            self.inp, self.targ = inp, targ
            self.out = (inp.squeeze(-1) - targ).pow(2).mean()
            return self.out

        def backward(self):
            self.inp.g = 2. * (self.inp.squeeze(-1) - self.targ).unsqueeze(-1) / self.targ.shape[0]

    loss = Mse()(preds, y_train)
    print(loss)
