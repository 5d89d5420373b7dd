# backprop-ninja style, but the label's 1 taken away with g[:, targ]: whole columns in every row
class CrossEntropy(Module):
    def forward(self, logits, Yb): return F.cross_entropy(logits, Yb)
    def bwd(self, out, logits, Yb):
        n = logits.shape[0]
        dlogits = F.softmax(logits, 1)
        dlogits[:, Yb] -= 1
        dlogits /= n
        logits.g = dlogits
