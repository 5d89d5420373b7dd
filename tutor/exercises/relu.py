"""Exercise: the gradient of ReLU, `Relu.bwd` (or `Relu.backward` in the earlier style)."""
import inspect

from .. import lesson
from .spec import Exercise, Variant

STATEMENT = r"""
### The gradient of ReLU

$\text{relu}(x) = \max(x, 0)$ elementwise, so its local derivative is
$$\frac{\partial\, \text{relu}(x)}{\partial x} = \begin{cases} 1 & x > 0 \\ 0 & x < 0 \end{cases}$$
(at exactly $x = 0$ either value is accepted). `out.g` holds $\dfrac{\partial L}{\partial\,\text{out}}$.

Write `Relu` on the lesson's `Module`: `forward(self, inp)` and `bwd(self, out, inp)` setting `inp.g`.
(The earlier style — `__call__` storing `self.inp`/`self.out`, and `backward(self)` — works too.)
"""

STUB = '''\
class Relu(Module):
    def forward(self, inp):
        # TODO: max(inp, 0), elementwise
        return ...

    def bwd(self, out, inp):
        # out.g holds dL/dout. TODO: set inp.g
        inp.g = ...
'''

HINTS = (
    "inp.g has the shape of inp, and each entry depends only on the same entry of inp and of out.g.",
    "Where the input was positive, the gradient passes through unchanged; elsewhere it is blocked.",
    "A comparison like `inp > 0` gives a tensor of True/False; `.float()` turns it into 1/0.",
)

HINTS_BY_CODE = {
    "activation-not-mask": (
        "ReLU's local derivative is not its output: it only says whether the input got through.",
        "On the positive side $\\text{relu}(x) = x$, so its slope there is 1; on the negative side the slope is 0.",
        "Build a tensor of 0s and 1s from where `inp` was positive, and use that in place of `out`.",
    ),
    "ignores-mask": (
        "Where the input was negative, ReLU's output did not move when the input moved: what gradient flows there?",
        "Multiply `out.g` by something that is 0 exactly where the input was not positive.",
    ),
    "inverted-mask": (
        "Your gradient flows exactly where it should be blocked: check the direction of your comparison.",
    ),
    "wrong-mask": (
        "The mask is made from the wrong tensor or threshold: it must say where the *input* was above 0.",
    ),
    "missing-chain-rule": (
        "Where does `out.g` appear in your code? ReLU's slope has to be multiplied by the gradient from above.",
    ),
    "scale": (
        "The pattern is right but the size is not: ReLU's slope is exactly 1 where it lets the input through.",
    ),
    "sign-flipped": (
        "Your gradient is exactly minus the right one: ReLU's slope is never negative.",
    ),
    "shifted-relu": (
        "This lesson's ReLU is $\\max(x, 0)$: drop the `- 0.5`, which fastai's 2019 course (course-v3) added to "
        "re-centre the activations.",
        "The shift does not change ReLU's slope, so the backward needs no change for it.",
    ),
}


def as_class(line: str) -> str:
    """A Module-style Relu whose bwd sets inp.g by the given expression."""
    return ("class Relu(Module):\n"
            "    def forward(self, inp): return inp.clamp_min(0.)\n"
            f"    def bwd(self, out, inp): inp.g = {line}\n")


EXERCISE = Exercise(
    name="relu",
    title="The gradient of ReLU: Relu.bwd / Relu.backward",
    entry="Relu",
    unit="relu",
    style="class",
    statement=STATEMENT,
    stub=STUB,
    reference=lesson.Relu,
    reference_source=inspect.getsource(lesson.Relu),
    hints=HINTS,
    hints_by_code=HINTS_BY_CODE,
    signature="bwd(self, out, inp)",
    variants=(
        Variant("activation-not-mask", as_class("out * out.g"),
                "{tensor} was multiplied by the activation itself: the local derivative of ReLU is 0 or 1, "
                "a mask of where the input was positive, not the activation's value"),
        Variant("activation-not-mask", as_class("inp * out.g"),
                "{tensor} was multiplied by the input itself: the local derivative of ReLU is 0 or 1, a mask of "
                "where the input was positive, not the input's value"),
        Variant("ignores-mask", as_class("out.g"),
                "{tensor} passes the upstream gradient through everywhere: where the input was negative, "
                "ReLU's output did not move, so no gradient flows back there"),
        Variant("inverted-mask", as_class("(inp < 0).float() * out.g"),
                "{tensor} lets the gradient through exactly where it should be blocked: the mask is inverted"),
        Variant("inverted-mask", as_class("(inp <= 0).float() * out.g"),
                "{tensor} lets the gradient through exactly where it should be blocked: the mask is inverted"),
        Variant("missing-chain-rule", as_class("(inp > 0).float() * out"),
                "{tensor} was computed from ReLU's output `out` instead of its gradient `out.g`: the chain rule "
                "multiplies the 0/1 mask by the gradient flowing in from above"),
        Variant("shifted-relu", "class Relu(Module):\n"
                "    def forward(self, inp): return inp.clamp_min(0.) - 0.5\n"
                "    def bwd(self, out, inp): inp.g = (inp > 0).float() * out.g\n",
                "{tensor} comes from a forward that returns `clamp_min(0.) - 0.5`, the shifted ReLU of fastai's "
                "2019 course (course-v3): this lesson's ReLU is plain max(inp, 0), and the shift moves its output "
                "and every gradient after it in the model"),
        Variant("missing-chain-rule", as_class("(inp > 0).float()"),
                "{tensor} does not use the upstream gradient out.g: the chain rule multiplies ReLU's local "
                "derivative by the gradient flowing in from above"),
    ),
    forward="out",
)
