"""What running learner code on the cases gave back, as plain data (arrays, strings, numbers).

This is the boundary between learner code and the verdict: a grading worker builds a `SubmissionRun`,
ships it as a JSON header plus raw numeric arrays (never pickle), and the grader judges it with its own reference.
"""
from __future__ import annotations

import json
import math
import re
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
    notes: list[str] = field(default_factory=list)  # one line each: "found `MSE`, checked as `Mse`", the cell checked
    globals_where: dict[str, str] = field(default_factory=dict)  # global -> who reads it and where it was defined

    def to_bytes(self) -> bytes:
        """Serialize as a JSON header plus the arrays' raw bytes (numbers only: no pickle, no object arrays)."""
        return b"".join(self.to_chunks())

    def to_chunks(self) -> list[bytes | memoryview]:
        """`to_bytes()` in pieces, the arrays' memory not copied: a grading child writes them straight to a pipe."""
        # Built by hand: dataclasses.asdict would deep-copy every array (megabytes) only to drop the copies.
        header = {"exercise": self.exercise, "load_error": _plain(self.load_error), "missing_entry": self.missing_entry,
                  "globals_used": list(self.globals_used), "notes": list(self.notes),
                  "globals_where": dict(self.globals_where), "cases": []}
        blobs: list[bytes | memoryview] = []
        offset = 0
        for case in self.cases:
            hcase: dict[str, Any] = {"case": case.case, "problems": dict(case.problems), "error": _plain(case.error),
                                     "mutated": list(case.mutated)}
            header["cases"].append(hcase)
            for part in ("values", "extras"):
                hcase[part] = []
                for name, arr in getattr(case, part).items():
                    arr = np.asarray(arr, order="C")  # (np.ascontiguousarray would make 0-d arrays 1-d)
                    if arr.dtype.kind not in "biuf":
                        raise TypeError(f"{name} has dtype {arr.dtype}: only numeric arrays cross the boundary")
                    hcase[part].append([name, arr.dtype.str, list(arr.shape), offset, arr.nbytes])
                    blobs.append(memoryview(arr.reshape(-1)).cast("B") if arr.size else b"")
                    offset += arr.nbytes
        head = json.dumps(header).encode()
        return [_MAGIC, len(head).to_bytes(8, "little"), head, *blobs]

    @classmethod
    def from_bytes(cls, data: bytes | memoryview) -> "SubmissionRun":
        """Inverse of `to_bytes`; rejects anything that is not numeric arrays inside the buffer (ValueError)."""
        if data[:len(_MAGIC)] != _MAGIC:
            raise ValueError("not a tutor run result")
        size = int.from_bytes(data[len(_MAGIC):len(_MAGIC) + 8], "little")
        if size > _HEADER_BYTES:
            raise ValueError(f"a result header of {size} bytes, expected at most {_HEADER_BYTES}")
        start = len(_MAGIC) + 8
        text = data[start:start + size]
        header = json.loads(bytes(text).decode())
        if _SURROGATE.search(text):  # (the header is ASCII JSON: a lone surrogate can only come as an escape)
            header = _no_lone_surrogates(header)
        body = memoryview(data)[start + size:]

        def array(dtype: str, shape: list[int], offset: int, nbytes: int) -> np.ndarray:
            dt = np.dtype(dtype)
            if dt.kind not in "biuf" or offset < 0 or offset + nbytes > len(body) or \
                    any(not isinstance(d, int) or d < 0 for d in shape) or math.prod(shape) * dt.itemsize != nbytes:
                raise ValueError(f"bad array record {dtype} {shape} at {offset}")
            return np.frombuffer(body[offset:offset + nbytes], dtype=dt).reshape(tuple(shape))  # read-only view

        if len(header["cases"]) > _MOST or any(len(h[p]) > _MOST for h in header["cases"] for p in ("values", "extras")):
            raise ValueError(f"more than {_MOST} cases or arrays in one case: no check runs or keeps that many")
        cases = []
        for h in header["cases"]:
            parts = {p: {_text(rec[0]): array(*rec[1:]) for rec in h[p]} for p in ("values", "extras")}
            cases.append(CaseRun(case=_text(h["case"]), values=parts["values"], problems=_texts(h["problems"]),
                                 extras=parts["extras"], error=_error(h["error"]), mutated=_texts(h["mutated"])))
        if not isinstance(header["missing_entry"], bool):
            raise ValueError("missing_entry is not a boolean")
        return cls(exercise=_text(header["exercise"]), load_error=_error(header["load_error"]),
                   missing_entry=header["missing_entry"], globals_used=_texts(header["globals_used"]), cases=cases,
                   notes=[str(n)[:500] for n in header.get("notes", [])][:20],
                   globals_where={str(k)[:200]: str(v)[:500]
                                  for k, v in list(dict(header.get("globals_where", {})).items())[:_MOST]})


_MAGIC = b"TUTORRUN1\n"
_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")  # the JSON escape of U+D800..U+DFFF (a pair too: then read all)


def _no_lone_surrogates(value: Any) -> Any:
    """The header with every lone surrogate (`chr(0xdfff)` in a learner's message) replaced: text that any
    encoder (a terminal, a widget's JSON) can write."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8") if not value.isascii() else value
    if isinstance(value, list):
        return [_no_lone_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_no_lone_surrogates(k): _no_lone_surrogates(v) for k, v in value.items()}
    return value


# What a result's header may hold, at most: learner code can write a header of its own (it holds the result pipe),
# and a report of 250,000 globals of 400 characters each made a 100 MB report and 600 MB of grader files.
_MOST = 100  # entries of a list or a mapping (the model's cases hold 5 arrays, a program reads a few globals)
_LONGEST = 4000  # characters of one text (an error message quoting a tensor: its start says it)
_HEADER_BYTES = 8 << 20  # the header's JSON (the arrays follow it): a few KB from the harness


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"a {type(value).__name__} where the result has text")
    return value if len(value) <= _LONGEST else value[:_LONGEST] + " [... cut]"


def _texts(value: Any) -> Any:
    """A list of strings, or a dict of strings to strings, as the header must hold (ValueError otherwise); the
    first _MOST entries."""
    if isinstance(value, list):
        return [_text(v) for v in value[:_MOST]]
    if isinstance(value, dict):
        return {_text(k): _text(v) for k, v in list(value.items())[:_MOST]}
    raise ValueError(f"a {type(value).__name__} where the result has a list or a mapping")


def _error(value: Any) -> ErrorInfo | None:
    """An ErrorInfo from the header: text fields and a line number (or none), nothing else (ValueError)."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"type", "message", "line", "lineno", "kind"}:
        raise ValueError("an error record of another form")
    lineno = value.get("lineno")
    if lineno is not None and (not isinstance(lineno, int) or isinstance(lineno, bool)):
        raise ValueError("an error's line number is not a number")
    return ErrorInfo(**{k: v if k == "lineno" else _text(v) for k, v in value.items()})


def _plain(err: ErrorInfo | None) -> dict[str, Any] | None:
    return None if err is None else asdict(err)


def to_array(value: Any) -> np.ndarray | str:
    """A gradient-like value as a numpy array, or a string saying why it is not one (never raises)."""
    import torch

    try:
        if isinstance(value, torch.Tensor):
            with torch._C.DisableTorchFunctionSubclass():  # a subclass's own overrides do not get a say
                return _tensor_array(value, torch)
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
            return np.array(value, copy=True)  # (a subclass of ndarray becomes a plain array)
        if isinstance(value, (bool, int, float)):
            return f"a Python {type(value).__name__} ({value!r}), not a tensor"
        return f"a {type(value).__name__}, not a tensor"
    except Exception as e:  # noqa: BLE001 - a hostile or exotic object: described, never raised out of the run
        return f"a {type(value).__name__} that could not be read ({type(e).__name__})"


def _tensor_array(value: Any, torch: Any) -> np.ndarray | str:
    kind = type(value).__name__
    layout = torch.Tensor.layout.__get__(value)
    if layout != torch.strided:
        return f"a {str(layout).replace('torch.', '')} tensor; store an ordinary (dense) tensor"
    device = torch.Tensor.device.__get__(value)
    if device.type == "meta":
        return "a tensor on the meta device (it holds no numbers)"
    t = torch.Tensor.detach(value)
    if type(t) is not torch.Tensor:  # a subclass: read its plain data, not what its methods say
        t = t.as_subclass(torch.Tensor)
    t = t.cpu()
    if t.is_complex():
        return f"a complex tensor of dtype {t.dtype}"
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    if t.dtype == torch.bool or not (t.is_floating_point() or t.dtype in (torch.int8, torch.int16, torch.int32,
                                                                           torch.int64, torch.uint8)):
        return f"a {kind} of dtype {t.dtype}"
    return t.resolve_conj().resolve_neg().numpy().copy() if kind != "Tensor" else t.numpy()
