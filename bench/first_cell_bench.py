"""How long the first exercise cell of a fresh kernel takes, Shift+Enter to the widget with its plots.

`python bench/first_cell_bench.py [--kernels 5] [--pause 0] [--notebook notebooks/02_lin_grad.ipynb]`: for each
fresh kernel, run the notebook's code cells before its first exercise cell as the notebook has them (`import tutor`,
which starts the checker's sandbox worker in the background, `import torch`, the toy experiment, ...), wait
`--pause` seconds (0: "Run All"; a few seconds: a learner reading the statement), then time that exercise cell
holding a wrong answer, from the execute request to the reply (the widget and its plots are displayed before
the cell finishes). Also times `tutor list` and `tutor --help` (goals: ≤ 1.0 s and ≤ 0.3 s on a quiet 2-core
machine), and a one-off `tutor check` beside a bare `python -c "import torch"` (its floor: the checker and its
sandbox worker each import torch, side by side).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

REPO = Path(__file__).resolve().parents[1]
# A first attempt at each exercise a notebook may open with: right but for one mistake (so the widget has plots).
WRONG = {"lin_grad": "def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n"
                     "    b.g = out.g\n",
         "relu": "class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
                 "    def bwd(self, out, inp): inp.g = out.g\n"}


def cells_before_exercise(notebook: Path) -> tuple[list[str], str]:
    """The notebook's code cells before its first `%%exercise` cell, and that cell's exercise name."""
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    before = []
    for cell in cells:
        source = "".join(cell["source"])
        if source.startswith("%%exercise"):
            return before, source.split()[1]
        before.append(source)
    raise SystemExit(f"{notebook} has no %%exercise cell")


def run(kc, code: str) -> tuple[float, list[str]]:
    """Seconds from the request to the reply, and the MIME types displayed."""
    start = time.perf_counter()
    msg_id = kc.execute(code)
    shown: list[str] = []
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "display_data":
            shown += list(msg["content"]["data"])
        if msg["msg_type"] == "error":
            raise RuntimeError("\n".join(msg["content"]["traceback"]))
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return time.perf_counter() - start, shown


def first_cell(notebook: Path, pause: float) -> tuple[float, float]:
    """(the cells before the first exercise, the first exercise cell) in seconds, in a fresh kernel with a fresh
    progress store, started in the notebook's folder (as Jupyter does)."""
    before, exercise = cells_before_exercise(notebook)
    env = {**os.environ, "TUTOR_HOME": tempfile.mkdtemp(prefix="tutor-bench-"), "MPLBACKEND": "Agg",
           "JPY_SESSION_NAME": str(notebook)}  # (what jupyter_server tells a notebook's kernel)
    km, kc = start_new_kernel(kernel_name="python3", env=env, cwd=str(notebook.parent))
    try:
        start = time.perf_counter()
        for source in before:
            run(kc, source)
        imported = time.perf_counter() - start
        time.sleep(pause)
        took, shown = run(kc, f"%%exercise {exercise}\n{WRONG[exercise]}")
        assert "application/vnd.jupyter.widget-view+json" in shown, shown
        return imported, took
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def command(*args: str, ok: tuple[int, ...] = (0,)) -> float:
    """Seconds `python ARGS` took (its exit status one of `ok`)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], capture_output=True, cwd=REPO)
    assert done.returncode in ok, done.stderr.decode()[-2000:]
    return time.perf_counter() - start


def main() -> None:
    """Print the p50 and worst of each measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=5)
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between the cells before and the exercise")
    parser.add_argument("--notebook", type=Path, default=REPO / "notebooks" / "02_lin_grad.ipynb")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for verb in (["list"], ["--help"]):
        times = [command("-m", "tutor", *verb) for _ in range(5)]
        print(f"tutor {verb[0]:7} p50 {statistics.median(times):.2f} s, worst {max(times):.2f} s")
    with tempfile.NamedTemporaryFile("w", suffix=".py") as wrong:
        wrong.write(WRONG["lin_grad"])
        wrong.flush()
        pairs = [(command("-c", "import torch"), command("-m", "tutor", "check", "lin_grad", wrong.name, ok=(1,)))
                 for _ in range(5)]
    torch_s, check_s = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    print(f"tutor check p50 {check_s:.2f} s, worst {max(p[1] for p in pairs):.2f} s; import torch alone "
          f"{torch_s:.2f} s: {check_s / torch_s:.1f}x")
    runs = [first_cell(args.notebook.resolve(), args.pause) for _ in range(args.kernels)]
    for what, values in (("cells before it", [r[0] for r in runs]), ("first exercise cell", [r[1] for r in runs])):
        print(f"{what:20} p50 {statistics.median(values):.2f} s, worst {max(values):.2f} s "
              f"(pause {args.pause:g} s, {len(values)} kernels)")


if __name__ == "__main__":
    main()
