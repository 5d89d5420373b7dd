"""A stand-in for a notebook global the check leaves out because it holds data (`res = model(x_valid)`, `x_train`).

Learner code may read such a global without using it for a gradient: the course's own `forward_and_backward` had
`loss = res.pow(2).mean()`, never used, for months. In the notebook it runs; so it must here. A stand-in holds no
data: every operation on it gives another stand-in, and whatever needs its value (`if`, `len`, `range`, `.item()`,
numpy, an in-place write into a real tensor) raises the NameError the missing global would have raised. A gradient
that is a stand-in is that NameError too. Names that mattered are collected in `MATTERED`."""
from __future__ import annotations

from typing import Any

MATTERED: set[str] = set()  # the data globals whose value some learner code needed (uses-globals)


class DataStandIn:
    """What a data global reads as in a check: nothing of the data, and a NameError the moment its value counts."""

    __slots__ = ("_name",)

    def __init__(self, name: str) -> None:
        object.__setattr__(self, "_name", name)

    def missing(self) -> NameError:
        """The error the notebook's global would give, read where the data is left out (and it is now known to
        matter)."""
        MATTERED.add(self._name)
        return NameError(f"name '{self._name}' is not defined", name=self._name)

    def _more(self, *args: Any, **kwargs: Any) -> DataStandIn:
        return self

    def _needed(self, *args: Any, **kwargs: Any) -> Any:
        raise self.missing()

    @classmethod
    def __torch_function__(cls, func: Any, types: Any, args: tuple = (), kwargs: Any = None) -> Any:
        kwargs = kwargs or {}
        first = _first_in((*args, *kwargs.values()))
        name = getattr(func, "__name__", "")
        target = args[0] if args else None
        writes_real = "out" in kwargs or name == "__setitem__" or (name.endswith("_") and not name.startswith("__")
                                                                   and not isinstance(target, DataStandIn))
        if writes_real and first is not None:  # data written into one of the learner's real tensors
            raise first.missing()
        return first

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        pass

    def __repr__(self) -> str:
        return f"<the notebook's `{self._name}`: data, left out of the check>"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    __call__ = __getitem__ = __neg__ = __pos__ = __abs__ = __invert__ = _more
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _more
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __pow__ = __rpow__ = __matmul__ = __rmatmul__ = _more
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = __lshift__ = __rshift__ = _more
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _more
    __setitem__ = __delitem__ = _more
    __bool__ = __int__ = __float__ = __complex__ = __index__ = __len__ = __iter__ = __array__ = _needed
    __contains__ = __hash__ = __reversed__ = __round__ = __trunc__ = __floor__ = __ceil__ = _needed


def _first_in(values: Any, depth: int = 0) -> DataStandIn | None:
    """The first stand-in among `values`, inside lists, tuples and dicts too (`torch.zeros((n, 3))`)."""
    for v in values:
        if isinstance(v, DataStandIn):
            return v
        if depth < 3 and isinstance(v, (list, tuple, dict)):
            found = _first_in(v.values() if isinstance(v, dict) else v, depth + 1)
            if found is not None:
                return found
    return None


def stand_in_for_data(where: dict[str, str], ns: dict[str, Any]) -> list[str]:
    """Bind a stand-in in `ns` for each global of `where` that the notebook set from data; return their names."""
    MATTERED.clear()
    data = [n for n in where if n in ns.get("__tutor_data__", {})]
    for name in data:
        ns[name] = DataStandIn(name)
    return data
