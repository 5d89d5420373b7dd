"""Learner source as a notebook holds it → the statements a check re-executes, and where each name came from.

The rule: the learner's definitions from anywhere in the source (every cell of a notebook or kernel) are kept —
functions, classes, imports, and constants whose value does not come from data (literals, expressions of them,
tensor constructors, aliases, attributes set on their own classes). Everything else (data loading, test calls,
loops) is left out, and the names it binds are remembered as data, with the cell that bound them. Only the
statements the checked definition needs (transitively, by name) are kept, in source order: the last one wins.
Which definition answers an exercise, and the excerpt of a notebook its check runs: `tutor.run.entry`.
"""
from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field

from .blocks import TRY_STAR as _TRY_STAR, bound_names, nested_definitions
from .cells import Cell, split_cells
from .reads import statement_reads

# Calls whose result is a constant when their arguments are: tensor constructors and pure functions.
_CONSTANT_CALLS = frozenset(
    [f"torch.{n}" for n in ("zeros", "ones", "full", "eye", "arange", "linspace", "logspace", "tensor", "as_tensor",
                            "zeros_like", "ones_like", "full_like", "finfo", "iinfo", "Size", "device", "empty")]
    + [f"numpy.{n}" for n in ("zeros", "ones", "full", "eye", "arange", "linspace", "array", "asarray", "float32",
                              "float64", "int64", "finfo")]
    + [f"builtins.{n}" for n in ("float", "int", "bool", "str", "complex", "abs", "round", "min", "max", "pow",
                                 "tuple", "list", "dict", "set", "frozenset", "range", "len", "slice", "sum")]
    + ["functools.partial", "fractions.Fraction", "decimal.Decimal", "torch.cuda.is_available",
       "torch.backends.mps.is_available", "torch.cuda.device_count"])
_CONSTANT_MODULES = ("math.",)

@dataclass
class Statement:
    """A kept top-level statement: what it binds, the names it reads, and the cell it came from."""

    node: ast.stmt
    cell: Cell
    binds: set[str]
    kind: str  # def | class | import | module | star | const | attr
    resets: bool = True  # rebinds its names from scratch (an attribute set on a class only adds to it)
    inside: str = ""  # "a `try` block": taken alone out of a block the rule leaves out (it also runs other code)
    _reads: set[str] | None = None

    @property
    def reads(self) -> set[str]:
        """The global names it reads (worked out when first asked: most statements never are)."""
        if self._reads is None:
            self._reads = statement_reads(self.node, self.cell.parsed)
        return self._reads


@dataclass
class Program:
    """The source sorted by the rule: kept statements in order, and the names data statements bound."""

    cells: list[Cell]
    kept: list[Statement] = field(default_factory=list)
    source: str = ""
    data: dict[str, str] = field(default_factory=dict)  # name -> label of the last cell that bound it from data
    kinds: dict[str, str] = field(default_factory=dict)  # name -> kind of its last kept binding

    @property
    def has_cells(self) -> bool:
        """Whether the source came as cells (a notebook, an export, a kernel's history)."""
        return any(c.label for c in self.cells)


def build(source: str) -> Program:
    """Sort every cell's top-level statements into kept definitions and data, in source order."""
    prog = Program(split_cells(source), source=source)
    kinds = prog.kinds
    from .. import lesson

    origin: dict[str, str] = {"torch": "torch", "tensor": "torch.tensor"}
    kinds.update({n: ("module" if n == "torch" else "class" if n == "Module" else "def") for n in lesson.LESSON_NAMES})
    sorter = _Sorter(kinds, origin)
    for cell in prog.cells:
        if cell.tree is None:
            continue
        for node in cell.tree.body:
            kept = sorter.sort(node)
            if kept is not None:
                _keep(prog, node, cell, kept)
                continue
            for name in bound_names(node):
                prog.data[name] = cell.label
                kinds[name] = "data"
                for st in prog.kept:  # rebound from data: earlier definitions of the name no longer count
                    st.binds.discard(name)
            for inner, inside in nested_definitions(node):  # `try: def lin_grad ... / lin_grad(x, ...)`: the
                found = sorter.sort(inner)                     # function is defined in the notebook all the same
                if found is not None:
                    _keep(prog, inner, cell, found, inside)
    return prog


def _keep(prog: Program, node: ast.stmt, cell: Cell, sorted_as: tuple[str, set[str], bool], inside: str = "") -> None:
    kind, binds, resets = sorted_as
    st = Statement(node, cell, binds, kind, resets, inside=inside)
    prog.kept.append(st)
    for name in st.binds:
        if st.resets:
            prog.kinds[name] = st.kind
        prog.data.pop(name, None)


class _Sorter:
    """Decides, statement by statement, what the rule keeps (knowing what earlier statements bound)."""

    def __init__(self, kinds: dict[str, str], origin: dict[str, str]):
        self.kinds, self.origin = kinds, origin
        self.members: dict[str, dict[str, str]] = {}  # class -> kind of what its body defines, by name

    def sort(self, node: ast.stmt) -> tuple[str, set[str], bool] | None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            patched = self._patched_class(node)
            if patched:  # fastcore's `@patch def bwd(self: Lin, ...)`: a method attached to the learner's class
                return "attr", {patched}, False
            return "def", {node.name}, True
        if isinstance(node, ast.Expr) and (cls := self._setattr_class(node.value)):
            return "attr", {cls}, False  # `setattr(Lin, "bwd", lin_bwd)`, as `Lin.bwd = lin_bwd`
        if isinstance(node, ast.ClassDef):
            self.members[node.name] = {m.name: "class" if isinstance(m, ast.ClassDef) else "def" for m in node.body
                                       if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
            return "class", {node.name}, True
        if isinstance(node, ast.Import):
            for a in node.names:
                name = a.asname or a.name.split(".")[0]
                self.origin[name] = a.name if a.asname else name
            return "module", {a.asname or a.name.split(".")[0] for a in node.names}, True
        if isinstance(node, ast.ImportFrom):
            if any(a.name == "*" for a in node.names):
                return "star", set(), False
            for a in node.names:
                self.origin[a.asname or a.name] = f"{node.module}.{a.name}"
            return "import", {a.asname or a.name for a in node.names}, True
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            return self._assignment(node, targets)
        if isinstance(node, (ast.If, ast.Try, ast.With, *_TRY_STAR)):
            return self._block(node)
        return None

    def _block(self, node: ast.stmt) -> tuple[str, set[str], bool] | None:
        """`if`, `try` or `with` at top level holding only definitions (`try: import x / except ImportError: ...`,
        `if True: def lin_grad...`), its own expressions constant: kept whole, so it runs as in the notebook."""
        heads = [node.test] if isinstance(node, ast.If) else \
            [e for i in node.items for e in (i.context_expr, i.optional_vars) if e is not None] \
            if isinstance(node, ast.With) else [h.type for h in node.handlers if h.type is not None]  # type: ignore
        if not all(self.constant(e) for e in heads) or any(getattr(h, "name", None) for h in
                                                            getattr(node, "handlers", ())):
            return None
        bodies = [getattr(node, f, []) for f in ("body", "orelse", "finalbody")] + \
            [h.body for h in getattr(node, "handlers", ())]
        kinds, binds, resets, origin = [], set(), True, dict(self.origin)
        for st in (st for body in bodies for st in body):
            if isinstance(st, ast.Pass) or isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant):
                continue
            kept = self.sort(st)
            if kept is None or kept[0] in ("attr", "star"):
                self.origin.clear()
                self.origin.update(origin)  # (the imports of a block left out as data are not known names)
                return None
            kinds.append(kept[0])
            binds |= kept[1]
            resets &= kept[2]
        if not binds:
            return None
        kind = next((k for k in ("class", "def", "module", "import") if k in kinds), kinds[0])
        return kind, binds, resets

    def _own_class(self, node: ast.expr | None) -> str | None:
        """The name of a class the learner defined (not the lesson's `Module`), if `node` is one."""
        ok = isinstance(node, ast.Name) and self.kinds.get(node.id) == "class" and node.id != "Module"
        return node.id if ok else None  # type: ignore[union-attr]

    def _patched_class(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
        """The class fastcore's `@patch` (by the first argument's annotation) or `@patch_to(Cls)` attaches to."""
        for d in node.decorator_list:
            f = d.func if isinstance(d, ast.Call) else d
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name == "patch" and not isinstance(d, ast.Call) and node.args.args:
                return self._own_class(node.args.args[0].annotation)
            if name == "patch_to" and isinstance(d, ast.Call) and d.args:
                return self._own_class(d.args[0])
        return None

    def _member(self, value: ast.expr) -> str | None:
        """'def' or 'class' for `Cls.name` naming a function or class defined in the body of the learner's class."""
        if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and \
                self.kinds.get(value.value.id) == "class":
            return self.members.get(value.value.id, {}).get(value.attr)
        return None

    def _setattr_class(self, call: ast.expr) -> str | None:
        """`setattr(Cls, "bwd", fn)` with a constant name and value: the learner's class it adds to."""
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "setattr"
                and self.kinds.get("setattr") is None and len(call.args) == 3 and not call.keywords):
            return None
        target, attr, value = call.args
        if not (isinstance(attr, ast.Constant) and isinstance(attr.value, str)):
            return None
        return self._own_class(target) if self.constant(value) else None  # (a lambda is constant)

    def _assignment(self, node: ast.stmt, targets: list[ast.expr]) -> tuple[str, set[str], bool] | None:
        value = node.value  # type: ignore[attr-defined]
        if all(isinstance(t, ast.Attribute) and self._own_class(t.value) for t in targets):
            # `Relu.bwd = bwd`: a method attached to the learner's own class in a later cell
            return ("attr", {t.value.id for t in targets}, False) if self.constant(value) else None  # type: ignore
        names: list[str] = []
        for t in targets:
            if isinstance(t, ast.Name):
                names.append(t.id)
            elif isinstance(t, (ast.Tuple, ast.List)) and all(isinstance(e, ast.Name) for e in t.elts):
                names += [e.id for e in t.elts]  # type: ignore[attr-defined]
            else:
                return None
        if isinstance(node, ast.AugAssign) and any(self.kinds.get(n) != "const" for n in names):
            return None
        if isinstance(value, ast.Lambda) and len(names) == 1:
            return "def", set(names), True
        if isinstance(value, ast.Name) and self.kinds.get(value.id) in ("def", "class", "module", "import", "const"):
            return self.kinds[value.id], set(names), True  # `Relu = ReLU`: it is what the aliased name is
        member = self._member(value)
        if member:
            return member, set(names), True  # `lin_grad = Grads.lin`: a method (or class) of the learner's class
        if self.constant(value):
            return "const", set(names), not isinstance(node, ast.AugAssign)
        return None

    def constant(self, node: ast.expr) -> bool:
        """Whether an expression's value is fixed by the source alone (no data, no call into learner code)."""
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            kind = self.kinds.get(node.id)
            return kind not in (None, "data") or (kind is None and hasattr(builtins, node.id))
        if isinstance(node, ast.Attribute):
            return self.constant(node.value)
        if isinstance(node, ast.Call):
            return self._constant_call(node)
        if isinstance(node, ast.Lambda):
            return True
        if isinstance(node, (ast.Tuple, ast.List, ast.Set, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
                             ast.Subscript, ast.Slice, ast.Dict, ast.JoinedStr, ast.FormattedValue, ast.Starred)):
            return all(self.constant(c) for c in ast.iter_child_nodes(node)
                       if isinstance(c, ast.expr) and not isinstance(c, (ast.expr_context)))
        return False

    def _constant_call(self, call: ast.Call) -> bool:
        args = [*call.args, *(k.value for k in call.keywords)]
        if not all(self.constant(a) for a in args):
            return False
        qual = self._qualified(call.func)
        if qual is not None:
            # `loss_func = nn.CrossEntropyLoss()`, `act = nn.ReLU()`: a torch module made from constants
            module = qual.startswith("torch.nn.") and qual.rsplit(".", 1)[1][:1].isupper()
            return qual in _CONSTANT_CALLS or qual.startswith(_CONSTANT_MODULES) or module
        f = call.func
        if isinstance(f, ast.Name) and self.kinds.get(f.id) == "class":
            return True  # `loss_func = Mse()`, `RELU = Relu()`: a layer of the learner's own, made from constants
        # a method of a constant value: `torch.tensor(2.).double()`, `SHAPE.count(1)`
        return isinstance(f, ast.Attribute) and self._qualified(f.value) is None and self.constant(f.value)

    def _qualified(self, node: ast.expr) -> str | None:
        """`np.zeros` → 'numpy.zeros' when the root is an imported name (or a builtin); else None."""
        if isinstance(node, ast.Name):
            if node.id in self.origin:
                return self.origin[node.id]
            if self.kinds.get(node.id) is None and hasattr(builtins, node.id):
                return f"builtins.{node.id}"
            return None
        if isinstance(node, ast.Attribute):
            root = self._qualified(node.value)
            return None if root is None else f"{root}.{node.attr}"
        return None
