"""Exercise: the gradient of the cross-entropy loss on ten logits, `CrossEntropy.bwd` (or `.backward`)."""
import inspect
import textwrap

from .. import lesson
from .spec import Exercise, Variant

STATEMENT = r"""
### The gradient of cross-entropy

The classifier's last layer gives ten numbers per digit, the logits: `inp` has shape $(n, 10)$, and `targ`
holds the $n$ integer labels $t_i \in \{0, \dots, 9\}$. Softmax turns a row of logits into probabilities, and
the loss is the mean negative log-probability of the right label:
$$\operatorname{softmax}(x)_{ij} = \frac{e^{x_{ij}}}{\sum_k e^{x_{ik}}}, \qquad
L = -\frac{1}{n}\sum_{i=1}^{n} \log \operatorname{softmax}(x)_{i\,t_i}
  = \frac{1}{n}\sum_{i=1}^{n} \Big(\log \sum_k e^{x_{ik}} \;-\; x_{i\,t_i}\Big).$$
Write `CrossEntropy` on the lesson's `Module`: `forward(self, inp, targ)` returning $L$ (the lesson's
`log_softmax` and `nll` are there to use), and `bwd(self, out, inp, targ)` setting
`inp.g` $= \dfrac{\partial L}{\partial x}$, with the shape of `inp`. Differentiate one example's term with
respect to one logit $x_{ij}$: the case $j = t_i$ and the case $j \neq t_i$ differ.
(The earlier style — `__call__` storing `self.inp`/`self.targ`/`self.out`, and `backward(self)` — works too.)
Some logits are large, up to $\pm 100$: $e^{100}$ does not fit in a float32.
"""

STUB = '''\
class CrossEntropy(Module):
    def forward(self, inp, targ):
        # inp: (n, 10) logits, targ: (n,) integer labels. TODO: the mean negative log-likelihood (a scalar)
        return ...

    def bwd(self, out, inp, targ):
        # TODO: set inp.g, the same shape as inp: (n, 10)
        inp.g = ...
'''

HINTS = (
    "One example, one logit: the derivative of $\\log \\sum_k e^{x_k}$ with respect to $x_j$ is "
    "$e^{x_j} / \\sum_k e^{x_k}$, the softmax. The other term, $-x_t$, only depends on the logit of the right label.",
    "For $j \\neq t_i$ only the log-sum-exp term depends on $x_{ij}$; for $j = t_i$ the $-x_{i\\,t_i}$ term adds "
    "a derivative of its own. The labels are integers: pick one entry per row with `[range(n), targ]`, or build "
    "a one-hot matrix (`F.one_hot(targ, 10)`, `torch.eye(10)[targ]`).",
    "The loss is a mean over the batch: its $\\frac{1}{n}$ belongs in the gradient too. And it is the loss: there "
    "is no `out.g` to multiply by.",
    "$e^x$ overflows float32 above $x \\approx 88.7$, and these logits reach ±100. Softmax does not change when the same "
    "number is taken from a whole row: subtract each row's maximum before `exp` (the logsumexp trick), or use "
    "`log_softmax(inp).exp()` / `inp.softmax(-1)`.",
)

HINTS_BY_CODE = {
    "batch-scale": (
        "Your gradient's $\\frac{1}{n}$ is missing, doubled, a fixed number, or on only part of it: look at the "
        "$\\frac{1}{n}$ in front of $L$.",
        "The mean's $\\frac{1}{n}$ stays in the derivative exactly once: not dropped, not applied twice.",
    ),
    "missing-one-hot": (
        "Your gradient is right where $j \\neq t_i$ and wrong at each example's label: which term of $L$ depends on "
        "$x_{i\\,t_i}$ alone?",
        "$\\frac{\\partial}{\\partial x_{ij}}(-x_{i\\,t_i})$ is $-1$ when $j = t_i$ and $0$ otherwise: one entry per "
        "row, at the label's column.",
    ),
    "sign-flipped": (
        "Your gradient has the wrong sign (everywhere, or at the labels' entries): $L$ is the *negative* "
        "log-likelihood. Which way must raising the right label's logit move it?",
    ),
    "wrong-reduction": (
        "Each example's ten logits make one probability distribution: its probabilities sum to 1 over the "
        "classes. Which axis of `inp` (n, 10) is that?",
        "`softmax(dim=...)`, `sum(...)` and `max(...)` all take an axis: the classes are the last one, `-1` (or 1).",
        "A row's sum has shape $(n,)$; to divide the $(n, 10)$ rows by it, keep the axis: `keepdim=True`.",
    ),
    "not-finite": (
        "Only the case whose logits reach ±100 breaks: print `torch.tensor(100.).exp()`, and "
        "`torch.tensor(-100.).exp().log()`.",
        "Softmax does not change when the same number is taken from every logit of a row: take the row's "
        "maximum, and $e^{x - \\max}$ is never above 1.",
        "Or let the logsumexp trick do it: $\\log \\sum_k e^{x_k} = a + \\log \\sum_k e^{x_k - a}$ with $a = \\max_k x_k$ "
        "(`inp.logsumexp(-1, keepdim=True)`; `log_softmax`, `inp.softmax(-1)` use it too). A log-probability "
        "comes from `log_softmax`, never as the log of a softmax that has already rounded to 0.",
    ),
    "wrong-one-hot": (
        "Take 1 away at exactly one entry per row: row $i$, column $t_i$, and nowhere else.",
        "`g[:, targ]` picks whole columns, in every row; `nll` picks one (row, column) pair per example. The "
        "labels are column numbers, not values to subtract.",
    ),
    "wrong-shape": (
        "`inp.g` must have the shape of `inp`, $(n, 10)$: one gradient per logit, nothing summed away.",
        "Print the shape of each piece you combine, on a batch of one example: the one-hot row has 10 entries "
        "whatever the label.",
    ),
    "missing-softmax": (
        "Differentiate $\\log \\sum_k e^{x_k}$ with respect to one $x_j$: only one term of the sum depends on it.",
        "What comes out is $e^{x_j} / \\sum_k e^{x_k}$: a probability, which the logits and the log-probabilities "
        "are not.",
    ),
}

FORWARD = "-log_softmax(inp)[range(targ.shape[0]), targ].mean()"
OVERFLOW = ("{tensor} breaks down only where the logits are large (these reach ±100): in float32 e^x overflows to "
            "inf above x ≈ 88.7, and a probability below about 1e-45 rounds to 0, so inf/inf, log(inf) or log(0) "
            "poisons the row. Softmax does not change when the same number is taken from a whole row: subtract "
            "each row's maximum before exponentiating (the logsumexp trick, `inp.logsumexp(-1, keepdim=True)`), "
            "or use `inp.softmax(-1)`; take log-probabilities from `log_softmax`, not as the log of a softmax")
ONE_TERM_SCALED = "{tensor} divides only one of its two terms by n: the mean's 1/n multiplies the whole derivative"
WRONG_ONE_HOT = ("{tensor} takes 1 away in the wrong places: the one-hot row of example i holds a single 1, at "
                 "column t_i (its label), and 0 in the other nine columns")


def as_class(lines: str, forward: str = FORWARD) -> str:
    """A Module-style CrossEntropy whose bwd runs the given lines (n, sm and onehot ready for them)."""
    return ("class CrossEntropy(Module):\n"
            f"    def forward(self, inp, targ): return {forward}\n"
            "    def bwd(self, out, inp, targ):\n"
            "        n = targ.shape[0]\n"
            "        sm = log_softmax(inp).exp()\n"
            "        onehot = torch.zeros_like(inp)\n"
            "        onehot[range(n), targ] = 1.\n" + textwrap.indent(lines, "        ") + "\n")


EXERCISE = Exercise(
    name="cross_entropy",
    title="The gradient of cross-entropy: CrossEntropy.bwd / CrossEntropy.backward",
    entry="CrossEntropy",
    unit="cross_entropy",
    style="class",
    statement=STATEMENT,
    stub=STUB,
    reference=lesson.CrossEntropy,
    reference_source=inspect.getsource(lesson.CrossEntropy),
    hints=HINTS,
    hints_by_code=HINTS_BY_CODE,
    variants=(
        Variant("batch-scale", as_class("inp.g = sm - onehot"),
                "{tensor} is n times too large: the loss is the mean of the examples' losses, so each "
                "example's gradient carries a 1/n"),
        Variant("missing-one-hot", as_class("inp.g = sm / n"),
                "{tensor} is the derivative of the log-sum-exp term alone: the loss also holds a term for each "
                "example's right label, -x_(i, t_i), and its derivative is missing"),
        Variant("missing-softmax", as_class("inp.g = (inp - onehot) / n"),
                "{tensor} starts from the logits themselves: differentiate log Σ_k exp(x_k) with respect to one "
                "x_j, and what comes out is a probability, between 0 and 1 in each row, which a logit is not"),
        Variant("missing-softmax", as_class("inp.g = (log_softmax(inp) - onehot) / n"),
                "{tensor} starts from the log-probabilities: differentiate log Σ_k exp(x_k) with respect to one "
                "x_j, and what comes out is a probability, between 0 and 1, not its log"),
        Variant("missing-softmax", as_class("inp.g = (inp.exp() - onehot) / n"),
                "{tensor} uses e^x as it is: differentiate log Σ_k exp(x_k) with respect to one x_j, and what "
                "comes out is a probability, so each row's entries sum to 1"),
        Variant("missing-softmax", as_class("inp.g = (sm - 1) * onehot / n"),
                "{tensor} is set only at each example's label: log Σ_k exp(x_k) depends on every logit of the row, "
                "so every entry gets its own derivative, not only the label's"),
        Variant("wrong-one-hot", as_class("g = sm.clone()\ng[:, targ] -= 1\ninp.g = g / n"),
                WRONG_ONE_HOT + ". `g[:, targ]` picks every label's column in every row: compare how `nll` picks "
                "one entry per row"),
        Variant("wrong-one-hot", as_class("g = sm.clone()\ng[targ] -= 1\ninp.g = g / n"),
                WRONG_ONE_HOT + ". `g[targ]` picks whole rows, one per label value (row 7 for a 7): index each "
                "row at its own label, `g[range(n), targ]`, as `nll` does"),
        Variant("wrong-one-hot", as_class("inp.g = (sm - 1) / n"),
                WRONG_ONE_HOT + ", not 1 in every column"),
        Variant("wrong-one-hot", as_class("inp.g = (sm - targ[:, None]) / n"),
                WRONG_ONE_HOT + ": the label is the column where the 1 goes, not a number to subtract"),
        Variant("wrong-one-hot", as_class("inp.g = (sm - F.one_hot(inp.argmax(-1), 10)) / n"),
                WRONG_ONE_HOT + ": the right label, from `targ`, not the class the logits predict"),
        Variant("raises", as_class("inp.g = out.g * (sm - onehot) / n"),
                "a `.g` was read before anything set it. Backward starts at the loss: nothing after it sets an "
                "`out.g` (the loss's derivative with respect to itself is 1, nothing to multiply by), and `inp.g` "
                "exists only once your code has set it"),
        Variant("wrong-shape", as_class("inp.g = (sm - F.one_hot(targ)) / n"),
                "`F.one_hot(targ)` without `num_classes` makes as many columns as the largest label in the batch "
                "plus one, fewer than 10 when the batch has no 9: give it `num_classes=10` (or `inp.shape[1]`)"),
        Variant("sign-flipped", as_class("g = sm.clone()\ng[range(n), targ] = 1 - g[range(n), targ]\ninp.g = g / n"),
                "{tensor} has the wrong sign at each example's label (and only there): raising the right label's "
                "logit must lower the loss, so the derivative there is negative"),
        Variant("batch-scale", as_class("inp.g = sm - onehot / n"),
                ONE_TERM_SCALED),
        Variant("batch-scale", as_class("inp.g = sm / n - onehot"),
                ONE_TERM_SCALED),
        Variant("wrong-reduction", as_class("e = (inp - inp.max(0, keepdim=True)[0]).exp()\n"
                                            "inp.g = (e / e.sum(-1, keepdim=True) - onehot) / n"),
                "{tensor} subtracts each column's maximum, taken over the batch: the shift that leaves softmax "
                "unchanged is one number per row (per example), the row's own maximum"),
        Variant("sign-flipped", as_class("inp.g = (onehot - sm) / n"),
                "{tensor} points the wrong way: the loss is the *negative* log-likelihood, so raising the "
                "right label's logit must lower it"),
        Variant("wrong-reduction", as_class("inp.g = (inp.softmax(0) - onehot) / n"),
                "{tensor} normalises over the wrong axis: each example's ten logits make one probability "
                "distribution, so softmax sums over the classes (the last axis), not over the batch"),
        Variant("wrong-reduction", as_class("e = (inp - inp.max()).exp()\ninp.g = (e / e.sum() - onehot) / n"),
                "{tensor} normalises over the whole batch at once: each example's ten logits make one "
                "probability distribution, so each row needs a sum of its own (over the last axis)"),
        Variant("wrong-reduction", as_class("e = (inp - inp.max(-1, keepdim=True)[0]).exp()\n"
                                            "inp.g = (e / e.sum(-1) - onehot) / n"),
                "a sum (or max) over each row without `keepdim=True` has shape (n,), and dividing a "
                "(n, 10) tensor by it lines the batch up against the classes. Keep the reduced axis "
                "(`keepdim=True`, or index with `[:, None]`)"),
        Variant("not-finite", as_class("e = inp.exp()\ninp.g = (e / e.sum(-1, keepdim=True) - onehot) / n",
                                       forward="(inp.exp().sum(-1).log() - inp[range(targ.shape[0]), targ]).mean()"),
                OVERFLOW),
        Variant("wrong-reduction", as_class("inp.g = (sm - onehot) / n",
                                            forward="-inp.log_softmax(0)[range(targ.shape[0]), targ].mean()"),
                "{tensor} comes from a log_softmax over the wrong axis: each example's ten logits make one "
                "probability distribution, so the log-sum-exp runs over the classes (the last axis), not the batch"),
        Variant("not-finite", as_class("lsm = inp - inp.exp().sum(-1, keepdim=True).log()\n"
                                       "inp.g = (lsm.exp() - onehot) / n"), OVERFLOW),
    ),
    forward="loss",
    signature="bwd(self, out, inp, targ)",
)
