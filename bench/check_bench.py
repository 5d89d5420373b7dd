"""Time `tutor.check` per exercise against the bare reference forward+backward on the same cases, in one run.

    python bench/check_bench.py [--repeats 30] [--pause 0.5]

Prints, per exercise, the p50 of: the bare reference (forward + backward on every case, in this process),
`tutor.check` of a correct submission, and `tutor.check` of a wrong one (diagnosis included), with the ratios.
`tutor.check` runs the learner's code in a sandbox child (forked and confined ahead of time by the worker, sent the
code, arrays back) and judges here: that is what is timed. A learner's checks are seconds apart, and the worker
uses that time to reap the last run and prepare the next one's child; `--pause` (seconds between checks, 0.5 by
default) gives it that time, `--pause 0` times checks back to back. Goal: p50 <= 50 ms on a quiet machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

import tutor
from tutor import exercises
from tutor.cases import cases_for
from tutor.run import run_entry


def p50_ms(fn, repeats: int, pause: float = 0.0) -> float:
    """Median wall time of fn() in milliseconds, after one warm-up call, `pause` seconds apart."""
    fn()
    times = []
    for _ in range(repeats):
        time.sleep(pause)
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def single_thread(fn):
    """Run fn with one torch thread, as tutor.check does, so both sides are timed alike."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return fn()
    finally:
        torch.set_num_threads(threads)


def main() -> None:
    """Print one line per exercise."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--pause", type=float, default=0.5, help="seconds between two checks (0: back to back)")
    args = parser.parse_args()
    tutor.check("relu", exercises.get("relu").reference_source)  # starts the sandbox worker
    print(f"load average {os.getloadavg()[0]:.1f}; torch {torch.__version__}, one thread (as tutor.check runs); "
          f"checks {args.pause:g} s apart; learner code in "
          f"{tutor.check('relu', exercises.get('relu').reference_source).isolation}")
    print(f"{'exercise':20} {'bare ref ms':>11} {'check ms':>9} {'ratio':>6} {'wrong ms':>9} {'ratio':>6}")
    for name in exercises.names():
        ex = exercises.get(name)
        cases = cases_for(ex.unit)
        bare = p50_ms(lambda: single_thread(lambda: [run_entry(ex, ex.reference, c, guard=False) for c in cases]),
                      args.repeats)
        ok = p50_ms(lambda: tutor.check(name, ex.reference_source), args.repeats, args.pause)
        bad = p50_ms(lambda: tutor.check(name, ex.variants[0].source), args.repeats, args.pause)
        print(f"{name:20} {bare:11.1f} {ok:9.1f} {ok / bare:6.1f} {bad:9.1f} {bad / bare:6.1f}")


if __name__ == "__main__":
    main()
