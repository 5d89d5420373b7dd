# forward: the log of a softmax that has rounded to 0 on logits of ±100
class CrossEntropy(Module):
    def forward(self, inp, targ):
        self.probs = inp.softmax(dim=1)
        return -self.probs[range(len(targ)), targ].log().mean()
    def bwd(self, out, inp, targ):
        g = self.probs.clone()
        g[range(len(targ)), targ] -= 1
        inp.g = g / len(targ)
