"""What learner code must not read, as text: what differentiates for it, and Python packages it does not use.

A run imports nothing new from these (the worker imported torch before forking), but their files would let it
exec a fresh copy of a formula or load a library under another name: torch's derivative formulas
(`torch/_decomp`, TorchScript's symbolic-autodiff script compiled into `libtorch_cpu.so` as text, and every other
Python file of torch that defines a gradient by hand: `formula_files`),
its numerical differentiation (`autograd/gradcheck.py`), the libraries run/libraries.py refuses (sympy,
mpmath, scipy, jax...) wherever they are installed, and every site-packages folder that is not on this
Python's path (the base Python's, the system's: other copies of the same). The minimal root covers them
(rootfs.py); on Gradescope, where there is none, `run_autograder` makes them readable by root only.
"""
from __future__ import annotations

import glob
import os
import re
import sys

TORCH_FOLDERS = ("_decomp", "_inductor")  # (inductor: its own decompositions; it cannot run in a run anyway)
TORCH_FILES = ("autograd/gradcheck.py", "lib/libtorch_cpu.so")  # (the .so holds symbolic_script's formulas)
OTHER_FOLDERS = ("torchgen/packaged/autograd",)  # derivatives.yaml, beside torch
_SITES = ("lib/python3*/site-packages", "lib/python3*/dist-packages", "lib/python3/dist-packages",
          "local/lib/python3*/dist-packages", "local/lib/python3*/site-packages", "lib64/python3*/site-packages")


def on_path() -> set[str]:
    """This Python's import folders, resolved."""
    return {os.path.realpath(p) for p in sys.path if p and os.path.isabs(p) and os.path.isdir(p)}


def site_folders(roots: list[str]) -> list[str]:
    """Every site-packages / dist-packages folder in `roots`: the roots that are one, this Python's own inside
    them, and those of a Python installed in a root or in a folder of it (`/autograder/tutor-venv`), resolved."""
    sites = ("site-packages", "dist-packages")
    inside = tuple(os.path.realpath(r).rstrip(os.sep) + os.sep for r in roots)
    found = {os.path.realpath(r) for r in roots if os.path.basename(r) in sites}
    found |= {p for p in on_path() if os.path.basename(p) in sites and p.startswith(inside)}
    for root in roots:
        for pattern in _SITES:
            for where in (pattern, os.path.join("*", pattern)):
                found.update(os.path.realpath(p) for p in glob.glob(os.path.join(root, where)) if os.path.isdir(p))
    return sorted(found)


def unreadable(roots: list[str]) -> tuple[list[str], list[str]]:
    """(folders, files) under `roots` that learner code must not read, all existing, resolved."""
    from ..run.libraries import REFUSED

    path = on_path()
    sites = site_folders(roots)
    folders = [s for s in sites if s not in path]  # another Python's packages: nothing this one imports
    for site in (s for s in sites if s in path):
        folders += [os.path.join(site, name) for name in REFUSED if os.path.isdir(os.path.join(site, name))]
        folders += [os.path.join(site, rel) for rel in OTHER_FOLDERS if os.path.isdir(os.path.join(site, rel))]
    files: list[str] = []
    top = _torch_folder()
    if top:
        folders += [os.path.join(top, d) for d in TORCH_FOLDERS if os.path.isdir(os.path.join(top, d))]
        for rel in (*TORCH_FILES, *formula_files(top)):
            folder, name = os.path.split(os.path.join(top, rel))
            cache = os.path.join(folder, "__pycache__")
            stem = name[:-3] + "." if name.endswith(".py") else None
            files += [os.path.join(folder, name)] + [
                os.path.join(cache, f) for f in (os.listdir(cache) if stem and os.path.isdir(cache) else ())
                if f.startswith(stem) and f.endswith(".pyc")]  # type: ignore[arg-type]
    inside = tuple(r.rstrip(os.sep) + os.sep for r in roots)
    folders = sorted({f for f in folders if f.startswith(inside)})
    folders = [f for f in folders if not any(f.startswith(g + os.sep) for g in folders)]  # (the outermost only)
    files = sorted({f for f in files if os.path.isfile(f) and f.startswith(inside)
                    and not any(f.startswith(g + os.sep) for g in folders)})
    return folders, files


FORMULA = re.compile(rb"def \w*(?:backward|_bwd)\w*\(")  # a function that computes a gradient, by its name
_NOT_SCANNED = {"__pycache__", "_decomp", "_inductor", "testing", "include", "lib", "share", "bin"}


def formula_files(top: str) -> list[str]:
    """torch's Python files that define a gradient by hand (`def linear_backward_default(...)`, an
    `autograd.Function`'s `backward`, `_nll_loss_and_log_softmax_backward`): read as text and exec'd, any of them
    differentiates for the learner (nested tensors' linear, distributed tensors' cross-entropy...). Paths relative
    to `top`. ~0.2 s for torch's 1,800 files."""
    found = []
    for folder, dirs, names in os.walk(top):
        dirs[:] = [d for d in dirs if d not in _NOT_SCANNED]
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                with open(path, "rb") as fh:
                    text = fh.read()
                if (b"backward" in text or b"_bwd" in text) and FORMULA.search(text):
                    found.append(os.path.relpath(path, top))
    return found


def _torch_folder() -> str:
    """torch's package folder, resolved, without importing it ('' when there is none)."""
    torch = sys.modules.get("torch")
    origin = getattr(torch, "__file__", None)
    if origin is None:
        import importlib.util

        spec = importlib.util.find_spec("torch")
        origin = spec.origin if spec is not None else None
    return os.path.dirname(os.path.realpath(origin)) if origin else ""
