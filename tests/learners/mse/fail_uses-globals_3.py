# %% cell 1
# course-v3's notebooks start from the previous one's exported module, which only the learner's machine has
from exp.nb_01 import *
# %% cell 2
class Mse():
    def __call__(self, inp, targ):
        self.inp, self.targ = inp, targ
        self.out = (inp.squeeze() - targ).pow(2).mean()
        return self.out

    def backward(self):
        # the batch size, with math.prod from nb_01's `import math`
        self.inp.g = 2. * (self.inp.squeeze() - self.targ).unsqueeze(-1) / math.prod(self.targ.shape)
