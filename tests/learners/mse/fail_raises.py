# Mse.bwd takes the lesson's parameters in the lesson's order but reads the batch size from `out`, which is the
# loss (a 0-d tensor) here: it raises. Named `raises` with its line, not `wrong-signature` (the signature is right).
class Mse(Module):
    def forward(self, inp, targ): return (inp.squeeze() - targ).pow(2).mean()
    def bwd(self, out, inp, targ): inp.g = 2*(inp.squeeze()-targ).unsqueeze(-1) / out.shape[0]
