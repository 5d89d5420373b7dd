"""Time the exercise widget's "Check again": from the click to the widget updated, with and without plots.

    python bench/widget_bench.py [--repeats 20] [--exercises lin_grad,relu]

Each click alternates a wrong and a correct submission (so nothing is reused between clicks), and is
compared with the bare `tutor.check` of the same code in the same run. Two times per click:
"verdict" (badge, diagnosis and table set: what the learner sees first, since each widget change is
sent to the browser as soon as it is made) and "done" (the handler returned, plots drawn).
Goal: p50 of "done" ≤ 400 ms with plots on this 2-core machine. The progress store goes to a
temporary TUTOR_HOME, never to the learner's own.
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ["TUTOR_HOME"] = tempfile.mkdtemp(prefix="tutor-widget-bench-")

import tutor  # noqa: E402  (after TUTOR_HOME is set)
from tutor import exercises  # noqa: E402
from tutor.widgets.exercise import ExerciseView  # noqa: E402


def p50(times: list[float]) -> float:
    return statistics.median(times) * 1000


def clicks(name: str, codes: list[str], repeats: int, plots: bool) -> dict[str, list[float]]:
    """Times of `repeats` clicks on "Check again", each right after the bare check of the same code
    (interleaved, so both see the same machine load): {"check", "verdict", "done"}."""
    view = ExerciseView(name, editable=True)
    view.plots_toggle.value = plots
    stamp: list[float] = []
    view.checks.observe(lambda _c: stamp.append(time.perf_counter()), names="value")
    times: dict[str, list[float]] = {"check": [], "verdict": [], "done": []}
    for i in range(repeats + 1):
        code = codes[i % len(codes)]
        t = time.perf_counter()
        tutor.check(name, code)
        bare = time.perf_counter() - t
        view.editor.value = code
        stamp.clear()
        t = time.perf_counter()
        view.check_button.click()
        end = time.perf_counter()
        if view.error.value:
            raise SystemExit(f"the widget showed an error: {view.error.value}")
        if i:  # the first click warms up (imports matplotlib, first figures)
            times["check"].append(bare)
            times["verdict"].append(stamp[0] - t)
            times["done"].append(end - t)
    return times


def main() -> None:
    """Print one line per exercise and plots setting, with ratios to the bare check."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--exercises", default="lin_grad,relu")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {args.repeats} clicks per row, alternating a wrong and a correct submission")
    print(f"{'exercise':9} {'plots':5} {'check p50':>10} {'verdict p50':>12} {'done p50':>9} {'done/check':>10}")
    for name in args.exercises.split(","):
        ex = exercises.get(name)
        codes = [ex.variants[0].source, ex.reference_source]
        tutor.check(name, codes[0])  # warm up the checker
        for plots in (False, True):
            t = clicks(name, codes, args.repeats, plots)
            bare, verdict, done = p50(t["check"]), p50(t["verdict"]), p50(t["done"])
            print(f"{name:9} {'on' if plots else 'off':5} {bare:8.0f}ms {verdict:10.0f}ms "
                  f"{done:7.0f}ms {done / bare:10.2f}")


if __name__ == "__main__":
    main()
