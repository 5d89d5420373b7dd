"""Shape the worker's memory before it forks runs: each fork copies, and each run's exit tears down, a page-table
entry per resident page of the worker's private memory (about 190 MB once torch is imported)."""
from __future__ import annotations

from . import host

HUGE = 1 << 21  # an x86-64/arm64 transparent huge page: one page-table entry instead of 512
MADV_HUGEPAGE, MADV_COLLAPSE = 14, 25


def release_free_memory() -> None:
    """Hand the heap's free pages back to the system (glibc only; elsewhere nothing to do)."""
    if host.linux():
        try:
            import ctypes

            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):
            pass


M_PERTURB = -6  # glibc's mallopt: fill each freed block with this byte (0: stop)


def stop_wiping_freed_memory() -> None:
    """In a run child, once it is about to read its job: stop filling what it frees (the worker's allocator does,
    handle.WIPING_ALLOCATOR). What it frees from then on is the learner's own, and the child is thrown away after
    the run: 8-10% of a grading run's time saved (bench/grade_bench.py, 300 distinct submissions)."""
    if host.linux():
        try:
            import ctypes

            ctypes.CDLL(None).mallopt(M_PERTURB, 0)
        except (OSError, AttributeError):
            pass


def private_regions(maps: str) -> list[tuple[int, int]]:
    """The 2 MB-aligned parts of the private, writable, anonymous mappings (and the heap) in a /proc/PID/maps text."""
    out = []
    for line in maps.splitlines():
        parts = line.split(maxsplit=5)
        if len(parts) < 5 or parts[1][:2] != "rw" or parts[1][3] != "p":
            continue
        if len(parts) == 6 and parts[5].strip() not in ("", "[heap]"):
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        start, end = (start + HUGE - 1) & ~(HUGE - 1), end & ~(HUGE - 1)
        if end > start:
            out.append((start, end))
    return out


def use_huge_pages() -> int:
    """Back the worker's private memory with transparent huge pages where the kernel allows (Linux 6.1+ for
    MADV_COLLAPSE): fork and exit then handle one entry per 2 MB. Returns how many MB were collapsed; 0 and no
    harm where it is not supported. Measured by bench/fork_bench.py: fork+exit of a warm worker 20 -> 5.5 ms."""
    if not host.linux():
        return 0
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        madvise = libc.madvise
        madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
        with open("/proc/self/maps") as fh:
            regions = private_regions(fh.read())
    except (OSError, AttributeError):
        return 0
    collapsed = 0
    for start, end in regions:
        madvise(start, end - start, MADV_HUGEPAGE)  # (the child's copy-on-write of such a page copies 4 KB only)
        for chunk in range(start, end, HUGE):  # one at a time: a chunk that cannot collapse spoils no other
            if madvise(chunk, HUGE, MADV_COLLAPSE) == 0:
                collapsed += 2
    return collapsed
