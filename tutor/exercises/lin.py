"""Exercise: the `Lin` layer as a class on the lesson's `Module` (`bwd`) or in the earlier `backward` style."""
import inspect
import textwrap

from .. import lesson
from .lin_grad import HINTS_BY_CODE, MISTAKES
from .spec import Exercise, Variant

STATEMENT = r"""
### A linear layer that knows its own backward

Wrap the linear layer in a class. With the lesson's `Module` base, `__call__` stores the inputs in
`self.args` and the result in `self.out`, and `backward()` calls `self.bwd(self.out, *self.args)`:
write `forward(self, inp)` ($\text{out} = \text{inp}\,w + b$) and `bwd(self, out, inp)`, which sets
`inp.g`, `self.w.g` and `self.b.g` from `out.g`.

The earlier style works too: a class without a base whose `__call__` stores `self.inp` and `self.out`
and whose `backward(self)` sets `self.inp.g`, `self.w.g`, `self.b.g`.
"""

STUB = '''\
class Lin(Module):
    def __init__(self, w, b): self.w, self.b = w, b

    def forward(self, inp):
        # TODO: the layer's output for a batch inp of shape (n, in)
        return ...

    def bwd(self, out, inp):
        # out.g holds dL/dout. TODO: set inp.g, self.w.g and self.b.g
        inp.g = ...
        self.w.g = ...
        self.b.g = ...
'''

HINTS = (
    "forward is one line: the same linear function as `lin(x, w, b)` earlier in the lesson.",
    "bwd needs the same three gradients as lin_grad: inp.g, w.g and b.g, each the shape of its tensor.",
    "Inside bwd, the weights are self.w and self.b; the upstream gradient is out.g (also self.out.g).",
    "Use only bwd's arguments and self: a name from the notebook (like a global `inp`) is not there when "
    "the layer is used inside a model.",
)


def as_class(lines: str) -> str:
    """A Module-style Lin whose bwd runs the given lin_grad body."""
    return ("class Lin(Module):\n"
            "    def __init__(self, w, b): self.w, self.b = w, b\n"
            "    def forward(self, inp): return inp @ self.w + self.b\n"
            "    def bwd(self, out, inp):\n"
            "        w, b = self.w, self.b\n" + textwrap.indent(lines, "        ") + "\n")


EXERCISE = Exercise(
    name="lin",
    title="The Lin layer: Lin.bwd / Lin.backward",
    entry="Lin",
    unit="linear",
    style="class",
    statement=STATEMENT,
    stub=STUB,
    reference=lesson.Lin,
    reference_source=inspect.getsource(lesson.Lin),
    hints=HINTS,
    hints_by_code=HINTS_BY_CODE,
    signature="bwd(self, out, inp)",
    variants=tuple(Variant(code, as_class(lines), msg) for code, lines, msg in MISTAKES),
    forward="out",
    trapped=(lesson.lin_grad,),
)
