"""Time `tutor grade` against the nbgrader way (a fresh kernel per notebook via nbclient, then the check).

    python bench/grade_bench.py [--n 100] [--large 1000] [--distinct] [--skip-baseline] [--workers N] [--no-memo-too]

Builds N mixed submissions (correct, wrong, a few hostile: infinite loop, memory bomb, sys.exit, segfault),
grades them with `tutor grade` (one command, as an instructor runs it) and with the baseline, in one run, and
prints both times and the ratio; then times `tutor grade` on --large submissions. Learner code comes from the
repository's learner corpus (tests/learners) and tests/grade/corpus.py. With --distinct every exercise cell
gets a comment of its own, so no two submissions share code (the worst case: nothing is run once for many);
without it, students share code the way a class does (many hand in the same three lines).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grade"))
from corpus import HOSTILE  # noqa: E402

HOSTILE_MIX = ("infinite_loop", "memory_bomb", "sys_exit", "segfault")  # safe to run without limits too
EXERCISES = ("lin_grad", "relu", "mse", "lin")
LIMITS = ["--time", "8", "--cpu", "5"]


def pools() -> dict[str, dict[str, list[str]]]:
    """Learner code per exercise from tests/learners: pass_* (correct) and fail_* (wrong)."""
    out: dict[str, dict[str, list[str]]] = {}
    for ex in EXERCISES:
        files = sorted((ROOT / "tests" / "learners" / ex).glob("*.py"))
        out[ex] = {"pass": [f.read_text() for f in files if f.name.startswith("pass_")],
                   "fail": [f.read_text() for f in files if f.name.startswith("fail_")]}
    return out


def make_class(folder: Path, n: int, distinct: bool, seed: int = 0) -> dict[str, str]:
    """Write n submissions; return name -> kind ('hostile:<what>' or 'normal')."""
    rng, code, kinds = random.Random(seed), pools(), {}
    n_hostile = max(1, n // 33)
    hostile_at = set(rng.sample(range(n), n_hostile))
    for i in range(n):
        cells = {}
        for ex in EXERCISES:
            src = rng.choice(code[ex]["pass"] if rng.random() < 0.8 else code[ex]["fail"])
            cells[ex] = src + (f"\n# student {i}\n" if distinct else "")
        kind = "normal"
        if i in hostile_at:
            what = HOSTILE_MIX[len(kinds) % len(HOSTILE_MIX)]
            cells["lin_grad"], kind = HOSTILE[what][1], f"hostile:{what}"
        nb = nbformat.v4.new_notebook()
        nb.cells.append(nbformat.v4.new_markdown_cell(f"# Backprop from scratch\nStudent {i}"))
        nb.cells.append(nbformat.v4.new_code_cell("import tutor"))
        nb.cells += [nbformat.v4.new_code_cell(f"%%exercise {ex}\n{src}") for ex, src in cells.items()]
        name = f"student{i:04}.ipynb"
        nbformat.write(nb, str(folder / name))
        kinds[name] = kind
    return kinds


def time_tutor_grade(folder: Path, out: Path, workers: int | None, memo: bool = True) -> float:
    """Wall time of one `tutor grade` command, interpreter start included (memo=False: every result judged
    on its own, as if no two students' results were alike)."""
    cmd = [sys.executable, "-m", "tutor", "grade", str(folder), "--out", str(out), "--quiet", *LIMITS]
    cmd += ["--workers", str(workers)] if workers else []
    env = dict(os.environ, **({} if memo else {"TUTOR_GRADE_MEMO": "0"}))
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"tutor grade failed ({proc.returncode}): {proc.stderr.strip()}")
    for line in proc.stdout.splitlines():  # the sandbox it ran in (said first), then what it graded
        if line.startswith(("isolation: ", "graded ")):
            print("   ", line)
    return elapsed


CHECK_CELL = """import json, tutor
_sources = {sources}
print("VERDICTS" + json.dumps({{n: [r.passed, r.codes] for n, r in ((n, tutor.check(n, s)) for n, s in _sources.items())}}))
"""


def baseline_one(path: Path) -> dict[str, list] | str:
    """The nbgrader way for one notebook: a fresh kernel runs the learner's cells, then a cell runs the checks."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    nb = nbformat.read(str(path), as_version=4)
    sources = {}
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.source.startswith("%%exercise"):
            head, _, body = cell.source.partition("\n")
            sources[head.split()[1]] = body
            cell.source = body  # run as plain code, as nbgrader would
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_CELL.format(sources=repr(sources))))
    client = NotebookClient(nb, timeout=int(LIMITS[1]), kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": tempfile.gettempdir()}})
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)  # the kernels' startup warnings
    try:
        client.execute()
    except CellTimeoutError:
        return "timeout"
    except DeadKernelError:
        return "crashed"
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    for out in nb.cells[-1].get("outputs", []):
        text = out.get("text", "")
        if "VERDICTS" in text:
            return json.loads(text.split("VERDICTS", 1)[1])
    return "crashed"


def main() -> None:
    """Build the classes, time both ways, print the figures."""
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--large", type=int, default=1000)
    ap.add_argument("--distinct", action="store_true", help="no two submissions share code")
    ap.add_argument("--skip-baseline", action="store_true")
    ap.add_argument("--workers", type=int)
    ap.add_argument("--no-memo-too", action="store_true",
                    help="also time the large class with every result judged on its own (no two alike)")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grade-bench-"))
    try:
        small = work / "class"
        small.mkdir()
        kinds = make_class(small, args.n, args.distinct)
        mode = "every submission's code distinct" if args.distinct else "code shared the way a class shares it"
        print(f"{args.n} submissions ({sum(k != 'normal' for k in kinds.values())} hostile), {mode}; "
              f"{os.cpu_count()} cores")
        ours = time_tutor_grade(small, work / "out", args.workers)
        print(f"tutor grade:        {ours:8.1f} s")
        if not args.skip_baseline:
            t = time.perf_counter()
            verdicts = {}
            for i, name in enumerate(sorted(kinds), 1):
                verdicts[name] = baseline_one(small / name)
                print(f"\r    baseline {i}/{len(kinds)}", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
            base = time.perf_counter() - t
            print(f"nbclient baseline:  {base:8.1f} s  (a fresh kernel per notebook, then the check)")
            print(f"ratio:              {base / ours:8.1f}x faster")
            agree(verdicts, kinds, work / "out" / "gradebook.csv")
        if args.large:
            big = work / "large"
            big.mkdir()
            big_kinds = make_class(big, args.large, args.distinct, seed=1)
            took = time_tutor_grade(big, work / "out-large", args.workers)
            print(f"tutor grade, {args.large} submissions: {took:.1f} s ({took / args.large * 1000:.0f} ms each)")
            no_crash(big_kinds, work / "out-large" / "gradebook.csv")
            if args.no_memo_too:
                took = time_tutor_grade(big, work / "out-large-no-memo", args.workers, memo=False)
                print(f"tutor grade, {args.large} submissions, every result judged on its own (no memo): "
                      f"{took:.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def no_crash(kinds: dict[str, str], csv_path: Path) -> None:
    """Stop if a normal submission's run crashed: the learner corpus holds no crashing code, so a crash is the
    checker's own failure, and a time measured over runs that crash at once says nothing."""
    import csv

    with open(csv_path, newline="") as fh:
        crashed = [(r["submission"], r["exercise"]) for r in csv.DictReader(fh)
                   if kinds.get(r["submission"]) == "normal" and "crashed" in r["codes"].split()]
    if crashed:
        raise SystemExit(f"{len(crashed)} runs of normal submissions crashed, e.g. {crashed[:3]}: the time above "
                         "is not a grading time")
    print("    no run of a normal submission crashed")


def agree(verdicts: dict, kinds: dict[str, str], csv_path: Path) -> None:
    """Print how often the baseline's pass/fail matches `tutor grade`'s on the normal submissions."""
    import csv

    with open(csv_path, newline="") as fh:
        ours = {(r["submission"], r["exercise"]): r["passed"] == "1" for r in csv.DictReader(fh)}
    same = total = 0
    for name, v in verdicts.items():
        if kinds[name] != "normal" or not isinstance(v, dict):
            continue
        for ex, (passed, _codes) in v.items():
            total += 1
            same += passed == ours[(name, ex)]
    print(f"pass/fail agreement on normal submissions: {same}/{total}")


if __name__ == "__main__":
    main()
