"""Exercise: the gradient of the MSE loss, `Mse.bwd` (or `Mse.backward` in the earlier style)."""
import inspect

from .. import lesson
from .spec import Exercise, Variant

STATEMENT = r"""
### The gradient of the loss

The model's output `inp` has shape $(n, 1)$, the targets `targ` shape $(n,)$, and
$$L = \frac{1}{n}\sum_{i=1}^{n} \left(x_i - t_i\right)^2 .$$
Write `Mse` on the lesson's `Module`: `forward(self, inp, targ)` returning $L$, and `bwd(self, out, inp, targ)`
setting `inp.g` $= \dfrac{\partial L}{\partial x}$ — with the shape of `inp`, $(n, 1)$.
(The earlier style — `__call__` storing `self.inp`/`self.targ`/`self.out`, and `backward(self)` — works too.)
Watch the shapes: $(n,1)$ minus $(n,)$ broadcasts to $(n,n)$.
"""

STUB = '''\
class Mse(Module):
    def forward(self, inp, targ):
        # inp: (n, 1) predictions, targ: (n,) targets. TODO: the mean squared error (a scalar)
        return ...

    def bwd(self, out, inp, targ):
        # TODO: set inp.g, the same shape as inp: (n, 1)
        inp.g = ...
'''

HINTS = (
    "Differentiate one term: d/dx_i of (x_i - t_i)^2 is 2(x_i - t_i). Then remember the 1/n in front.",
    "inp is (n, 1) and targ is (n,): subtracting them directly broadcasts to (n, n). "
    "Line their shapes up first (`squeeze`, `unsqueeze`, or indexing with `[:, 0]` / `[:, None]`).",
    "The loss is where backprop starts: there is no out.g to multiply by here.",
)


def as_class(line: str) -> str:
    """A Module-style Mse whose bwd sets inp.g by the given expression."""
    return ("class Mse(Module):\n"
            "    def forward(self, inp, targ): return (inp.squeeze(-1) - targ).pow(2).mean()\n"
            f"    def bwd(self, out, inp, targ): inp.g = {line}\n")


EXERCISE = Exercise(
    name="mse",
    title="The gradient of the loss: Mse.bwd / Mse.backward",
    entry="Mse",
    unit="mse",
    style="class",
    statement=STATEMENT,
    stub=STUB,
    reference=lesson.Mse,
    reference_source=inspect.getsource(lesson.Mse),
    hints=HINTS,
    variants=(
        Variant("broadcast-outer", as_class("2 * (inp - targ) / targ.shape[0]"),
                "{tensor} came back (n, n): a (n, 1) tensor minus a (n,) tensor broadcasts to every pair "
                "of examples. Line the two shapes up before subtracting"),
        Variant("wrong-reduction", as_class("(2 * (inp.squeeze(-1) - targ) / targ.shape[0]).sum()"),
                "{tensor} was summed over the batch: each example's prediction gets its own gradient"),
    ),
    forward="loss",
)
