"""What running learner code on the cases gave back, as plain data (arrays, strings, numbers).

This is the boundary between learner code and the verdict: a grading worker builds a `SubmissionRun`,
ships it as JSON plus raw arrays (never pickle), and the grader judges it with its own reference.
"""
from __future__ import annotations

import io
import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass
class ErrorInfo:
    """An exception raised by learner code, located in the learner's own source."""

    type: str
    message: str
    line: str = ""  # the learner's source line that raised ("" when not in their code)
    lineno: int | None = None
    kind: str = "raises"  # raises | uses-autograd | uses-reference | name-error


@dataclass
class CaseRun:
    """One case: the values that came back by tensor name, and what went wrong."""

    case: str
    values: dict[str, np.ndarray] = field(default_factory=dict)  # "inp.g", "w.g", "out", ...
    problems: dict[str, str] = field(default_factory=dict)  # name -> "missing" | "not a tensor: got float"
    extras: dict[str, np.ndarray] = field(default_factory=dict)  # "inp.grad", "out.g", "returned", ...
    error: ErrorInfo | None = None
    mutated: list[str] = field(default_factory=list)  # inputs changed in place


@dataclass
class SubmissionRun:
    """A whole submission: did it load, which globals it leans on, and each case's run."""

    exercise: str
    load_error: ErrorInfo | None = None  # syntax error, raised at definition, or entry not defined
    missing_entry: bool = False
    globals_used: list[str] = field(default_factory=list)
    cases: list[CaseRun] = field(default_factory=list)

    def to_bytes(self) -> bytes:
        """Serialize as one .npz: a JSON header plus raw arrays (loadable without pickle)."""
        arrays: dict[str, np.ndarray] = {}
        header = asdict(self)
        for i, (case, hcase) in enumerate(zip(self.cases, header["cases"])):
            for part in ("values", "extras"):
                keys = []
                for j, (name, arr) in enumerate(getattr(case, part).items()):
                    arrays[f"c{i}_{part}_{j}"] = np.asarray(arr)
                    keys.append(name)
                hcase[part] = keys
        arrays["__header__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "SubmissionRun":
        """Inverse of `to_bytes`; refuses object arrays (allow_pickle=False)."""
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            header = json.loads(z["__header__"].tobytes().decode())
            cases = []
            for i, h in enumerate(header["cases"]):
                parts = {p: {name: z[f"c{i}_{p}_{j}"] for j, name in enumerate(h[p])} for p in ("values", "extras")}
                err = ErrorInfo(**h["error"]) if h["error"] else None
                cases.append(CaseRun(case=h["case"], values=parts["values"], problems=h["problems"],
                                     extras=parts["extras"], error=err, mutated=h["mutated"]))
        load_error = ErrorInfo(**header["load_error"]) if header["load_error"] else None
        return cls(exercise=header["exercise"], load_error=load_error, missing_entry=header["missing_entry"],
                   globals_used=header["globals_used"], cases=cases)


def to_array(value: Any) -> np.ndarray | str:
    """A gradient-like value as a numpy array, or a string saying why it is not one."""
    import torch

    if isinstance(value, torch.Tensor):
        t = value.detach().cpu()
        if t.is_complex():
            return f"a complex tensor of dtype {t.dtype}"
        if t.dtype in (torch.float16, torch.bfloat16):
            t = t.float()
        return t.numpy().copy()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.copy()
    if isinstance(value, (bool, int, float)):
        return f"a Python {type(value).__name__} ({value!r}), not a tensor"
    return f"a {type(value).__name__}, not a tensor"
