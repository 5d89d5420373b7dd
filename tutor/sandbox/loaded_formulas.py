"""TorchScript's symbolic-autodiff formulas (`def relu(self): ... def backward(grad_output): ...`, 133 of them) are
Python source text inside libtorch_cpu.so: in its mapped read-only data, and in the heap copy its static
initialisers make at load. Covering the file (unreadable.py) leaves both in every process that imported torch; a run
could find them with ctypes and exec a formula. The worker blanks them before it forks any run."""
from __future__ import annotations

import ctypes
import mmap

MARK = b"def backward("  # in every one of the formula texts (and in no other text of the library)
START = b"\n        "  # how each formula text begins (a C++ raw string literal, indented)
REACH = 1 << 16  # a formula text is at most ~15 KB: its start lies within this of a mark


def _regions(maps: str) -> list[tuple[int, int, bool]]:
    """(start, end, writable) of the mappings that hold a formula text: libtorch_cpu's read-only ones, the heap,
    and anonymous private memory (glibc's other arenas)."""
    out = []
    for line in maps.splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) < 5 or parts[1][0] != "r":
            continue
        name = parts[5].strip() if len(parts) == 6 else ""
        ours = name.endswith("/libtorch_cpu.so") and parts[1][1] != "w"
        if ours or name == "[heap]" or (not name and parts[1][1] == "w"):
            start, end = (int(x, 16) for x in parts[0].split("-"))
            out.append((start, end, parts[1][1] == "w"))
    return out


def blank_loaded_formulas() -> int:
    """Overwrite with spaces every formula text in this process's memory (Linux; elsewhere nothing). Returns how
    many texts were blanked. TorchScript never needs them here: autograd is locked in the worker."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        memmem, memchr, memrchr, mprotect = libc.memmem, libc.memchr, libc.memrchr, libc.mprotect
        with open("/proc/self/maps") as fh:
            regions = _regions(fh.read())
    except (OSError, AttributeError):
        return 0
    for f in (memmem, memchr, memrchr):
        f.restype = ctypes.c_void_p
    memmem.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    memchr.argtypes = memrchr.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t]
    mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    blanked = 0
    for start, end, writable in regions:
        at = start
        while at < end and (hit := memmem(at, end - at, MARK, len(MARK))):
            lo = max(start, hit - REACH)
            nul_before, nul_after = memrchr(lo, 0, hit - lo), memchr(hit, 0, min(end, hit + REACH) - hit)
            at = hit + len(MARK)
            if not nul_before or not nul_after:
                continue
            first = nul_before + 1
            if ctypes.string_at(first, len(START)) != START:  # (not a formula text: say, this module's MARK)
                continue
            _fill(first, nul_after, writable, mprotect)
            blanked += 1
            at = nul_after
    return blanked


def _fill(first: int, stop: int, writable: bool, mprotect: ctypes._CFuncPtr) -> None:
    page = mmap.PAGESIZE
    lo, hi = first & ~(page - 1), (stop + page - 1) & ~(page - 1)
    if not writable:  # a private mapping of the file: the write copies the page, the file stays as it is
        mprotect(lo, hi - lo, mmap.PROT_READ | mmap.PROT_WRITE)
    ctypes.memset(first, 0x20, stop - first)
    if not writable:
        mprotect(lo, hi - lo, mmap.PROT_READ | mmap.PROT_EXEC)
