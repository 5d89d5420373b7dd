# fastbook's LayerFunction layers keeping copies of their weights (w.clone()): the gradients go to the copies.
# fastbook ch17: LayerFunction with bwd(self, output, inp)
class LayerFunction():
    def __call__(self, *args):
        self.args = args
        self.out = self.forward(*args)
        return self.out
    def forward(self):  raise Exception('not implemented')
    def bwd(self):      raise Exception('not implemented')
    def backward(self): self.bwd(self.out, *self.args)

class Relu(LayerFunction):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, output, inp): inp.g = (inp>0).float() * output.g

class Lin(LayerFunction):
    def __init__(self, w, b): self.w,self.b = w.clone(),b.clone()
    def forward(self, inp): return inp@self.w + self.b
    def bwd(self, output, inp):
        inp.g = output.g @ self.w.t()
        self.w.g = torch.einsum("bi,bj->ij", inp, output.g)
        self.b.g = output.g.sum(0)

class Mse(LayerFunction):
    def forward (self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()
    def bwd(self, output, inp, targ):
        inp.g = 2*(inp.squeeze()-targ).unsqueeze(-1) / targ.shape[0]

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
