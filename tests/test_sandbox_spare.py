"""Run children made ahead of time (tutor/sandbox/spare.py): forked, confined and, in a learner's kernel, warmed up
while the worker is idle; answered as soon as their result is complete. None of that may change a verdict."""
from __future__ import annotations

import json
import sys
import threading
import time

import pytest

from tutor import exercises
from tutor.judge.outcome import report_for
from tutor.sandbox import protocol, session
from tutor.sandbox.handle import Worker
from tutor.sandbox.protocol import Limits

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="run children made ahead: Linux")

LIMITS = Limits(wall=20.0, cpu=20.0, memory_mb=2048, output_kb=16)
RIGHT = ("def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n"
         "    b.g = out.g.sum(0)\n")
LOOP = "def lin_grad(inp, out, w, b):\n    while True:\n        pass\n"


@pytest.fixture(scope="module")
def worker():
    """A worker as a learner's kernel has it: no warm-up of every exercise, idle children warmed up."""
    w = Worker(0, warm_up=False, require_full=False, warm_spares=True)
    w.start()
    yield w
    w.stop()


def verdict(worker: Worker, source: str, limits: Limits = LIMITS) -> str:
    return report_for("lin_grad", worker.run("lin_grad", source, limits), limits).summary_line()


def _probe(needle: str) -> str:
    """Learner code that reports, from inside its run, what it can see: its open files, any object holding a text
    with `needle` in it (but the needle itself), and how many pages the process had touched."""
    return ("import gc, json, os, resource\ndef lin_grad(inp, out, w, b):\n    if hasattr(os, 'probed'):\n"
            "        return\n    os.probed = True\n    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            f"    needle = {needle[::-1]!r}[::-1]  # (not a constant of this code)\n"
            "    fds = []  # every descriptor it holds, by number (its /proc is covered), and whether it holds the needle\n"
            "    for fd in range(3, 256):\n        try:\n            os.fstat(fd)\n        except OSError:\n"
            "            continue\n        try:\n            text = os.pread(fd, 1 << 24, 0).decode('utf-8', 'replace')\n"
            "        except OSError:\n            text = ''\n        fds.append(f'{fd}:' + ('needle' if needle in text else ''))\n"
            "    held = [type(o).__name__ for o in gc.get_objects() for r in gc.get_referents(o)\n"
            "            if isinstance(r, str) and needle in r and r is not needle]\n"
            "    print(json.dumps({'faults': faults, 'fds': fds, 'held': held}))\n")


def test_an_idle_child_warms_up_and_hands_learner_code_nothing_of_it(worker) -> None:
    line = next(l for l in exercises.get("lin_grad").variants[0].source.splitlines() if "=" in l).strip()
    said = []
    for idle in (0.0, 1.5):  # right after a check (no time to warm up), then after the learner paused
        worker.run("lin_grad", "def lin_grad(inp, out, w, b):\n    pass\n", LIMITS)
        time.sleep(idle)
        said.append(json.loads(worker.run("lin_grad", _probe(line), LIMITS).output.splitlines()[0]))
    cold, warm = said
    assert warm["faults"] > cold["faults"] + 1000, said  # the idle child ran the variant: its pages are its own
    for seen in said:
        assert seen["fds"] and not any(f.endswith("needle") for f in seen["fds"]), seen["fds"]
        assert seen["held"] == [], seen["held"]


LEFTOVERS = ("import gc, json\ndef lin_grad(inp, out, w, b):\n    gc.unfreeze()\n    found = []\n"
             "    for o in gc.get_objects():\n"
             "        if type(o).__name__ == 'function' and o.__code__.co_filename.startswith('<your') \\\n"
             "                and o.__globals__ is not lin_grad.__globals__:\n"
             "            try:\n                o(*[None] * o.__code__.co_argcount)\n"
             "                found.append(o.__qualname__ + ': ran')\n"
             "            except BaseException as e:\n                found.append(o.__qualname__ + ': ' + str(e))\n"
             "    print(json.dumps(found))\n    raise SystemExit\n")


def test_the_variant_an_idle_child_warmed_up_with_is_gone_or_raises(worker) -> None:
    # Most variants are the lesson's right code with one line wrong: the model's holds a right Lin and Mse, and
    # a later check of lin could call them from its run (the warm-up's module and cached signature were kept).
    worker.run("model", "class Model:\n    def __init__(self, w1, b1, w2, b2):\n        self.layers = ...\n", LIMITS)
    time.sleep(1.5)  # the next child warms up with the model's known wrong variant
    found = json.loads(worker.run("lin_grad", LEFTOVERS, LIMITS).output.splitlines()[0])
    assert all("a shipped variant was called" in f or "shipped reference" in f for f in found), found


@pytest.mark.parametrize("warm_spares", [False, True], ids=["grader", "kernel"])
def test_the_next_run_child_holds_nothing_of_the_last_job(warm_spares: bool) -> None:
    """The next run's child is forked after a job: the job's code (a classmate's, in a grader) and its result
    must not be reachable from it."""
    w = Worker(0, warm_up=False, require_full=False, warm_spares=warm_spares)
    w.start()
    try:
        classmate = RIGHT + "# classmate-marker\n"
        assert verdict(w, classmate) == "lin_grad: PASS"
        time.sleep(0.5)
        seen = json.loads(w.run("lin_grad", _probe("classmate-marker"), LIMITS).output.splitlines()[0])
        assert seen["held"] == [], seen["held"]
    finally:
        w.stop()


def test_a_check_with_other_limits_right_after_a_check_is_served(worker) -> None:
    assert verdict(worker, RIGHT) == "lin_grad: PASS"
    # the child made for the last limits (maybe still confining itself) is dropped, one for these is made
    assert verdict(worker, LOOP, Limits(wall=2.0, cpu=2.0)) == "lin_grad: FAIL [timeout]"
    assert verdict(worker, RIGHT) == "lin_grad: PASS"


def test_a_result_over_the_file_size_limit_comes_back_through_the_pipe(worker) -> None:
    # (a run's result goes to a memfd, which the file-size limit covers: ~7 MB do not fit in 1 MB)
    assert verdict(worker, RIGHT, Limits(wall=20.0, cpu=20.0, disk_mb=1)) == "lin_grad: PASS"
    assert verdict(worker, RIGHT.replace(".sum(0)", ""), Limits(wall=20.0, cpu=20.0, disk_mb=1)) == \
        "lin_grad: FAIL [not-summed-over-batch]"


def test_processes_left_running_after_the_result_are_counted(worker) -> None:
    bomb = ("import os, time\ndef lin_grad(inp, out, w, b):\n    if not hasattr(os, 'forked'):\n"
            "        os.forked = True\n        for _ in range(40):\n            try:\n"
            "                if os.fork() == 0:\n                    time.sleep(60)\n                    os._exit(0)\n"
            "            except OSError:\n                break\n" + RIGHT.split("\n", 1)[1])
    assert verdict(worker, bomb) == "lin_grad: FAIL [crashed]"
    assert verdict(worker, RIGHT) == "lin_grad: PASS"  # and none of them is left to disturb the next run


def _memory_scan(token: str) -> str:
    """Learner code that reads its own writable memory (/proc/self/mem) and counts where `token` lies in it, never
    holding the token whole itself (two halves, compared in place)."""
    h1, h2 = token[:len(token) // 2], token[len(token) // 2:]
    return ("import json, os\ndef lin_grad(inp, out, w, b):\n    if hasattr(os, 'probed'):\n        return\n"
            f"    os.probed = True\n    h1, h2 = {h1.encode()!r}, {h2.encode()!r}\n    hits, regions = 0, []\n"
            "    for line in open('/proc/self/maps'):\n        span, perms = line.split()[:2]\n"
            "        if perms.startswith('rw'):\n            regions.append([int(a, 16) for a in span.split('-')])\n"
            "    with open('/proc/self/mem', 'rb', buffering=0) as mem:\n        for lo, hi in regions:\n"
            "            try:\n                mem.seek(lo)\n                chunk = mem.read(hi - lo)\n"
            "            except (OSError, OverflowError, ValueError):\n                continue\n"
            "            i = chunk.find(h1)\n            while i >= 0:\n"
            "                hits += chunk[i + len(h1):i + len(h1) + len(h2)] == h2\n"
            "                i = chunk.find(h1, i + 1)\n            chunk = None\n"
            "    print(json.dumps({'hits': hits, 'regions': len(regions)}))\n")


def test_a_run_has_no_proc_to_read_its_memory_from() -> None:
    """Under full isolation the run's /proc is covered: no /proc/self/mem to scan for freed copies of text."""
    w = Worker(0, warm_up=False, require_full=False, warm_spares=False)
    w.start()
    try:
        if not w.isolation.startswith("full"):
            pytest.skip(f"no full isolation here: {w.isolation}")
        out = w.run("lin_grad", _memory_scan("anything-at-all-0123456789"), LIMITS)
        assert "FileNotFoundError" in report_for("lin_grad", out, LIMITS).text(), out
    finally:
        w.stop()


@pytest.mark.parametrize("warm_spares", [False, True], ids=["grader", "kernel"])
def test_no_byte_of_the_last_job_lies_in_the_next_childs_memory(warm_spares: bool, monkeypatch) -> None:
    """Freed memory is not wiped by Python: the worker reads a job's code into one buffer that it wipes after the
    run, so a later submission that scans its own memory finds no classmate's code (a forgery route in a grader).
    Scanned where /proc is there to scan (a run as on macOS: full isolation covers it)."""
    monkeypatch.setenv("TUTOR_SANDBOX_PLATFORM", "posix")
    token = "classmate" + "Zq81Xw0PLmT4vR7nB2cY6sK9dJ3hG5fA" * 4
    w = Worker(0, warm_up=False, require_full=False, warm_spares=warm_spares)
    w.start()
    try:
        classmate = RIGHT + "".join(f"# {token} {i}\n" for i in range(200))  # a long hand-in: many pages
        assert verdict(w, classmate) == "lin_grad: PASS"
        time.sleep(0.5)
        seen = json.loads(w.run("lin_grad", _memory_scan(token), LIMITS).output.splitlines()[0])
        assert seen["regions"] > 10 and seen["hits"] == 0, seen
    finally:
        w.stop()


def _run_children(worker: Worker) -> dict[int, str]:
    """The children of the worker (PID 1 of its namespace, under the process `Worker` started), with their state."""
    from pathlib import Path

    top = worker.proc.pid
    inner = Path(f"/proc/{top}/task/{top}/children").read_text().split()[0]
    kids = {}
    for pid in Path(f"/proc/{inner}/task/{inner}/children").read_text().split():
        try:
            kids[int(pid)] = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            pass
    return kids


def test_a_judged_message_never_lands_inside_the_next_job(monkeypatch) -> None:
    """`judged` is written from a thread of its own; a caller that starts the next run meanwhile (without the
    session's lock) must not interleave the two messages' writes: the worker would read garbage and die. The
    thread's writes are slowed here, to make the race certain."""
    real = protocol.write_all

    def slow(fd: int, chunks: list) -> None:
        if threading.current_thread().name != "tutor-judged":
            return real(fd, chunks)
        for chunk in chunks:
            real(fd, [chunk])
            time.sleep(0.3)
    monkeypatch.setattr(protocol, "write_all", slow)
    w = Worker(0, warm_up=False, require_full=False, warm_spares=True, settle=30.0)
    w.start()
    try:
        assert verdict(w, RIGHT) == "lin_grad: PASS"
        session.judged(w)
        time.sleep(0.1)  # (the thread is between its two writes)
        assert verdict(w, RIGHT) == "lin_grad: PASS"
    finally:
        w.stop()


def test_a_learners_worker_readies_the_next_child_once_the_answer_is_judged(tmp_path) -> None:
    """Reaping a run and forking the next child wait for the checker's `judged()` (or the settle time): not beside
    the judging, whose CPU they took. A long settle here, so that only `judged()` can end the wait. It is sent from
    a thread, and not at all once another run has started (that run's judging is not done)."""
    w = Worker(0, log=tmp_path / "worker.log", warm_up=False, require_full=False, warm_spares=True, settle=30.0)
    w.start()
    try:
        for _ in range(2):
            assert "PASS" in verdict(w, RIGHT)
            time.sleep(0.5)
            waiting = _run_children(w)
            assert list(waiting.values()) == ["Z"], waiting  # the run's child, ended but not reaped: no next one yet
            session.judged(w)  # (as the checker says it: from a thread of its own)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and not any(s != "Z" and p not in waiting
                                                          for p, s in _run_children(w).items()):
                time.sleep(0.01)
            ready = _run_children(w)
            assert not set(waiting) & set(ready) and len(ready) == 1, (waiting, ready)  # reaped, the next forked
        with session.lock():  # a 'judged' whose thread gets the lock only after the next run has started...
            session.judged(w)
            assert "PASS" in verdict(w, RIGHT)
        time.sleep(1.0)
        assert list(_run_children(w).values()) == ["Z"], _run_children(w)  # ...is not sent: that run is unjudged
    finally:
        w.stop()
    assert Worker(0, warm_spares=True).settle == 0.2 and Worker(0).settle == 0.0  # a grader's workers never wait
