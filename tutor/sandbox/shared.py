"""A run's result memfd (Linux): filled by the child, sealed and mapped read-only by the checker, so a result of
megabytes crosses no pipe and is copied once, by the child."""
from __future__ import annotations

import mmap
import os

from .protocol import write_all

_SEALS = ("F_SEAL_WRITE", "F_SEAL_SHRINK", "F_SEAL_GROW")


def result_memfd() -> int:
    """A memfd for one run's result, which the checker can seal once it is handed on."""
    return os.memfd_create("tutor-run-result", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)


def write_result(fd: int, chunks: list) -> bool:
    """In the child: put a result's body in the memfd and cut it to its size. False when it does not fit under the
    run's file-size limit (it then goes through the pipe)."""
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        write_all(fd, chunks)
        os.ftruncate(fd, os.lseek(fd, 0, os.SEEK_CUR))
        return True
    except OSError:
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        return False


def read_result(fd: int, size: int) -> bytes | memoryview:
    """The checker's side: the result's `size` bytes. The memfd is sealed first (no process of the run, however
    it lingers, can write, grow or shrink it any more), then mapped read-only: no copy. Where it cannot be sealed
    (learner code sealed it against us, or still maps it writable) or its size is not the one announced, the bytes
    are copied out instead: a snapshot, so what a lingering process writes later is never read."""
    if size > 0 and _seal(fd) and os.fstat(fd).st_size == size:
        # (MAP_POPULATE: its pages mapped at once, not faulted in one by one as the judge reads; the map keeps its
        # own fd until it is dropped)
        flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
        return memoryview(mmap.mmap(fd, size, flags=flags, prot=mmap.PROT_READ))
    return os.pread(fd, size, 0)


def _seal(fd: int) -> bool:
    try:
        import fcntl  # (POSIX only; this runs on Linux)

        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, sum(getattr(fcntl, s) for s in _SEALS))
        return True
    except (OSError, AttributeError):
        return False
