r"""The cells of each lesson notebook, in order: narrative (Markdown + LaTeX) and code.

`scripts/build_notebooks.py` writes them to notebooks/. Exercise cells take their statement and stub
from `tutor.exercises` and the `Module` cell its source from `tutor.lesson`, so each has one copy.
"""
from __future__ import annotations

import inspect
import textwrap

from tutor import exercises, lesson

Cell = tuple[str, str]  # (cell type, source)

# Which notebook teaches each exercise: the loader cell names it when an exercise is not passed yet.
WHERE = {"lin_grad": "02", "forward_and_backward": "02", "relu": "03", "mse": "04", "lin": "05", "model": "05",
         "cross_entropy": "07"}


def md(text: str) -> Cell:
    """A Markdown cell (common indentation and surrounding blank lines removed)."""
    return "markdown", textwrap.dedent(text).strip()


def code(text: str) -> Cell:
    """A code cell (common indentation and surrounding blank lines removed)."""
    return "code", textwrap.dedent(text).strip()


def exercise(name: str) -> list[Cell]:
    """The exercise's statement, then its `%%exercise NAME` cell holding the stub."""
    ex = exercises.get(name)
    return [md(ex.statement + "\nRun the cell: the checker tries your code on real MNIST batches, compares it "
               "with autograd, and names the mistake when there is one."),
            ("code", f"%%exercise {name}\n{ex.stub.rstrip()}")]


def setup(*extra: str) -> Cell:
    """The first cell of every notebook: `import tutor` (which registers %%exercise) and the lesson's imports."""
    return "code", "\n".join(["import tutor  # registers the %%exercise cell magic",
                              "import torch", "from torch import tensor", *extra])


DATA = code("x_train, y_train, x_valid, y_valid = tutor.mnist()\nx_train.shape, y_train.shape")
MODULE = ("code", inspect.getsource(lesson.Module).strip())
MODULE_AGAIN = [md("Each notebook runs in its own kernel, so the lesson's `Module` base class (explained in notebook 03) "
                   "comes first again."), MODULE]
PROGRESS = [md("## Where you are\n\nEvery exercise you check is remembered, across notebooks and kernel restarts."),
            code("tutor.progress()")]

LIN_RELU = code('''
    def lin(x, w, b): return x @ w + b
    def relu(x): return x.clamp_min(0.)
''')

INIT = code('''
    def init_params(n_in=784, n_hidden=50, seed=0):
        """w1, b1, w2, b2 for the 784-50-1 model: weights scaled to keep activations O(1), biases zero."""
        gen = torch.Generator().manual_seed(seed)
        w1 = torch.randn(n_in, n_hidden, generator=gen) * (2 / n_in) ** 0.5
        w2 = torch.randn(n_hidden, 1, generator=gen) * (1 / n_hidden) ** 0.5
        return w1, torch.zeros(n_hidden), w2, torch.zeros(1)
''')

LOADER = code(f'''
    WHERE = {WHERE!r}  # the notebook that teaches each exercise

    def run_here(code):
        """Run code as if typed in a cell: it enters the kernel's history, where later checks find its definitions."""
        get_ipython().run_cell(code, store_history=True).raise_error()

    def load_passing(*names):
        """Run here the last code that passed for each exercise; return the names that have not passed yet."""
        missing = []
        for name in names:
            saved = tutor.progress.store().get(name)
            code = saved.passing_code
            report = tutor.check(name, code) if code else None
            if report is None:
                tried = "not passed yet" if saved.attempts else "not tried yet"
                print(f"{{name}}: {{tried}} (notebook {{WHERE[name]}})")
            elif not report.passed:
                print(f"{{name}}: the code that passed before fails now ({{report.summary_line()}}, notebook {{WHERE[name]}})")
            else:
                try:
                    run_here(tutor.definitions(name, code))  # its definitions, not its test lines
                except Exception as e:
                    print(f"{{name}}: your code passes but did not run here ({{type(e).__name__}}: {{e}})")
                else:
                    later = saved.last_code != code and "FAIL" in saved.last_status
                    print(f"{{name}}: loaded your passing code from notebook {{WHERE[name]}}"
                          + (f" (a later check failed: {{saved.last_status}}; using the code that passed)" if later else ""))
                    continue
            missing.append(name)
        return missing
''')

MODEL = code('''
    class Model:
        """The 784-50-1 MLP made of your classes: Lin → Relu → Lin, with Mse as the loss."""
        def __init__(self, w1, b1, w2, b2):
            self.layers = [Lin(w1, b1), Relu(), Lin(w2, b2)]
            self.loss = Mse()

        def __call__(self, x, targ):
            for layer in self.layers:
                x = layer(x)
            return self.loss(x, targ)

        def backward(self):
            self.loss.backward()
            for layer in reversed(self.layers):
                layer.backward()
''')


# Notebooks 06 and 07 train the same way (SGD on mini-batches, a live plot, a progress bar): one template, so the
# two cells stay alike; each notebook fills in its own targets, evaluation, loss axis, names and learning rate.
TRAINING = """
torch.set_num_threads(1)  # matrices this small train faster on one thread than on several taking turns
mean, std = x_train.mean(), x_train.std()
xt, xv = (x_train - mean) / std, (x_valid - mean) / std
@TARGETS@

def evaluate(model):
    \"\"\"Validation loss and accuracy (a prediction is right when @RIGHT_WHEN@).\"\"\"
    out = xv
    for layer in model.layers:
        out = layer(out)
    return @EVALUATION@

def plot(history):
    \"\"\"The loss and accuracy curves so far, as a PNG.\"\"\"
    fig = Figure(figsize=(9, 3))
    ax_loss, ax_acc = fig.subplots(1, 2)
    ax_loss.plot(history["epoch"][1:], history["train loss"], "o-", label="train")
    ax_loss.plot(history["epoch"], history["valid loss"], "o-", label="valid")
    ax_loss.set(xlabel="epoch", @LOSS_AXIS@, title="loss")
    ax_loss.legend()
    ax_acc.plot(history["epoch"], history["valid accuracy"], "o-", color="C2")
    ax_acc.axhline(0.1, color="grey", ls=":", label="chance")
    ax_acc.set(xlabel="epoch", ylim=(0, 1), title="validation accuracy")
    ax_acc.legend()
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole epochs, never 0.5
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    return Image(buf.getvalue())

def @FIT@(epochs=10, batch=64, lr=@LR@):
    \"\"\"SGD with your @MODEL@'s backward; the plot and progress bar update after every epoch.\"\"\"
    model = @MODEL@(*init_params())
    bar = widgets.IntProgress(value=0, max=epochs, description=f"epoch 0/{epochs}",
                              style={"description_width": "initial"})  # the label is never cut
    status, chart = widgets.Label(), widgets.Output()
    display(widgets.VBox([widgets.HBox([bar, status]), chart]))
    history = {"epoch": [0], "train loss": [], "valid loss": [], "valid accuracy": []}
    started = time.perf_counter()
    for key, value in zip(("valid loss", "valid accuracy"), evaluate(model)):
        history[key].append(value)
    gen = torch.Generator().manual_seed(0)
    for epoch in range(1, epochs + 1):
        losses = []
        for idx in torch.randperm(len(xt), generator=gen).split(batch):
            losses.append(float(model(xt[idx], @BATCH_TARGETS@)))
            model.backward()
            for layer in model.layers:
                if hasattr(layer, "w"):
                    layer.w -= lr * layer.w.g
                    layer.b -= lr * layer.b.g
        if not math.isfinite(sum(losses)):
            print(f"the loss became {sum(losses)} in epoch {epoch}: try a smaller learning rate")
            break
        history["epoch"].append(epoch)
        history["train loss"].append(sum(losses) / len(losses))
        for key, value in zip(("valid loss", "valid accuracy"), evaluate(model)):
            history[key].append(value)
        bar.value, bar.description = epoch, f"epoch {epoch}/{epochs}"
        status.value = (f"valid loss {history['valid loss'][-1]:.2f}, "
                        f"accuracy {history['valid accuracy'][-1]:.1%}")
        with chart:
            chart.clear_output(wait=True)
            display(plot(history))
    display(plot(history))  # the final chart as a plain image too: an exported notebook shows it
@REPORT@
    return history
"""


def training_code(*, targets: str, right_when: str, evaluation: str, loss_axis: str, fit: str, model: str,
                  batch_targets: str, lr: float, report: str) -> Cell:
    """The training cell of notebooks 06 and 07: TRAINING with each notebook's own pieces filled in."""
    text = TRAINING
    for key, value in {"@TARGETS@": targets, "@RIGHT_WHEN@": right_when, "@EVALUATION@": evaluation,
                       "@LOSS_AXIS@": loss_axis, "@FIT@": fit, "@MODEL@": model, "@BATCH_TARGETS@": batch_targets,
                       "@LR@": f"{lr:g}", "@REPORT@": textwrap.indent(textwrap.dedent(report).strip(), "    ")}.items():
        text = text.replace(key, value)
    return "code", text.replace("\n\n\n", "\n\n").strip()


def train_if_passing(fit: str) -> Cell:
    """The cell that trains once every piece it needs has passed, else says which notebook to go back to."""
    return code(f'''
        if missing:
            print("Training skipped: not passing yet: "
                  + ", ".join(f"{{name}} (notebook {{WHERE[name]}})" for name in missing))
        else:
            history = {fit}()
    ''')


def forward_pass() -> list[Cell]:
    """01: the data, the linear layer, ReLU, the model, the loss."""
    return [
        setup("import matplotlib.pyplot as plt"),
        md(r"""
        # 01 · The data and the forward pass

        Over seven notebooks you will train a small neural network on handwritten digits, and you will write
        every gradient yourself. PyTorch's autograd appears only as a referee: after each exercise the tutor
        compares your gradients with the ones autograd computes, and tells you what went wrong when they differ.

        | notebook | what you write |
        |---|---|
        | 01 (this one) | nothing to check yet: the data, the layers, the loss |
        | 02 | `lin_grad`: the gradients of a linear layer; `forward_and_backward`: the whole step |
        | 03 | `Relu.bwd`: the gradient of ReLU |
        | 04 | `Mse.bwd`: the gradient of the loss |
        | 05 | `Lin`: a layer class; `Model`: the layers in a list; the whole model against autograd |
        | 06 | nothing new: train the network with your own backward pass |
        | 07 | `CrossEntropy.bwd`: ten outputs and cross-entropy, then a digit classifier trained with your code |
        """),
        md("""
        ## The data

        `tutor.mnist()` returns a slice of MNIST that ships with the package: 4,000 training images and 1,000
        validation images. Each image is one row of $784 = 28 \\times 28$ pixel intensities between 0 and 1,
        and each label is the digit it shows.
        """),
        DATA,
        code("x_train.min().item(), x_train.max().item(), y_train[:10]"),
        md("A row is an image read line by line, so reshaping it to $28 \\times 28$ shows the digit again."),
        code('''
            fig, axes = plt.subplots(2, 8, figsize=(10, 3))
            for ax, img, label in zip(axes.flat, x_train, y_train):
                ax.imshow(img.view(28, 28), cmap="gray_r")
                ax.set_title(int(label))
                ax.axis("off")
            plt.show()
        '''),
        md(r"""
        ## The model

        To keep the backward pass small we treat the label as a number and ask the network for one number
        back: a regression. (Real digit classifiers have ten outputs and a cross-entropy loss; the course gets
        there later, and everything you learn here carries over.) The network is
        $$\hat y = \text{relu}(x\,W_1 + b_1)\,W_2 + b_2$$
        with these shapes for a batch of $n$ images:

        | tensor | shape | |
        |---|---|---|
        | $x$ | $(n, 784)$ | the images |
        | $W_1$, $b_1$ | $(784, 50)$, $(50,)$ | first layer: 784 pixels → 50 hidden units |
        | $\text{relu}(x W_1 + b_1)$ | $(n, 50)$ | the hidden activations |
        | $W_2$, $b_2$ | $(50, 1)$, $(1,)$ | second layer: 50 units → 1 output |
        | $\hat y$ | $(n, 1)$ | one prediction per image |
        """),
        md(r"""
        ## A linear layer

        Entry by entry, $y = x W + b$ reads $y_{ij} = \sum_k x_{ik} W_{kj} + b_j$: output unit $j$ of example
        $i$ is a weighted sum of that example's inputs. The bias has one entry per output unit and is added to
        every row: broadcasting does that for us.

        If the weights were plain `randn`, each hidden value would add up 784 random terms and come out
        about $\sqrt{784} = 28$ times larger than a typical input; the next layer would grow it again.
        Scaling the weights by $\sqrt{2/784}$ keeps the hidden values about as large as the inputs (the
        factor 2 makes up for ReLU zeroing about half of them):
        """),
        LIN_RELU,
        INIT,
        code('''
            w1, b1, w2, b2 = init_params()
            size = lambda t: t.pow(2).mean().sqrt().item()  # root mean square
            print(f"inputs {size(x_valid):.2f}, hidden values {size(lin(x_valid, w1, b1)):.2f}, "
                  f"with plain randn weights {size(lin(x_valid, torch.randn(784, 50), b1)):.2f}")
        '''),
        md(r"""
        ## ReLU

        $\text{relu}(x) = \max(x, 0)$, entry by entry: negative values become 0, positive ones pass unchanged.
        Without it the two linear layers would collapse into a single linear map.
        """),
        code('''
            xs = torch.linspace(-3, 3, 101)
            plt.figure(figsize=(4, 2.5))
            plt.plot(xs, relu(xs))
            plt.title("relu(x)")
            plt.show()
        '''),
        code('''
            def model(xb):
                l1 = lin(xb, w1, b1)
                l2 = relu(l1)
                return lin(l2, w2, b2)

            preds = model(x_valid)
            preds.shape
        '''),
        md(r"""
        ## The loss, and a shape trap

        The mean squared error compares each prediction with its label:
        $L = \frac{1}{n}\sum_i (\hat y_i - t_i)^2$. Careful: `preds` is $(n, 1)$ but `y_valid` is $(n,)$, and
        subtracting them does not fail; broadcasting quietly builds every pair:
        """),
        code("(preds - y_valid).shape  # 1000 × 1000: a million differences instead of a thousand"),
        code('''
            def mse(output, targ): return (output[:, 0] - targ).pow(2).mean()

            loss = mse(preds, y_valid.float())
            loss.item(), torch.nn.functional.mse_loss(preds[:, 0], y_valid.float()).item()
        '''),
        md(r"""
        ## How good is a random network?

        With one number out, we call a prediction right when it rounds to the label. Untrained, the network
        gets about one in ten (or fewer) right; notebook 06 trains it.
        """),
        code("(preds[:, 0].round() == y_valid).float().mean().item()"),
        md(r"""
        ## What backward has to compute

        Training nudges each of the $784 \cdot 50 + 50 + 50 + 1 = 39{,}301$ parameters in the direction that
        lowers $L$, so we need $\partial L / \partial p$ for every parameter $p$. The loss is a chain of
        functions, $L = \text{mse}(\text{lin}_2(\text{relu}(\text{lin}_1(x))))$, and the chain rule gives the
        gradients one link at a time, from the loss back to the input: each piece receives the gradient of the
        loss with respect to its output and turns it into the gradient with respect to its inputs and
        parameters. Notebook 02 starts with the linear layer.
        """),
    ]


def lin_grad() -> list[Cell]:
    """02: the chain rule, shapes, sums over the batch; the `lin_grad` exercise."""
    return [
        setup(),
        md(r"""
        # 02 · The gradients of a linear layer

        ## The chain rule as bookkeeping

        For one variable, if $L = f(u)$ and $u = g(x)$ then $\frac{dL}{dx} = \frac{dL}{du}\,\frac{du}{dx}$:
        the rate at which $L$ changes with $x$ is the rate at which it changes with $u$, times the rate at
        which $u$ changes with $x$. When $x$ influences $L$ through several intermediate values
        $u_1, \dots, u_m$, the contributions of all the paths add up:
        $$\frac{\partial L}{\partial x} = \sum_{j} \frac{\partial L}{\partial u_j}\,\frac{\partial u_j}{\partial x}$$

        In code, every tensor `t` on the way gets a companion `t.g` holding $\partial L / \partial t$, with
        **the same shape as `t`**. Its meaning is concrete: nudge `t[idx]` by a small $\varepsilon$ and the
        loss moves by about `t.g[idx]` $\cdot\,\varepsilon$. The backward pass visits the layers in reverse:
        when a layer's turn comes, `out.g` is already filled in by the layers above, and the layer's job is to
        fill in the `.g` of its inputs and parameters.
        """),
        md(r"""
        ## Shapes give away half of the answer

        For a batch of $n$ examples, `inp` is $(n, \text{in})$, `w` is $(\text{in}, \text{out})$, `b` is
        $(\text{out},)$, and `out` and `out.g` are $(n, \text{out})$. `inp.g`, `w.g` and `b.g` must have the
        shapes of `inp`, `w` and `b`. There are very few ways to combine `out.g` with `inp` or `w` (a
        transpose, a matrix product, a sum) that produce exactly those shapes.

        ## Why gradients sum over the batch

        The same `w` and `b` are used by every example of the batch, and the loss adds up (averages) the
        examples. So a weight's gradient is a sum of one contribution per example, each telling how that
        example's loss would change. An input entry $x_{ik}$, on the other hand, belongs to one example only,
        but it feeds every output unit $j$ of that example, so its gradient sums over those units.
        """),
        md(r"""
        ## An experiment you can check your answer against

        A toy layer with 5 examples, 4 inputs and 3 outputs, and the toy loss $L = \frac{1}{2}\sum y^2$,
        whose gradient with respect to the output is the output itself. Nudging one weight estimates one entry
        of `w.g` numerically:
        """),
        code("def lin(x, w, b): return x @ w + b"),
        code('''
            gen = torch.Generator().manual_seed(1)
            inp, w, b = (torch.randn(*s, generator=gen, dtype=torch.float64) for s in ((5, 4), (4, 3), (3,)))
            toy_loss = lambda inp, w, b: (lin(inp, w, b) ** 2).sum() / 2

            eps = 1e-6
            w_nudged = w.clone()
            w_nudged[1, 2] += eps
            print("nudging w[1, 2] changes the loss by", ((toy_loss(inp, w_nudged, b) - toy_loss(inp, w, b)) / eps).item(), "per unit")
        '''),
        *exercise("lin_grad"),
        md("Does your `w.g` agree with the experiment above?"),
        code('''
            out = lin(inp, w, b)
            out.g = out.clone()  # dL/dout for the toy loss
            try:
                lin_grad(inp, out, w, b)
                print("your w.g[1, 2] =", float(w.g[1, 2]))
            except Exception as e:
                print(f"no usable w.g yet ({type(e).__name__}: {e}): finish lin_grad above, then run this cell again")
        '''),
        md(r"""
        ## The whole step: forward and backward

        With `lin_grad` you can already run the backward pass of the whole 784-50-1 model, as the lesson does in
        one function. It needs the model of notebook 01: the data, `relu` and the parameters `w1, b1, w2, b2` as
        globals of the notebook.
        """),
        code('''
            x_train, y_train, x_valid, y_valid = tutor.mnist()

            def relu(x): return x.clamp_min(0.)
        '''),
        INIT,
        code("w1, b1, w2, b2 = init_params()"),
        *exercise("forward_and_backward"),
        md("After one step every parameter holds its gradient, with the parameter's shape:"),
        code('''
            x, targ = x_train[:1000].clone(), y_train[:1000].float()
            try:
                forward_and_backward(x, targ)
                for name, t in (("x", x), ("w1", w1), ("b1", b1), ("w2", w2), ("b2", b2)):
                    print(f"{name}.g: shape {tuple(t.g.shape)}, largest entry {t.g.abs().max().item():.3g}")
            except Exception as e:
                print(f"no gradients yet ({type(e).__name__}: {e}): finish forward_and_backward above, then run again")
        '''),
        *PROGRESS,
    ]


def relu_bwd() -> list[Cell]:
    """03: the `Module` base class and the `relu` exercise."""
    return [
        setup("import matplotlib.pyplot as plt"),
        md(r"""
        # 03 · The gradient of ReLU

        ## Layers that remember

        A backward pass needs the values the forward pass saw: the linear layer needed its input to compute
        `w.g`. From here on each piece of the network is an object that keeps them. The lesson's `Module` base
        class does the remembering: calling a module stores the arguments in `self.args` and the result in
        `self.out`, and `backward()` hands both to `bwd`. A subclass only writes `forward` and `bwd`.
        """),
        MODULE,
        md(r"""
        ## The chain rule for an elementwise function

        ReLU works entry by entry: output entry $y_i$ depends on input entry $x_i$ only. In the sum over paths
        from the chain rule, a single term survives:
        $$\frac{\partial L}{\partial x_i} = \frac{\partial L}{\partial y_i}\; \text{relu}'(x_i)$$
        So `inp.g` is `out.g` times the local slope of ReLU at each input, entry by entry. What is that slope?
        Measure it:
        """),
        code('''
            xs = torch.linspace(-3, 3, 601, dtype=torch.float64)
            h = 1e-4
            slope = ((xs + h).clamp_min(0.) - (xs - h).clamp_min(0.)) / (2 * h)
            fig, (a1, a2) = plt.subplots(1, 2, figsize=(8, 2.5))
            a1.plot(xs, xs.clamp_min(0.)); a1.set_title("relu(x)")
            a2.plot(xs, slope); a2.set_title("its slope, measured")
            plt.show()
        '''),
        *exercise("relu"),
        *PROGRESS,
    ]


def mse_bwd() -> list[Cell]:
    """04: where backward starts; the `mse` exercise."""
    return [
        setup(),
        md(r"""
        # 04 · The gradient of the loss

        The loss is where the backward pass starts. Nothing sits above it, so there is no incoming `out.g` to
        multiply by: $\partial L / \partial L = 1$. Its gradient with respect to the predictions is the first
        `.g` of the chain, and every other gradient is built from it.

        $$L = \frac{1}{n} \sum_{i=1}^{n} (x_i - t_i)^2$$

        Each prediction $x_i$ appears in exactly one term of the sum, and the whole sum is divided by $n$.
        That $\frac{1}{n}$ is why the gradient of a batch's mean loss gets smaller as the batch grows: each
        example's share of the loss is smaller.
        """),
        *MODULE_AGAIN,
        md(r"""
        ## Shapes again

        The model's output is $(n, 1)$ and the targets are $(n,)$. Subtracting one from the other broadcasts
        to $(n, n)$, silently. `inp.g` must come back with the shape of `inp`, $(n, 1)$.
        """),
        code('''
            preds, targ = torch.zeros(4, 1), torch.arange(4.)
            print((preds - targ).shape, preds.squeeze(-1).shape, preds[:, 0].shape, targ[:, None].shape)
        '''),
        md("Nudging one prediction shows how much the loss cares about it, to compare with your formula:"),
        code('''
            gen = torch.Generator().manual_seed(2)
            preds, targ = torch.randn(5, 1, generator=gen, dtype=torch.float64), torch.arange(5.).double()
            loss = lambda p: (p[:, 0] - targ).pow(2).mean()
            eps = 1e-6
            nudged = preds.clone()
            nudged[3, 0] += eps
            print("dL/dpreds[3, 0] is about", ((loss(nudged) - loss(preds)) / eps).item())
        '''),
        *exercise("mse"),
        *PROGRESS,
    ]


def lin_and_autograd() -> list[Cell]:
    """05: the `lin` exercise, then the whole model built from the learner's classes against autograd."""
    return [
        setup(),
        DATA,
        md(r"""
        # 05 · A linear layer class, and the whole model against autograd

        Time to wrap your `lin_grad` work into a layer that knows its own backward, like `Relu` and `Mse`.
        """),
        *MODULE_AGAIN,
        *exercise("lin"),
        md(r"""
        ## Your pieces from notebooks 03 and 04

        The tutor remembers the last code that passed for each exercise (a later failing try in a scratch cell does
        not replace it). The next cell checks your passing `Relu` and `Mse` again and runs them here.
        """),
        LOADER,
        code('missing = load_passing("relu", "mse")'),
        md(r"""
        ## The whole model

        Forward runs the layers in order and finishes with the loss; backward runs the chain rule the other
        way: the loss first (it fills the output's `.g`), then each layer, last to first, each filling the `.g`
        of the tensors it received. The lesson keeps the layers in a list: write its `Model`.
        """),
        *exercise("model"),
        INIT,
        md(r"""
        ## The moment of truth

        Autograd records every operation of a forward pass and applies the chain rule for us. If your
        hand-written gradients agree with it for the input and all four parameters, on a real batch of 500
        digits, your backward pass is right. They will not agree to the last bit: float32 rounds, and
        rounding depends on the order of operations, so we allow a difference of $10^{-4}$ relative to the
        size of each gradient.
        """),
        code('''
            def compare_with_autograd(n=500):
                """Your model's gradients against autograd's on the first n training digits, one line each."""
                needed = [c for c in ("Lin", "Relu", "Mse") if c not in globals()]
                if needed:
                    where = ", ".join(f"{c} (notebook {WHERE[c.lower()]})" for c in needed)
                    return print(f"The model needs {where}: pass them first, then run the cells above again.")
                x, targ = x_train[:n].clone(), y_train[:n].float()
                params = init_params()
                try:
                    model = Model(*params)
                    model(x, targ)
                    model.backward()
                except Exception as e:
                    return print(f"Your model could not run forward and backward: {type(e).__name__}: {e}\\n"
                                 "The reports of the exercise cells above say which piece is not done yet.")
                leaves = [t.clone().requires_grad_() for t in (x, *params)]
                xa, w1a, b1a, w2a, b2a = leaves
                ((xa @ w1a + b1a).clamp_min(0.) @ w2a + b2a)[:, 0].sub(targ).pow(2).mean().backward()
                agree = True
                for name, mine, leaf in zip(("x.g", "w1.g", "b1.g", "w2.g", "b2.g"), (x, *params), leaves):
                    got, ref = getattr(mine, "g", None), leaf.grad
                    if not isinstance(got, torch.Tensor) or got.shape != ref.shape:
                        what = f"shape {tuple(got.shape)}" if isinstance(got, torch.Tensor) else repr(got)
                        print(f"✗ {name}: {what}, autograd's has shape {tuple(ref.shape)}")
                        agree = False
                        continue
                    diff, size = (got - ref).abs().max().item(), ref.abs().max().item()
                    ok = diff <= 1e-4 * size + 1e-8
                    agree &= ok
                    print(f"{'✓' if ok else '✗'} {name}: largest difference {diff:.1e} (gradient size {size:.1e})")
                if agree:
                    return print("All five gradients agree with autograd: your backward pass is right.")
                # the layer first: a Model built from a wrong Lin fails too
                failing = [e for e in ("lin", "model")
                           if not tutor.progress.store().get(e).last_status.startswith(f"{e}: PASS")]
                cell = f"the `%%exercise {failing[0]}` cell" if failing else "the exercise cells"
                print(f"Some gradients differ from autograd (✗ above): see the report of {cell} above.")

            compare_with_autograd()
        '''),
        *PROGRESS,
    ]


def train() -> list[Cell]:
    """06: train the MLP with the learner's own backward code, with a live plot and a progress bar."""
    return [
        setup("import io", "import math", "import time", "import ipywidgets as widgets", "from IPython.display import Image, display",
              "from matplotlib.figure import Figure", "from matplotlib.ticker import MaxNLocator"),
        DATA,
        md(r"""
        # 06 · Train it with your own backward pass

        Nothing new to write: this notebook trains the 784-50-1 network with the `Relu`, `Mse` and `Lin` you
        passed in notebooks 03–05. The tutor remembers the last code that passed for each; the next cells check
        it again and run it here (and say so when a later try failed).
        """),
        *MODULE_AGAIN,
        LOADER,
        code('missing = load_passing("relu", "mse", "lin")'),
        MODEL,
        INIT,
        md(r"""
        ## Stochastic gradient descent

        Each step takes a mini-batch of 64 images, runs forward and backward, and moves every weight a small
        step against its gradient: $w \leftarrow w - \eta\, \partial L/\partial w$ with learning rate
        $\eta = 0.02$. The update is in place (`-=`), so the layers keep working on the same tensors. One
        epoch is one pass over the 4,000 training images; after each, the validation loss and accuracy are
        measured on the 1,000 held-out images.

        The pixels are first shifted and scaled to mean 0 and standard deviation 1: most pixels are 0, and
        centred inputs make the first layer's gradients much better behaved.
        """),
        training_code(
            targets="yt, yv = y_train.float(), y_valid.float()",
            right_when="it rounds to the label",
            evaluation="float((out[:, 0] - yv).pow(2).mean()), float((out[:, 0].round() == yv).float().mean())",
            loss_axis='ylabel="MSE", yscale="log"', fit="train", model="Model", batch_targets="yt[idx]", lr=0.02,
            report='''
                first, last = history["valid accuracy"][0], history["valid accuracy"][-1]
                print(f"valid accuracy: {first:.1%} before training → {last:.1%} after {history['epoch'][-1]} epochs "
                      f"in {time.perf_counter() - started:.1f} s (chance: about 10%)")
            '''),
        train_if_passing("train"),
        md(r"""
        ## What you built

        Every gradient in that training run came from code you wrote. The accuracy climbs far above chance,
        and then levels off: one regression output is a crude way to tell digits apart (is a 4 really "between"
        a 3 and a 5?). Ten outputs and a cross-entropy loss, the next step of the course (notebook 07), do much better; their
        backward pass reuses every piece you wrote here and adds one for the new loss.
        """),
        *PROGRESS,
    ]


def cross_entropy_notebook() -> list[Cell]:
    """07: log_softmax and cross-entropy as the course builds them, the `cross_entropy` exercise, then a 784-50-10
    classifier trained with the learner's own Lin, Relu and CrossEntropy under a live plot."""
    return [
        setup("import io", "import math", "import time", "import torch.nn.functional as F",
              "import ipywidgets as widgets", "from IPython.display import Image, display",
              "from matplotlib.figure import Figure", "from matplotlib.ticker import MaxNLocator"),
        DATA,
        md(r"""
        # 07 · Ten outputs and cross-entropy: a real classifier

        Notebook 06 asked one number to say which digit it saw, and MSE measured how far that number was from
        the label. A classifier does better with **ten** outputs per image, one score (a *logit*) per digit,
        and a loss that rewards a high score for the right digit: cross-entropy. The course builds it next
        (fast.ai Part 2, `04_minibatch_training`), with autograd computing its gradient. Here you write that
        gradient yourself, then train the 784-50-10 network with nothing but your own backward code.
        """),
        LIN_RELU,
        code('''
            def init_params(n_in=784, n_hidden=50, n_out=10, seed=0):
                """w1, b1, w2, b2 for the 784-50-10 classifier: weights scaled to keep activations O(1), biases zero."""
                gen = torch.Generator().manual_seed(seed)
                w1 = torch.randn(n_in, n_hidden, generator=gen) * (2 / n_in) ** 0.5
                w2 = torch.randn(n_hidden, n_out, generator=gen) * (1 / n_hidden) ** 0.5
                return w1, torch.zeros(n_hidden), w2, torch.zeros(n_out)

            w1, b1, w2, b2 = init_params()
            pred = lin(relu(lin(x_train, w1, b1)), w2, b2)
            pred.shape
        '''),
        md(r"""
        ## From ten scores to probabilities, in logs

        Softmax turns a row of logits into probabilities that sum to 1:
        $$\operatorname{softmax}(x)_{j} = \frac{e^{x_{j}}}{\sum_{k} e^{x_{k}}}$$
        The loss needs the log of it. Written straight from the formula:
        """),
        code("def log_softmax(x): return (x.exp() / (x.exp().sum(-1, keepdim=True))).log()\n\n"
             "log_softmax(pred)[:3]"),
        md(r"""
        Since $\log(a/b) = \log a - \log b$, that is simply $x_j - \log \sum_k e^{x_k}$:
        """),
        code("def log_softmax(x): return x - x.exp().sum(-1, keepdim=True).log()\n\n"
             "log_softmax(tensor([[1., 2., 3.], [100., 0., -100.]]))"),
        md(r"""
        The second row broke: $e^{100} \approx 2.7 \times 10^{43}$ is more than a float32 can hold (about
        $3.4 \times 10^{38}$), so it became `inf`, and everything computed from it followed. The **LogSumExp
        trick** takes the largest logit $a$ out first, so that nothing larger than $e^0 = 1$ is ever computed:
        $$\log \sum_{j} e^{x_{j}} = \log \Big( e^{a} \sum_{j} e^{x_{j}-a} \Big) = a + \log \sum_{j} e^{x_{j}-a}$$
        """),
        code('''
            def logsumexp(x):
                m = x.max(-1)[0]
                return m + (x - m[:, None]).exp().sum(-1).log()

            torch.allclose(logsumexp(pred), pred.logsumexp(-1))
        '''),
        md("PyTorch has it built in (`x.logsumexp(-1)`), so `log_softmax` becomes one line that never overflows:"),
        code("def log_softmax(x): return x - x.logsumexp(-1, keepdim=True)\n\n"
             "log_softmax(tensor([[1., 2., 3.], [100., 0., -100.]]))"),
        md(r"""
        ## Negative log-likelihood

        The labels are integers, not one-hot rows, so the log-probability of the right digit is picked out by
        integer array indexing: row $i$, column `y[i]`. The loss is minus their mean:
        $$L = -\frac{1}{n} \sum_{i} \log \operatorname{softmax}(x)_{i\,y_i}$$
        """),
        code('''
            def nll(input, target): return -input[range(target.shape[0]), target].mean()

            loss = nll(log_softmax(pred), y_train)
            loss, F.cross_entropy(pred, y_train)
        '''),
        md(r"""
        With random weights every digit gets about the same probability, $1/10$, so the loss starts near
        $\log 10 \approx 2.30$. `F.cross_entropy` is PyTorch's version of the same two steps.
        """),
        *MODULE_AGAIN,
        *exercise("cross_entropy"),
        md(r"""
        ## Your pieces from notebooks 03 and 05

        The classifier reuses your `Relu` and `Lin`: ten outputs instead of one change nothing in them. The next
        cell checks your passing code for each, and your `CrossEntropy` above, again and runs them here.
        """),
        LOADER,
        code('missing = load_passing("relu", "lin", "cross_entropy")'),
        code('''
            class Classifier:
                """The 784-50-10 MLP made of your classes: Lin → Relu → Lin, with CrossEntropy as the loss."""
                def __init__(self, w1, b1, w2, b2):
                    self.layers = [Lin(w1, b1), Relu(), Lin(w2, b2)]
                    self.loss = CrossEntropy()

                def __call__(self, x, targ):
                    for layer in self.layers:
                        x = layer(x)
                    return self.loss(x, targ)

                def backward(self):
                    self.loss.backward()
                    for layer in reversed(self.layers):
                        layer.backward()
        '''),
        md(r"""
        ## Training

        The same stochastic gradient descent as notebook 06: mini-batches of 64 images, every weight moved a
        small step against its gradient ($\eta = 0.1$), ten passes over the 4,000 training images, the pixels
        centred and scaled first. A prediction is now the digit with the highest score (`argmax`), and after
        each epoch the loss and accuracy on the 1,000 validation images are measured.
        """),
        training_code(
            targets="",
            right_when="the highest score is the label's",
            evaluation="float(nll(log_softmax(out), y_valid)), float((out.argmax(1) == y_valid).float().mean())",
            loss_axis='ylabel="cross-entropy"', fit="fit", model="Classifier", batch_targets="y_train[idx]", lr=0.1,
            report='''
                print(f"trained {history['epoch'][-1]} epochs in {time.perf_counter() - started:.1f} s")
                print(f"final validation accuracy: {history['valid accuracy'][-1]:.1%}")
            '''),
        train_if_passing("fit"),
        md(r"""
        ## What you built

        A digit classifier right about nine times in ten on images it never trained on, far above notebook 06's
        one-output regression: same layers, same data, same training loop, a better output and loss.
        And every gradient in that run came from code you wrote — the cross-entropy's is softmax minus the
        labels, averaged over the batch, whatever trick keeps its exponentials finite.
        """),
        *PROGRESS,
    ]


NOTEBOOKS = {
    "01_forward": forward_pass,
    "02_lin_grad": lin_grad,
    "03_relu_bwd": relu_bwd,
    "04_mse_bwd": mse_bwd,
    "05_lin_and_autograd": lin_and_autograd,
    "06_train": train,
    "07_cross_entropy": cross_entropy_notebook,
}
