# %%
class Relu():
    def __call__(self, inp):
        self.inp = inp
        self.out = inp.clamp_min(0.)
        return self.out

    def backward(self): self.inp.g = (self.inp > 0).float() * self.out.g

# %%
# an experiment without the chain rule, switched off again
if False:
    class Relu():
        def __call__(self, inp):
            self.inp = inp
            self.out = inp.clamp_min(0.)
            return self.out

        def backward(self): self.inp.g = (self.inp > 0).float()
    print(Relu()(x_train[:2]))
