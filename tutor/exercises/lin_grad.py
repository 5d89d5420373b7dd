"""Exercise: the gradients of a linear layer, `lin_grad(inp, out, w, b)`."""
import inspect
import textwrap

from .. import lesson
from .spec import Exercise, Variant

STATEMENT = r"""
### The gradients of a linear layer

The forward pass computed `out = inp @ w + b`, that is
$$y_{ij} = \sum_k x_{ik}\, w_{kj} + b_j$$
for every example $i$ of the batch. The layers above have already stored
$\dfrac{\partial L}{\partial y_{ij}}$ in `out.g`.

Write `lin_grad(inp, out, w, b)` so that it **sets** `inp.g`, `w.g` and `b.g` to
$\dfrac{\partial L}{\partial x}$, $\dfrac{\partial L}{\partial w}$, $\dfrac{\partial L}{\partial b}$ — the chain rule
sums over every path from a parameter to the loss:
$$\frac{\partial L}{\partial w_{kj}} = \sum_i \frac{\partial L}{\partial y_{ij}}\,\frac{\partial y_{ij}}{\partial w_{kj}}$$
Each gradient has exactly the shape of the tensor it belongs to. No autograd: the point is to do it by hand.
"""

STUB = '''\
def lin_grad(inp, out, w, b):
    # out = inp @ w + b, and out.g holds dL/dout (same shape as out).
    # TODO: set inp.g, w.g and b.g, each the same shape as the tensor it belongs to.
    inp.g = ...
    w.g = ...
    b.g = ...
'''

HINTS = (
    "Start from the shapes: inp is (n, in), w is (in, out), b is (out,), out.g is (n, out). "
    "Which products of these give (n, in), (in, out) and (out,)?",
    "y = x @ w is a sum of products: a small change in one x_ik moves every y_ij in row i by w_kj. "
    "Collect those changes, weighted by out.g, over j.",
    "The bias is added to every example of the batch, so every example's out.g contributes to b's gradient.",
    "inp.g uses out.g and w; w.g uses inp and out.g; b.g uses only out.g. Transposing a 2-D tensor: `.t()` or `.T`.",
)

# A ladder per named mistake: each rung nudges further, none writes the line (shared with the Lin exercise).
HINTS_BY_CODE = {
    "not-summed-over-batch": (
        "Compare the shape of your `b.g` with the shape of `b`: one has a row per example, the other does not.",
        "$b_j$ is added to $y_{ij}$ for every example $i$, so $\\partial L/\\partial b_j$ collects a "
        "contribution from every row of `out.g`.",
        "Which reduction over the batch axis (axis 0) turns an $(n, \\text{out})$ tensor into $(\\text{out},)$?",
    ),
    "wrong-reduction": (
        "`b` has one entry per output unit: which axis of `out.g` indexes the output units, and which the examples?",
        "Reduce over the examples' axis, keep the units' axis.",
    ),
    "batch-scale": (
        "Your gradient is off by exactly the batch size: look for a mean, or a division by $n$, you added.",
        "`out.g` already carries the loss's $1/n$: the chain rule does not average a second time.",
    ),
    "scale": (
        "Your gradient has the right pattern but the wrong size: a constant factor crept in or went missing.",
        "Write the derivative of one term, $\\partial y_{ij}/\\partial w_{kj}$, and check every factor "
        "in your line against it.",
    ),
    "sign-flipped": (
        "Your gradient is exactly minus the right one: where could a minus sign have come from?",
    ),
    "transposed": (
        "Compare your `w.g`'s shape with `w`'s: rows and columns are swapped.",
        "Which of the two factors should come first so that the result is $(\\text{in}, \\text{out})$?",
    ),
    "elementwise-instead-of-matmul": (
        "The forward pass used a matrix product `@`; an elementwise `*` only pairs entries at the same position.",
        "Each $\\partial L/\\partial w_{kj}$ sums over the examples $i$: a sum of products is a matrix product.",
        "Write down the shapes of the two factors and of the result you need, then pick the transposes.",
    ),
    "missing-chain-rule": (
        "Where does `out.g` appear in your code? It carries everything above this layer.",
        "The chain rule multiplies the local derivative by the gradient flowing in from above.",
    ),
    "wrong-shape": (
        "Each gradient has exactly the shape of its tensor: print `w.g.shape` beside `w.shape`.",
    ),
    "missing-grad": (
        "One of `inp.g`, `w.g`, `b.g` was never set: the layer below needs `inp.g`, the update needs `w.g` and "
        "`b.g`.",
    ),
}

CORRECT = {
    "inp": "inp.g = out.g @ w.t()",
    "w": "w.g = inp.t() @ out.g",
    "b": "b.g = out.g.sum(0)",
}


def body(**wrong: str) -> str:
    """The three lines of a lin_grad body, with some replaced by a wrong version."""
    return "\n".join({**CORRECT, **wrong}[k] for k in ("inp", "w", "b"))


def as_function(lines: str) -> str:
    """A lin_grad definition around a body."""
    return "def lin_grad(inp, out, w, b):\n" + textwrap.indent(lines, "    ") + "\n"


ELEMENTWISE_W = ("{tensor} used an elementwise product `*` where a matrix product is needed: "
                 "the gradient of w sums over the examples of the batch")

ACTIVATION = ("{tensor} was computed from the layer's output `out` instead of its gradient `out.g`: the chain "
              "rule multiplies by the gradient flowing in from above, not by the activation")

# (code, body lines, message) — shared with the Lin exercise, which wraps the same bodies in a class.
MISTAKES = (
    ("not-summed-over-batch", body(b="b.g = out.g"),
     "{tensor} holds one row per example: the bias is shared by the whole batch, so each example's "
     "contribution has to be gathered into a single gradient of b's shape"),
    # a loop over the examples that keeps only the last one's contribution: `=` where `+=` was meant, and the
    # bias's `+=` dedented out of the loop
    ("not-summed-over-batch", body(w="for i in range(inp.shape[0]):\n    w.g = torch.outer(inp[i], out.g[i])"),
     "{tensor} holds only the last example's contribution: in the loop over the batch, `=` replaces what the "
     "examples before it gave. Start from zeros and add each one (`+=`), or let a matrix product sum them"),
    ("not-summed-over-batch", body(b="b.g = torch.zeros_like(b)\nfor i in range(inp.shape[0]):\n    pass\n"
                                      "b.g += out.g[i]"),
     "{tensor} holds only the last example's out.g: the `+=` that gathers the examples runs once, after the loop "
     "(is it indented inside it?)"),
    # PyTorch's habit: adding to the gradient (it raises here, where nothing set w.g before)
    ("not-repeatable", body(w="w.g += inp.t() @ out.g"),
     "{tensor} is added to (`+=`) before anything set it: the lesson's backward sets each gradient with `=` "
     "(adding would also carry the last step's gradient into this one, unless something clears it between steps)"),
    ("wrong-reduction", body(b="b.g = out.g.sum(1)"),
     "{tensor} was reduced over the wrong axis: the bias has one entry per output unit, and what is "
     "gathered is the contribution of each example"),
    ("batch-scale", body(b="b.g = out.g.mean(0)"),
     "{tensor} is off by the batch size: out.g already carries the 1/n of the loss's mean, so "
     "averaging again divides by n twice"),
    ("transposed", body(w="w.g = out.g.t() @ inp"),
     "{tensor} came back transposed: its rows and columns are swapped relative to w"),
    ("transposed", body(inp="inp.g = out.g @ w"),
     "{tensor} needs w transposed, `w.t()`: out.g has one column per output of the layer, and w one row per "
     "input, so it is w's transpose that maps the outputs' gradient back to the inputs"),
    ("elementwise-instead-of-matmul", body(inp="inp.g = out.g * w.t()"),
     "{tensor} used an elementwise product `*` where the layer used a matrix product: "
     "the gradient of a matrix product needs a matrix product too"),
    ("elementwise-instead-of-matmul", body(w="w.g = inp.t() * out.g"),
     ELEMENTWISE_W),
    ("elementwise-instead-of-matmul", body(w="w.g = inp * out.g"),
     ELEMENTWISE_W),
    ("missing-chain-rule", "g = torch.ones_like(out.g)\n" + body(
        inp="inp.g = g @ w.t()", w="w.g = inp.t() @ g", b="b.g = g.sum(0)"),
     "{tensor} does not use the upstream gradient out.g: the chain rule multiplies the local "
     "derivative by the gradient flowing in from above"),
    *(("missing-chain-rule", body(**{k: line}), ACTIVATION) for k, line in
      (("w", "w.g = inp.t() @ out"), ("inp", "inp.g = out @ w.t()"), ("b", "b.g = out.sum(0)"))),
)

EXERCISE = Exercise(
    name="lin_grad",
    title="Gradients of a linear layer: lin_grad(inp, out, w, b)",
    entry="lin_grad",
    unit="linear",
    style="function",
    statement=STATEMENT,
    stub=STUB,
    reference=lesson.lin_grad,
    reference_source=inspect.getsource(lesson.lin_grad),
    hints=HINTS,
    hints_by_code=HINTS_BY_CODE,
    signature="lin_grad(inp, out, w, b)",
    variants=tuple(Variant(code, as_function(lines), msg) for code, lines, msg in MISTAKES),
)
