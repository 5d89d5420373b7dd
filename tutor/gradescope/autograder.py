"""What `run_autograder` runs in Gradescope's container: grade /autograder/submission, write results.json."""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

CONFIG = "tutor-autograder.json"  # in the zip: exercises, points, limits, partial credit, visibility
ASSIGNMENT = "assignment.ipynb"


def grade_argv(submission: Path, source: Path, work: Path, config: dict) -> list[str]:
    """The `tutor grade` command line for one Gradescope submission."""
    lim = config["limits"]
    argv = ["grade", str(submission), "--assignment", str(source / ASSIGNMENT), "--out", str(work),
            "--workers", "1", "--plots", "none", "--quiet", "--time", str(lim["time"]), "--cpu", str(lim["cpu"]),
            "--memory", str(lim["memory"])]
    if config.get("points"):
        argv += ["--points", ",".join(f"{ex}={p:g}" for ex, p in config["points"].items())]
    if config.get("partial"):
        argv.append("--partial")
    if config.get("unsafe"):
        # The container is the sandbox on Gradescope: each submission runs in a throwaway container of its own,
        # which usually may not make the namespaces a full isolation needs; the limits still hold.
        argv.append("--unsafe")
    return argv


def hide_sources(root: Path) -> list[Path]:
    """As root, make the zip's files, the tutor package installed under `root`, and what differentiates as text
    under it (sandbox/unreadable.py: torch's formulas, sympy and the like) readable by root only.

    Learner code runs as an unprivileged uid of its own when the grader is root, but Gradescope's container
    usually refuses the mount namespaces that would hide files from it: without this, a submission could read
    the reference solutions from /autograder/source/package/tutor and pass with a copy of them, or exec a fresh
    copy of torch's `threshold_backward` from its source."""
    if os.geteuid() != 0:
        return []
    import sysconfig

    from ..sandbox.unreadable import unreadable

    installed = {Path(sysconfig.get_paths()[k]) / "tutor" for k in ("purelib", "platlib")}
    folders, files = unreadable([str(root.resolve())])
    hidden = []
    for path in [root / "source", *sorted(p for p in installed if p.resolve().is_relative_to(root.resolve())),
                 *map(Path, folders + files)]:
        if path.exists():
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
            hidden.append(path)
    return hidden


def merged(work: Path, config: dict) -> dict:
    """One results.json for the student: per exercise, the best of the files they handed in."""
    best: dict[str, dict] = {}
    for path in sorted((work / "gradescope").glob("*/results.json")):
        for test in json.loads(path.read_text(encoding="utf-8"))["tests"]:
            if test["name"] not in best or test["score"] > best[test["name"]]["score"]:
                best[test["name"]] = test
    tests = [best[ex] for ex in config["exercises"] if ex in best]
    return results(tests, config)


def results(tests: list[dict], config: dict, output: str = "") -> dict:
    """Gradescope's results.json around the tests, with the zip's visibility."""
    from ..grade.exports import results_json

    vis = config.get("visibility", "visible")
    for t in tests:
        t["visibility"] = vis
    out = results_json(tests, vis)
    if output:
        out["output"] = output
    return out


def nothing_to_grade(config: dict) -> dict:
    """The result when the submission holds no notebook or .py file: every exercise 0, saying why."""
    why = ("No .ipynb or .py file was found in your submission: upload your notebook (File > Download > "
           "Download .ipynb in Colab or Jupyter).")
    tests = [{"name": ex, "score": 0.0, "max_score": config["points"].get(ex, 1.0), "status": "failed",
              "output": f"{ex}: FAIL [missing]\n{why}"} for ex in config["exercises"]]
    return results(tests, config, why)


def main(argv: list[str] | None = None) -> int:
    """Grade `$AUTOGRADER_ROOT/submission` (default /autograder) into `$AUTOGRADER_ROOT/results/results.json`."""
    import tutor
    from ..cli import main as tutor_main
    from ..grade.collect import CollectError, find_files

    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0] if args else os.environ.get("AUTOGRADER_ROOT", "/autograder"))
    source, submission, out = root / "source", root / "submission", root / "results"
    config = json.loads((source / CONFIG).read_text(encoding="utf-8"))
    out.mkdir(parents=True, exist_ok=True)
    print(f"tutor from {Path(tutor.__file__).parent}; grading {submission}", flush=True)
    for path in hide_sources(root):
        print(f"readable by root only (learner code runs as another uid): {path}", flush=True)
    start = time.monotonic()
    try:
        found = find_files([str(submission)])
    except CollectError:
        found = []
    if not found:
        result = nothing_to_grade(config)
    else:
        with tempfile.TemporaryDirectory(prefix="tutor-gradescope-") as tmp:  # (left behind, they filled /tmp)
            work = Path(tmp)
            status = tutor_main(grade_argv(submission, source, work, config))
            if status != 0:  # the grader failed, not the student: no score rather than a wrong one
                print(f"run_autograder: tutor grade exited with status {status}; no results written",
                      file=sys.stderr)
                return status
            result = merged(work, config)
    result["execution_time"] = round(time.monotonic() - start, 1)
    (out / "results.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {out / 'results.json'}: {result['score']:g} / "
          f"{sum(t['max_score'] for t in result['tests']):g}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
