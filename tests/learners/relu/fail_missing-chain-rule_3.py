# a class defined (and tried) inside a loop: the notebook has it afterwards all the same
# %%
for trial in range(1):
    class Relu():
        def __call__(self, inp):
            self.inp = inp
            self.out = inp.clamp_min(0.)
            return self.out

        def backward(self): self.inp.g = (self.inp > 0).float()
    r = Relu()
    print(r(x_train[:5]).shape)
