# A Relu that counts its calls in a global set at the top: `n_calls += 1` reads it (the symbol table calls an
# augmented assignment a store only, so the counter's definition was left out: NameError in every case).
n_calls = 0
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
    def bwd(self, out, inp):
        global n_calls
        n_calls += 1
        inp.g = (inp > 0).float() * out.g
