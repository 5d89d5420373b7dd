"""Exercise: the lesson's whole step, `forward_and_backward(inp, targ)`, with the learner's own `lin_grad`."""
import inspect
import textwrap

from .. import lesson
from .lin_grad import HINTS_BY_CODE as LIN_GRAD_HINTS
from .spec import Exercise, Variant

STATEMENT = r"""
### Forward and backward through the whole model

Put the pieces together: `forward_and_backward(inp, targ)` runs the 784-50-1 model forward
(`lin`, `relu`, `lin`, then the mean squared error), then the chain rule backwards, from the loss to the input:
$$\frac{\partial L}{\partial \text{out}} \;\to\; \text{lin\_grad (layer 2)} \;\to\; \text{relu} \;\to\;
\text{lin\_grad (layer 1)}$$
Like the lesson's, it reads the notebook's `w1, b1, w2, b2`, the lesson's `lin` and `relu` (the checker
gives it those, whatever your notebook defines), and calls **your** `lin_grad`; afterwards
`inp.g`, `w1.g`, `b1.g`, `w2.g` and `b2.g` hold the gradients of the loss. The checker first checks your
`lin_grad` alone (a wrong one is named first), then runs your function with its own `w1, b1, w2, b2` on six
batches and compares every gradient with autograd's.
"""

STUB = '''\
def forward_and_backward(inp, targ):
    # forward pass: the model of notebook 01 (w1, b1, w2, b2 are the notebook's; lin and relu the lesson's)
    l1 = lin(inp, w1, b1)
    l2 = relu(l1)
    out = lin(l2, w2, b2)
    diff = out[:, 0] - targ
    loss = diff.pow(2).mean()

    # backward pass, from the loss back to inp. TODO: dloss/dout, with out's shape (n, 1)
    out.g = ...
    lin_grad(l2, out, w2, b2)  # sets l2.g, w2.g and b2.g
    # TODO: through relu: l1.g from l2.g
    l1.g = ...
    lin_grad(inp, l1, w1, b1)  # sets inp.g, w1.g and b1.g
'''

HINTS = (
    "The loss is mean(diff²) with diff = out[:, 0] - targ: its derivative by out[i, 0] is 2·diff[i]/n. "
    "out has shape (n, 1), so out.g needs that shape too (`diff[:, None]`).",
    "Each lin_grad call needs the .g of its `out` argument to be set already: go from the loss backwards.",
    "ReLU passes the gradient where its input l1 was positive and blocks it elsewhere: a 0/1 mask times l2.g.",
    "Use the globals the lesson uses (w1, b1, w2, b2) and your own lin_grad: the checker provides the first, "
    "your code the second.",
)

HINTS_BY_CODE = {
    "batch-scale": ("The loss is a mean over the batch, so its gradient carries a 1/n. Is yours divided by the size "
                    "of the batch you are given, `inp.shape[0]`, exactly once?",),
    "scale": ("Differentiate diff² once more, constant factor included.",),
    "ignores-mask": ("Between l2.g and l1.g sits ReLU: where l1 was negative, its output did not move.",),
    "inverted-mask": ("ReLU passes the gradient where its input l1 was positive.",),
    "activation-not-mask": ("ReLU's local derivative is 0 or 1, a mask, not the activation's value.",),
    "missing-chain-rule": ("Where does `l2.g` appear in your line for `l1.g`? It carries everything above ReLU.",),
    "loss-grad-shape": ("Print `out.shape` and `out.g.shape`: a gradient has exactly the shape of its tensor.",
                        "`diff[:, None]` (or `diff.unsqueeze(-1)`) turns the n values back into a column."),
    "broadcast-outer": ("Print `(out - targ).shape` on a batch of 64: (n, 1) minus (n,) broadcasts to (n, n).",
                        "Subtract the column `out[:, 0]` from `targ`: both then have shape (n,)."),
}

SOLUTION = inspect.getsource(lesson.lin_grad) + "\n\n" + lesson.FORWARD_AND_BACKWARD


def _reference():
    """The lesson's function, defined in a namespace of its own (the harness puts w1..b2 there per case)."""
    ns = dict(lesson.LESSON_NAMES, lin_grad=lesson.lin_grad)
    exec(compile(lesson.FORWARD_AND_BACKWARD, "<tutor lesson: forward_and_backward>", "exec"), ns)
    return ns["forward_and_backward"]


def variant(old: str, new: str, *more: str) -> str:
    """The lesson's solution with one line (or more: old, new, old, new...) replaced by a wrong one."""
    text = lesson.FORWARD_AND_BACKWARD
    for a, b in zip((old, *more[::2]), (new, *more[1::2])):
        assert a in text, a
        text = text.replace(a, b)
    return inspect.getsource(lesson.lin_grad) + "\n\n" + text


EXERCISE = Exercise(
    name="forward_and_backward",
    title="The whole step: forward_and_backward(inp, targ)",
    entry="forward_and_backward",
    unit="model",
    style="function",
    statement=textwrap.dedent(STATEMENT),
    stub=STUB,
    reference=_reference(),
    reference_source=SOLUTION,
    hints=HINTS,
    hints_by_code={**LIN_GRAD_HINTS, **HINTS_BY_CODE},  # a wrong lin_grad is named first: its own ladder
    variants=(
        Variant("batch-scale", variant("out.g = 2.*diff[:,None] / inp.shape[0]", "out.g = 2.*diff[:,None]"),
                "{tensor} is off by the batch size: the loss is a mean, so its gradient carries a 1/n"),
        Variant("scale", variant("out.g = 2.*diff[:,None] / inp.shape[0]", "out.g = diff[:,None] / inp.shape[0]"),
                "{tensor} is off by a factor of 2: the derivative of diff² is 2·diff"),
        Variant("ignores-mask", variant("l1.g = (l1>0).float() * l2.g", "l1.g = l2.g"),
                "{tensor} is what it would be without ReLU: its gradient passes where the input l1 was positive "
                "and is blocked elsewhere"),
        Variant("inverted-mask", variant("l1.g = (l1>0).float() * l2.g", "l1.g = (l1<0).float() * l2.g"),
                "{tensor} lets ReLU's gradient through exactly where it should be blocked: the mask is inverted"),
        Variant("wrong-mask", variant("l1.g = (l1>0).float() * l2.g", "l1.g = (l2.g>0).float() * l2.g"),
                "{tensor} masks by where the gradient flowing in is positive: ReLU's mask is where its input l1 "
                "was positive, whatever the sign of the gradient"),
        Variant("activation-not-mask", variant("l1.g = (l1>0).float() * l2.g", "l1.g = l2 * l2.g"),
                "{tensor} multiplies by ReLU's output instead of a 0/1 mask of where l1 was positive"),
        # (on float64 cases it raises in lin_grad, a float32 mask meeting float64 weights: named word for word too)
        Variant("missing-chain-rule", variant("l1.g = (l1>0).float() * l2.g", "l1.g = (l1>0).float()"),
                "{tensor} comes from an l1.g that is ReLU's 0/1 mask alone: the chain rule multiplies it by the "
                "gradient flowing in from above, l2.g"),
        Variant("missing-chain-rule", variant("l1.g = (l1>0).float() * l2.g", "l1.g = (l1>0).float() * out.g"),
                "{tensor} comes from an l1.g that multiplies ReLU's mask by out.g, the loss's gradient: the gradient "
                "flowing into ReLU is l2.g, which the second lin_grad has just set"),
        Variant("missing-chain-rule", variant("l1.g = (l1>0).float() * l2.g", "l1.g = (l1>0).float() * out"),
                "{tensor} comes from an l1.g that multiplies ReLU's mask by out, the model's output, instead of a "
                "gradient: the chain rule multiplies it by the gradient flowing into ReLU from above, l2.g"),
        # (their errors, raised in lin_grad from out.g's shape, name them word for word: a batch of 1 runs through)
        Variant("loss-grad-shape", variant("out.g = 2.*diff[:,None] / inp.shape[0]", "out.g = 2.*diff / inp.shape[0]"),
                "{tensor} comes from an out.g of shape (n,), but out has shape (n, 1): diff = out[:,0] - targ has "
                "one value per example, so out.g needs its column back (`diff[:, None]` turns n values into a "
                "column)"),
        Variant("broadcast-outer", variant("diff = out[:,0]-targ", "diff = out-targ",
                                           "out.g = 2.*diff[:,None] / inp.shape[0]", "out.g = 2.*diff / inp.shape[0]"),
                "{tensor} comes from an out.g of shape (n, n): out (n, 1) minus targ (n,) broadcasts to every pair "
                "of examples. Take out's column first, `diff = out[:,0] - targ`, and give out.g the shape of out"),
    ),
    trapped=(lesson.lin_grad, lesson.forward_and_backward),
    provided=("w1", "b1", "w2", "b2", "lin", "relu"),  # the lesson's lin and relu, whatever the notebook's are
    signature="forward_and_backward(inp, targ)",
)
