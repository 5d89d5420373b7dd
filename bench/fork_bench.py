"""Time fork + run + exit of a warm grading worker with and without huge pages, side by side in one run.

    python bench/fork_bench.py [--forks 30] [--rounds 3]

A worker (torch imported, every exercise warmed up, as `tutor.sandbox.worker` does) forks one child per run; each
fork copies, and each exit tears down, the page tables of the worker's ~190 MB of private memory, and every page
a run writes is faulted in. Three workers are compared, each in a fresh process, taking turns:
`plain` (4 KB pages), `heap` (the worker's memory collapsed into 2 MB pages: `memory.use_huge_pages`) and
`heap+tensors` (also torch's tensors of 2 MB or more in huge pages: THP_MEM_ALLOC_ENABLE, as every worker
runs). Per fork it prints the p50 wall time of a bare fork+exit, and of a fork that runs learner code (a correct
`lin_grad`, the book's broadcast `Lin` that makes a 157 MB tensor, a `relu`) then exits, with the children's CPU.
The confinement of a real run (namespaces, limits) is left out: it is the same on every side.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODES = ("plain", "heap", "heap+tensors")
JOBS = (("lin_grad", "pass_lesson.py"), ("lin", "pass_backward_style.py"), ("relu", "pass_lesson.py"))


def measure(mode: str, forks: int) -> dict[str, list[float]]:
    """In this process: become a warm worker in `mode`, then time `forks` forks of each kind."""
    if mode == "heap+tensors":
        os.environ["THP_MEM_ALLOC_ENABLE"] = "1"  # (as `pool.worker_env` sets it; torch reads it once)
    import gc

    import torch

    from tutor.sandbox import memory
    from tutor.sandbox.protocol import DEFAULT_JOB
    from tutor.sandbox.worker import load_job, warm_up

    torch.set_num_threads(1)
    job = load_job(DEFAULT_JOB)
    warm_up(job)
    gc.collect()
    gc.freeze()
    memory.release_free_memory()
    if mode != "plain":
        memory.use_huge_pages()
    sources = [(ex, (ROOT / "tests" / "learners" / ex / f).read_text()) for ex, f in JOBS]
    out: dict[str, list[float]] = {}
    for kind in ("bare", *(ex for ex, _ in JOBS)):
        walls, cpus = [], []
        for _ in range(forks):
            c0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
            pid = os.fork()
            if pid == 0:
                for ex, src in sources:
                    if ex == kind:
                        job(ex, src).to_bytes()
                os._exit(0)
            os.waitpid(pid, 0)
            t1, c1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            walls.append((t1 - t0) * 1000)
            cpus.append((c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime) * 1000)
        out[kind] = [statistics.median(walls), statistics.median(cpus)]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--forks", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)  # (one side, in a fresh process)
    args = ap.parse_args()
    if args.mode:
        print(json.dumps(measure(args.mode, args.forks)))
        return
    got: dict[str, list[dict[str, list[float]]]] = {m: [] for m in MODES}
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    env.pop("THP_MEM_ALLOC_ENABLE", None)
    for _ in range(args.rounds):
        for mode in MODES:
            done = subprocess.run([sys.executable, __file__, "--mode", mode, "--forks", str(args.forks)],
                                  capture_output=True, text=True, env=env, check=True)
            got[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
    kinds = list(got[MODES[0]][0])
    print(f"p50 per fork, ms (wall / children's CPU), median over {args.rounds} rounds of {args.forks} forks; "
          f"load {os.getloadavg()[0]:.1f}")
    print(f"{'run':<12}" + "".join(f"{m:>22}" for m in MODES))
    for kind in kinds:
        cells = []
        for m in MODES:
            wall = statistics.median(r[kind][0] for r in got[m])
            cpu = statistics.median(r[kind][1] for r in got[m])
            cells.append(f"{wall:.1f} / {cpu:.1f}")
        print(f"{kind:<12}" + "".join(f"{c:>22}" for c in cells))


if __name__ == "__main__":
    main()
