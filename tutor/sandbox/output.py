"""What a run prints: one capped stream for stdout and stderr, with a byte side (`sys.stdout.buffer`) too."""
from __future__ import annotations

import io
import os


class _Cap:
    """The bytes a run may still write, shared by a stream's text and byte sides."""

    def __init__(self, fd: int, cap: int) -> None:
        self.fd, self.left = fd, cap

    def write(self, data: bytes) -> None:
        """Write what fits under the cap, silently dropping the rest."""
        if self.left <= 0 or not data:
            return
        data = bytes(data[: self.left])
        self.left -= len(data)
        try:
            while data:
                data = data[os.write(self.fd, data):]
        except OSError:
            self.left = 0


class CappedBytes(io.RawIOBase):
    """`sys.stdout.buffer` of a run: bytes under the same cap as the text."""

    def __init__(self, cap: _Cap) -> None:
        self._cap = cap

    def writable(self) -> bool:
        """Always writable."""
        return True

    def write(self, b) -> int:  # type: ignore[no-untyped-def,override]
        """Write what fits under the cap; report the whole buffer as written."""
        data = bytes(b)
        self._cap.write(data)
        return len(data)


class CappedStream(io.TextIOBase):
    """A text stream that writes to an fd until `cap` bytes, then silently drops the rest."""

    def __init__(self, fd: int, cap: int) -> None:
        self._cap = _Cap(fd, cap)
        self._buffer = CappedBytes(self._cap)

    @property
    def buffer(self) -> CappedBytes:  # type: ignore[override]
        """The byte side (`sys.stdout.buffer.write(b"...")`), under the same cap."""
        return self._buffer

    @property
    def left(self) -> int:
        """Bytes that may still be written."""
        return self._cap.left

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """What the text is written as."""
        return "utf-8"

    def writable(self) -> bool:
        """Always writable."""
        return True

    def write(self, s: str) -> int:
        """Write what fits under the cap; report the whole string as written."""
        if s:
            self._cap.write(s.encode("utf-8", "replace"))
        return len(s)
