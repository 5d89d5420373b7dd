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
    "The loss is where backprop starts: there is no `out.g` to multiply by, only $L$ itself to differentiate.",
    "$L$ is a sum of $n$ terms and $x_i$ appears in only one of them: differentiate that one term, and keep "
    "every constant in front of the sum.",
    "inp is (n, 1) and targ is (n,): subtracting them directly broadcasts to (n, n). "
    "Line their shapes up first (`squeeze`, `unsqueeze`, or indexing with `[:, 0]` / `[:, None]`).",
)

HINTS_BY_CODE = {
    "scale": (
        "The pattern is right but the size is off by a constant: check each constant of $L$'s derivative.",
        "The derivative of a square $u^2$ is not $u$: what comes down from the exponent?",
    ),
    "batch-scale": (
        "Your gradient is off by exactly the batch size $n$: look at the $\\frac{1}{n}$ in $L$.",
        "The mean's $\\frac{1}{n}$ stays in the derivative exactly once: not dropped, not applied twice.",
    ),
    "sign-flipped": (
        "Your gradient is exactly minus the right one: which of $x_i - t_i$ and $t_i - x_i$ does $L$ differentiate "
        "into?",
    ),
    "broadcast-outer": (
        "Your `inp.g` came back $(n, n)$: print `(inp - targ).shape`.",
        "A $(n, 1)$ tensor minus a $(n,)$ tensor broadcasts to every pair: give them the same shape first.",
    ),
    "wrong-shape": (
        "`inp.g` must have the shape of `inp`, $(n, 1)$: compare the shapes of what you computed and of `inp`.",
    ),
    "wrong-reduction": (
        "Each prediction $x_i$ gets its own gradient: nothing is summed or averaged over the batch in `inp.g`.",
    ),
}


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
    hints_by_code=HINTS_BY_CODE,
    signature="bwd(self, out, inp, targ)",
    variants=(
        Variant("broadcast-outer", as_class("2 * (inp - targ) / targ.shape[0]"),
                "{tensor} came back (n, n): a (n, 1) tensor minus a (n,) tensor broadcasts to every pair "
                "of examples. Line the two shapes up before subtracting"),
        Variant("broadcast-outer", "class Mse(Module):\n"
                "    def forward(self, inp, targ): return (inp - targ).pow(2).mean()\n"
                "    def bwd(self, out, inp, targ): inp.g = 2 * (inp - targ) / targ.shape[0]\n",
                "{tensor} comes from a forward pass where inp (n, 1) minus targ (n,) broadcasts to (n, n): the loss "
                "averages the error of every prediction against every target, not each against its own. Take "
                "inp's column first (`inp.squeeze(-1)` or `inp[:,0]`), in the forward pass and in bwd"),
        Variant("wrong-reduction", as_class("(2 * (inp.squeeze(-1) - targ) / targ.shape[0]).sum()"),
                "{tensor} was summed over the batch: each example's prediction gets its own gradient"),
        Variant("raises", as_class("out.g * 2 * (inp.squeeze(-1) - targ).unsqueeze(-1) / targ.shape[0]"),
                "nothing sets the loss's `.g`: backward starts at the loss, and the loss's derivative with respect "
                "to itself is 1, so there is nothing to multiply by (a layer's bwd multiplies by out.g; the "
                "loss's does not)"),
    ),
    forward="loss",
)
