"""What the grader and its workers say to each other: length-prefixed JSON and raw bytes, never pickle."""
from __future__ import annotations

import json
import os
import select
import struct
import time
from dataclasses import asdict, dataclass, fields
from typing import Any

_LEN = struct.Struct(">Q")
DEFAULT_JOB = "tutor.run:run_submission"  # what a worker runs for each job (module:function)


@dataclass(frozen=True)
class Limits:
    """Per-exercise limits for learner code (seconds, megabytes, kilobytes, processes)."""

    wall: float = 8.0  # wall-clock seconds for one exercise
    cpu: float = 5.0  # CPU seconds (RLIMIT_CPU)
    memory_mb: int = 1024  # address space on top of what the worker already maps (RLIMIT_AS)
    nproc: int = 32  # processes and threads (RLIMIT_NPROC)
    output_kb: int = 256  # printed output kept; the rest is cut off
    disk_mb: int = 64  # the private temp dir's size, and the largest file (RLIMIT_FSIZE)
    result_mb: int = 256  # the largest result a worker may hand back

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Limits":
        """Inverse of `to_dict` (unknown keys are refused)."""
        names = {f.name for f in fields(cls)}
        unknown = set(d) - names
        if unknown:
            raise ValueError(f"unknown limit(s) {sorted(unknown)}, expected some of {sorted(names)}")
        return cls(**d)


# What a worker reports about one exercise run (besides the result bytes).
STATUSES = ("ok", "timeout", "memory", "crashed", "error")


@dataclass
class Outcome:
    """How one run of learner code ended, as the worker saw it; `payload` is the raw result (may be empty)."""

    status: str  # one of STATUSES; "error" means the worker could not do its job
    detail: str = ""
    output: str = ""  # the start of what the code printed
    output_cut: bool = False  # more was printed than `Limits.output_kb`
    cpu: float = 0.0
    wall: float = 0.0
    payload: bytes | memoryview = b""

    def header(self) -> dict[str, Any]:
        """Everything but the payload, as a JSON-able dict."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "payload"}


# A child's result frame: a kind byte and the body's length. R: a result, its body follows; S: a result, its body
# is in the run's result memfd (the pipe carries the head only); M: out of memory; X: stopped by an exception.
RESULT_HEAD = struct.Struct(">cQ")


def result_frame(kind: bytes, chunks: list[Any]) -> list[Any]:
    """The pieces to write for one result frame: its head, then the body's chunks (bytes-like)."""
    size = sum(memoryview(c).nbytes for c in chunks)
    return [RESULT_HEAD.pack(kind, size), *chunks]


def frame_size(head: bytes) -> int:
    """How many bytes the frame starting with `head` takes in the pipe (0 while its head is not all there)."""
    if len(head) < RESULT_HEAD.size:
        return 0
    kind, size = RESULT_HEAD.unpack_from(head)
    return RESULT_HEAD.size + (0 if kind == b"S" else size)


def frame_complete(buf: bytes) -> bool:
    """Whether `buf` holds exactly one whole result frame."""
    return 0 < frame_size(buf) == len(buf)


class ChannelClosed(EOFError):
    """The other end went away."""


def write_frame(fd: int, data: bytes) -> None:
    """Write one length-prefixed frame."""
    write_all(fd, [_LEN.pack(len(data)), data])


def write_all(fd: int, chunks: list[Any]) -> None:
    """Write every chunk (bytes or any buffer) in full, in order."""
    for chunk in chunks:
        view = memoryview(chunk).cast("B")
        while view:
            view = view[os.write(fd, view):]


def read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    """Read exactly n bytes, raising ChannelClosed on EOF and TimeoutError past the monotonic deadline."""
    chunks, left = [], n
    while left:
        if deadline is not None:
            wait = deadline - time.monotonic()
            if wait <= 0 or not select.select([fd], [], [], wait)[0]:
                raise TimeoutError(f"no answer within the deadline ({n - left} of {n} bytes read)")
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise ChannelClosed(f"the other end closed after {n - left} of {n} bytes")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, deadline: float | None = None, limit: int = 1 << 34) -> bytes:
    """Read one length-prefixed frame (refusing one longer than `limit` bytes)."""
    (n,) = _LEN.unpack(read_exact(fd, _LEN.size, deadline))
    if n > limit:
        raise ValueError(f"a frame of {n} bytes came back, expected at most {limit}")
    return read_exact(fd, n, deadline)


def write_job(fd: int, header: dict[str, Any], source: bytes | bytearray) -> None:
    """A job: its JSON header (exercise, limits), then the learner's source as raw bytes, a frame of its own."""
    write_json(fd, header)
    write_frame(fd, source)


def read_source(fd: int, limit: int = 1 << 26) -> bytearray:
    """A job's source frame, read straight into one buffer (no other copy in this process): the worker passes it
    on and wipes it, so no later child forked from the worker can find one learner's code in its memory."""
    (n,) = _LEN.unpack(read_exact(fd, _LEN.size))
    if n > limit:
        raise ValueError(f"a source of {n} bytes came, expected at most {limit}")
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if not k:
            raise ChannelClosed(f"the other end closed after {got} of {n} bytes")
        got += k
    view.release()
    return buf


def wipe(buf: bytearray) -> None:
    """Overwrite a buffer that held learner code."""
    buf[:] = bytes(len(buf))


def write_json(fd: int, obj: Any) -> None:
    """Write a JSON object as one frame."""
    write_frame(fd, json.dumps(obj).encode())


def read_json(fd: int, deadline: float | None = None) -> Any:
    """Read one frame holding JSON."""
    return json.loads(read_frame(fd, deadline, limit=1 << 26).decode())
