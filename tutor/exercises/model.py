"""Exercise: the lesson's `Model(w1, b1, w2, b2)`: `layers`, `loss`, `__call__(x, targ)` and `backward()`."""
import inspect

from .. import lesson
from .lin import HINTS_BY_CODE as LIN_HINTS
from .mse import HINTS_BY_CODE as MSE_HINTS
from .relu import HINTS_BY_CODE as RELU_HINTS
from .spec import Exercise, Variant

STATEMENT = r"""
### The model as a list of layers

Write the lesson's `Model`: `__init__(self, w1, b1, w2, b2)` keeps a list `self.layers` (your `Lin`, your `Relu`,
your `Lin`) and the loss `self.loss` (your `Mse`); `__call__(self, x, targ)` runs `x` through every layer and
returns the loss against `targ`; `backward(self)` runs the chain rule the other way: the loss's `backward()` first,
then each layer's, **last to first**. Afterwards `x.g`, `w1.g`, `b1.g`, `w2.g` and `b2.g` hold the gradients.

The checker first checks your `Lin`, `Relu` and `Mse` alone (a wrong piece is named first), then the model on six
batches against autograd.
"""

STUB = '''\
class Model:
    def __init__(self, w1, b1, w2, b2):
        # TODO: your Lin, Relu and Lin, in order; and your Mse as the loss
        self.layers = ...
        self.loss = ...

    def __call__(self, x, targ):
        # TODO: run x through every layer, then return the loss of the result against targ
        ...

    def backward(self):
        # TODO: the loss's backward first, then every layer's, the last layer first
        ...
'''

HINTS = (
    "`self.layers = [Lin(w1, b1), Relu(), Lin(w2, b2)]` is the whole network; the loss is a separate object.",
    "In __call__, each layer's output is the next layer's input: `for l in self.layers: x = l(x)`.",
    "Each layer's backward reads the .g of its output, which the layer after it (or the loss) set: so the loss "
    "goes first, then `reversed(self.layers)`.",
)

HINTS_BY_CODE = {
    "missing-layer": ("Count the layers of the lesson's model: a linear layer, the activation, a linear layer.",),
    "extra-layer": ("Count the layers of the lesson's model: the last one is linear, its output goes straight to "
                    "the loss.",),
    "raises": ("Each backward reads the `.g` of its layer's output, set by whatever came after it: the loss's "
               "backward first, then the layers from the last to the first.",),
}

PIECES = "".join(inspect.getsource(c) + "\n\n" for c in (lesson.Relu, lesson.Lin, lesson.Mse))
MODEL = inspect.getsource(lesson.Model)


def variant(old: str, new: str) -> str:
    """The lesson's pieces and Model with one line of Model replaced by a wrong one."""
    assert old in MODEL, old
    return PIECES + MODEL.replace(old, new)


EXERCISE = Exercise(
    name="model",
    title="The model: Model(w1, b1, w2, b2) with layers, loss and backward()",
    entry="Model",
    unit="model",
    style="class",
    statement=STATEMENT,
    stub=STUB,
    reference=lesson.Model,
    reference_source=PIECES + MODEL,
    hints=HINTS,
    hints_by_code={**MSE_HINTS, **RELU_HINTS, **LIN_HINTS, **HINTS_BY_CODE},  # a wrong piece is named first
    variants=(
        Variant("missing-layer", variant("[Lin(w1,b1), Relu(), Lin(w2,b2)]", "[Lin(w1,b1), Lin(w2,b2)]"),
                "{tensor} is the gradient of a network without its ReLU: self.layers needs Lin, Relu, Lin"),
        Variant("extra-layer", variant("[Lin(w1,b1), Relu(), Lin(w2,b2)]", "[Lin(w1,b1), Relu(), Lin(w2,b2), Relu()]"),
                "{tensor} is what a network with a ReLU after its last layer too gives (the loss then sees "
                "max(prediction, 0)): self.layers is Lin, Relu, Lin, nothing after"),
    ),
    forward="loss",
    trapped=(lesson.Lin, lesson.Relu, lesson.Mse, lesson.lin_grad, lesson.forward_and_backward),
    provided=("w1", "b1", "w2", "b2"),
    signature="Model(w1, b1, w2, b2)",
)
