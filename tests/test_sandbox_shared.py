"""A run's result memfd: what the checker reads from it cannot change afterwards, whatever still holds it."""
from __future__ import annotations

import fcntl
import mmap
import os

import pytest

import tutor
from tutor.exercises import get
from tutor.sandbox import host
from tutor.sandbox.shared import read_result, result_memfd, write_result

pytestmark = pytest.mark.skipif(not host.linux(), reason="result memfds are Linux's")

BODY = bytes(range(256)) * 4096  # 1 MB


def filled() -> int:
    fd = result_memfd()
    assert write_result(fd, [BODY[:1000], memoryview(BODY)[1000:]])
    return fd


def test_a_result_read_is_sealed_then_mapped_and_no_write_reaches_it() -> None:
    fd = filled()
    other = os.open(f"/proc/self/fd/{fd}", os.O_RDWR)  # what a lingering process of the run would hold
    got = read_result(fd, len(BODY))
    assert isinstance(got, memoryview) and got.readonly and bytes(got) == BODY
    with pytest.raises(PermissionError):
        os.pwrite(other, b"forged", 0)
    with pytest.raises(PermissionError):
        os.ftruncate(other, 10)  # (a shrink under the map would make the judge's reads fault)
    with pytest.raises(PermissionError):
        mmap.mmap(other, len(BODY))  # a writable shared map
    assert bytes(got[:6]) == BODY[:6]
    os.close(other)
    os.close(fd)


def test_a_memfd_sealed_against_the_checker_is_copied_out_and_read_all_the_same() -> None:
    fd = filled()
    fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SEAL)  # learner code forbids any further seal
    got = read_result(fd, len(BODY))
    assert isinstance(got, bytes) and got == BODY
    os.pwrite(fd, b"later", 0)
    assert got == BODY  # a snapshot
    os.close(fd)


def test_a_memfd_still_mapped_writable_is_copied_out() -> None:
    fd = filled()
    writable = mmap.mmap(fd, len(BODY))  # seals cannot be added while it exists (EBUSY)
    got = read_result(fd, len(BODY))
    assert isinstance(got, bytes) and got == BODY
    writable[:5] = b"later"
    assert got == BODY
    writable.close()
    os.close(fd)


def test_a_size_other_than_announced_is_never_mapped_past_its_end() -> None:
    fd = filled()
    os.ftruncate(fd, 1000)  # shrunk after the worker read its size
    got = read_result(fd, len(BODY))
    assert isinstance(got, bytes) and got == BODY[:1000]  # (short: the result then fails to parse, a crash)
    assert read_result(fd, 0) == b""
    os.close(fd)


def test_a_check_reads_its_result_from_a_sealed_map() -> None:
    """The path a notebook's check takes end to end: the whole model's ~6 MB come back in a sealed, read-only map,
    and are judged from there."""
    from tutor.checker import CHECK_LIMITS
    from tutor.sandbox import session

    source = get("model").reference_source
    assert tutor.check("model", source).passed
    with session.lock():
        out = session.worker().run("model", source, CHECK_LIMITS)
    assert out.status == "ok" and isinstance(out.payload, memoryview) and out.payload.readonly
    assert len(out.payload) > 5 << 20
    assert tutor.check("model", source).passed
