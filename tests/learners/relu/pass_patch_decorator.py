# %% cell 2
def patch(f):
    "fastcore's `@patch`, the short version: add `f` to the class its `self` is annotated with"
    cls = next(iter(f.__annotations__.values()))
    setattr(cls, f.__name__, f)
    return f
# %% cell 3
class Relu(Module):
    def forward(self, inp): return inp.clamp_min(0.)
# %% cell 4
@patch
def bwd(self: Relu, out, inp):
    inp.g = (inp > 0).float() * out.g
