"""Peak memory of `run_autograder` as Gradescope runs it (its default container has 768 MB).

    python bench/gradescope_memory.py [--memory 96]

Builds the autograder zip (`tutor gradescope`), lays it out under a temporary AUTOGRADER_ROOT, and runs
`run_autograder` on two submissions in turn: every exercise right or wrong (the usual case), and a memory bomb
that grows until the run's limit stops it. It samples the PSS of the whole process tree (grader, worker, the
run's child; PSS counts shared pages once) every 10 ms and prints the peak of each.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "grade"))
from corpus import CORRECT, HOSTILE, WRONG_LIN_GRAD, write_notebook  # noqa: E402


def tree(root: int) -> list[int]:
    """`root` and every process below it."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += kids.get(pid, [])
    return out


def pss_kb(pid: int) -> int:
    """Proportional set size of one process (0 once it is gone)."""
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except OSError:
        return 0
    return sum(int(line.split()[1]) for line in lines if line.startswith(("Pss_Anon", "Pss_File", "Pss_Shmem")))


def peak_mb(root: Path) -> tuple[int, float]:
    """Run root/run_autograder; return (peak PSS of its process tree in MB, seconds)."""
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    start, peak = time.monotonic(), 0
    proc = subprocess.Popen([str(root / "run_autograder")], cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    while proc.poll() is None:
        peak = max(peak, sum(pss_kb(p) for p in tree(proc.pid)))
        time.sleep(0.01)
    if proc.returncode != 0 or not (root / "results" / "results.json").exists():
        raise SystemExit(f"run_autograder failed (exit {proc.returncode})")
    return peak // 1024, time.monotonic() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--memory", type=int, default=96, help="tutor gradescope --memory (MB per run)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gradescope-memory-"))
    try:
        assignment = write_notebook(tmp / "assignment.ipynb", {name: "" for name in CORRECT})
        subprocess.run([sys.executable, "-m", "tutor", "gradescope", str(assignment), "--out", str(tmp / "ag.zip"),
                        "--memory", str(args.memory)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        cases = {"every exercise, one wrong": {**CORRECT, "lin_grad": WRONG_LIN_GRAD},
                 "a memory bomb": {**CORRECT, "lin_grad": HOSTILE["memory_creep"][1]}}
        for what, cells in cases.items():
            root = tmp / what.replace(" ", "_").replace(",", "")
            with zipfile.ZipFile(tmp / "ag.zip") as z:
                z.extractall(root / "source")
            shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
            os.chmod(root / "run_autograder", 0o755)
            write_notebook(root / "submission" / "backprop.ipynb", cells)
            mb, seconds = peak_mb(root)
            print(f"{what:28} peak {mb} MB (PSS, whole tree), {seconds:.1f} s; Gradescope's default: 768 MB")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
