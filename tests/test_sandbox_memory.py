"""The worker's memory in huge pages (fewer page tables to copy at each fork and tear down at each exit)."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tutor.sandbox.memory import HUGE, private_regions

ROOT = Path(__file__).resolve().parents[1]
THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")
needs_thp = pytest.mark.skipif(not THP.exists() or "[never]" in THP.read_text(), reason="this kernel has no "
                               "transparent huge pages (a worker then keeps 4 KB pages: slower forks, same verdicts)")

MAPS = """\
55e3e4600000-55e3ec000000 rw-p 00000000 00:00 0                          [heap]
7f8f1ec01000-7f8f1ed00000 rw-p 00000000 00:00 0
7f8f20000000-7f8f20800000 rw-p 00000000 00:00 0
7f8f30000000-7f8f30800000 r--p 00000000 fe:01 1234                       /usr/lib/libtorch_cpu.so
7f8f40000000-7f8f40800000 rw-p 00100000 fe:01 1234                       /usr/lib/libtorch_cpu.so
7f8f50000000-7f8f50800000 rw-s 00000000 00:01 99                         /memfd:tutor (deleted)
7ffd1e000000-7ffd1e400000 rw-p 00000000 00:00 0                          [stack]
"""


def test_only_private_anonymous_memory_and_the_heap_whole_huge_pages_of_it() -> None:
    regions = private_regions(MAPS)
    assert regions == [(0x55e3e4600000, 0x55e3ec000000), (0x7f8f20000000, 0x7f8f20800000)]
    # the second mapping holds no whole aligned 2 MB; files, shared memory and the stack are never touched
    assert all(start % HUGE == 0 and end % HUGE == 0 for start, end in regions)


@needs_thp
def test_a_worker_with_torch_imported_has_most_of_its_memory_in_huge_pages() -> None:
    code = textwrap.dedent("""
        import torch
        from tutor.sandbox import memory
        def anon():
            got = {}
            for line in open("/proc/self/smaps_rollup"):
                if line.endswith("kB\\n"):
                    key, value, _ = line.split()
                    got[key] = int(value) >> 10
            return got["Anonymous:"], got["AnonHugePages:"]
        before = anon()
        collapsed = memory.use_huge_pages()
        print((before, anon(), collapsed))
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    (anon, huge_before), (_, huge_after), collapsed = eval(done.stdout)  # noqa: S307 - our own print
    assert collapsed > 0 and huge_after > huge_before
    assert huge_after >= anon // 2, f"{huge_after} of {anon} MB in huge pages after use_huge_pages()"


@needs_thp
def test_the_grading_worker_forks_from_huge_pages_and_gives_big_tensors_huge_pages() -> None:
    from tutor.sandbox.handle import Worker

    worker = Worker(0)
    worker.start()
    try:
        pid = Path(f"/proc/{worker.proc.pid}/task/{worker.proc.pid}/children").read_text().split()[0]  # (PID 1 of its namespace)
        rollup = {line.split()[0]: int(line.split()[1]) >> 10
                  for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines() if line.endswith("kB")}
        # (THP is madvise-only here: without use_huge_pages() next to nothing is in huge pages. A long-running,
        # fragmented machine collapses less, 96 of 197 MB after a CI run, so a quarter is the bound.)
        assert rollup["AnonHugePages:"] >= rollup["Anonymous:"] // 4, rollup
        assert b"THP_MEM_ALLOC_ENABLE=1" in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    finally:
        worker.stop()


@needs_thp
def test_with_the_workers_setting_torch_puts_a_big_tensor_in_huge_pages() -> None:
    from tutor.sandbox.handle import worker_env

    code = textwrap.dedent("""
        import torch
        t = torch.ones(1000, 784 * 20)  # 63 MB, as the book's broadcast w.g makes at batch 1000 (157 MB)
        huge = [ln for ln in open("/proc/self/smaps_rollup") if ln.startswith("AnonHugePages:")][0].split()[1]
        print(int(huge) >> 10)
        """)
    setting = {"THP_MEM_ALLOC_ENABLE": worker_env()["THP_MEM_ALLOC_ENABLE"]}
    got = {}
    for name, env in (("without", {}), ("with", setting)):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                              env={"PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1", **env})
        assert done.returncode == 0, done.stderr
        got[name] = [int(x) for x in done.stdout.split()]
    assert got["with"][0] >= got["without"][0] + 32, got  # at least half of the tensor in huge pages
