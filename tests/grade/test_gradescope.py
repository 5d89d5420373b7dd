"""`tutor gradescope`: the autograder zip, and its run_autograder run locally against a temporary AUTOGRADER_ROOT
as Gradescope runs it (the zip unpacked in source/, the student's files in submission/)."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

import pytest
from corpus import CORRECT, WRONG_LIN_GRAD, write_notebook
from gradehelp import tutor

import unprivileged

ASSIGNMENT_CELLS = {"lin_grad": "", "relu": "", "mse": ""}


def autograder_root(tmp_path: Path, zip_path: Path) -> Path:
    """Lay the zip out as Gradescope does: /autograder/source/<zip>, /autograder/run_autograder."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as z:
        z.extractall(root / "source")
        for info in z.infolist():  # extractall drops the mode bits
            os.chmod(root / "source" / info.filename, (info.external_attr >> 16) & 0o777)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    return root


def run_autograder(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root),
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def zip_path(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gradescope")
    assignment = write_notebook(tmp / "assignment.ipynb", ASSIGNMENT_CELLS)
    proc = tutor("gradescope", str(assignment), "--out", str(tmp / "autograder.zip"), "--points",
                 "lin_grad=3,relu=2", "--partial")
    assert proc.returncode == 0, proc.stderr
    assert "grades lin_grad, relu, mse out of 6 points with partial credit" in proc.stdout
    return tmp / "autograder.zip"


def test_the_zip_has_setup_and_run_autograder_at_its_root_and_carries_the_package(zip_path, tmp_path):
    with zipfile.ZipFile(zip_path) as z:
        names = set(z.namelist())
        modes = {i.filename: (i.external_attr >> 16) for i in z.infolist()}
        setup = z.read("setup.sh").decode()
        config = json.loads(z.read("tutor-autograder.json"))
        bundled = tomllib.loads(z.read("package/pyproject.toml").decode())["project"]
    assert {"setup.sh", "run_autograder", "assignment.ipynb", "package/pyproject.toml",
            "package/tutor/gradescope/autograder.py", "package/tutor/sandbox/worker.py",
            "package/tutor/data/mnist_5k.npz"} <= names
    assert not any("__pycache__" in n for n in names)
    assert modes["setup.sh"] & stat.S_IXUSR and modes["run_autograder"] & stat.S_IXUSR
    assert config["exercises"] == ["lin_grad", "relu", "mse"]
    assert config["points"] == {"lin_grad": 3, "relu": 2, "mse": 1} and config["partial"] is True
    # a CPU-only torch first (within the package's own bounds), then the bundled package, in a venv of its own
    assert "install \"torch" in setup and "--index-url https://download.pytorch.org/whl/cpu" in setup
    assert setup.index("download.pytorch.org") < setup.index('install "$HERE/package"')
    # the package installs with this checkout's dependencies (tomli on Gradescope's Python 3.10), not with an
    # older editable install's metadata
    ours = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())["project"]
    assert bundled["dependencies"] == ours["dependencies"] and bundled["requires-python"] == ">=3.10"
    root = autograder_root(tmp_path, zip_path)
    assert subprocess.run(["bash", "-n", str(root / "source" / "setup.sh")]).returncode == 0
    skipped = subprocess.run([str(root / "source" / "setup.sh")], env={**os.environ, "TUTOR_SKIP_INSTALL": "1"},
                             capture_output=True, text=True)
    assert skipped.returncode == 0 and "nothing installed" in skipped.stdout


def test_run_autograder_grades_the_submission_into_results_json(zip_path, tmp_path):
    root = autograder_root(tmp_path, zip_path)
    # as Colab downloads it; b.g not summed over the batch (inp.g and w.g right), relu right, mse missing
    write_notebook(root / "submission" / "Copy of backprop.ipynb",
                   {"lin_grad": WRONG_LIN_GRAD, "relu": CORRECT["relu"]})
    # beside it (as a GitHub submission can carry it), a link to the bundled solutions: never followed
    (root / "submission" / "solutions.py").symlink_to(root / "source" / "package" / "tutor" / "lesson.py")
    proc = run_autograder(root)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    # what grades is the package the zip carries, not the one this test runs from
    assert f"tutor from {root / 'source' / 'package' / 'tutor'}" in proc.stdout
    result = json.loads((root / "results" / "results.json").read_text())
    assert [(t["name"], t["score"], t["max_score"], t["visibility"]) for t in result["tests"]] == [
        ("lin_grad", 2, 3, "visible"), ("relu", 2, 2, "visible"), ("mse", 0, 1, "visible")]
    assert result["score"] == 4
    lin_grad, relu, mse = (t["output"] for t in result["tests"])
    assert "inp.g right: 1 · w.g right: 1 · b.g wrong: 0" in lin_grad and "not-summed-over-batch" in lin_grad
    assert relu.startswith("relu: PASS") and "mse: FAIL [missing]" in mse
    assert isinstance(result["execution_time"], float)
    work = proc.stdout.split("wrote ", 1)[1].split("/scores.csv", 1)[0]  # tutor grade's folder, removed after
    assert "tutor-gradescope-" in work and not os.path.exists(work)


def test_an_empty_submission_scores_zero_and_says_why(zip_path, tmp_path):
    root = autograder_root(tmp_path, zip_path)
    (root / "submission" / "notes.txt").write_text("I could not do it")
    proc = run_autograder(root)
    assert proc.returncode == 0, proc.stderr
    result = json.loads((root / "results" / "results.json").read_text())
    assert result["score"] == 0 and [t["max_score"] for t in result["tests"]] == [3, 2, 1]
    assert all("No .ipynb or .py file was found in your submission" in t["output"] for t in result["tests"])


def gradescope_like() -> bool:
    """Root, able to drop CAP_SYS_ADMIN: then namespaces are refused as in Gradescope's Docker container."""
    return os.geteuid() == 0 and shutil.which("setpriv") is not None


@pytest.mark.skipif(not gradescope_like(), reason="needs root and setpriv to imitate Gradescope's container")
def test_in_a_container_without_namespaces_a_copy_of_the_bundled_reference_does_not_pass(zip_path):
    # (a folder any uid may enter, as Gradescope's /autograder: pytest's tmp_path is root's alone, so every read
    # in it was refused whether or not run_autograder hid anything)
    base = Path(tempfile.mkdtemp(prefix="tutor-ag-"))
    os.chmod(base, 0o755)
    try:
        _grade_a_thief(autograder_root(base, zip_path))
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _grade_a_thief(root: Path) -> None:
    lesson = root / "source" / "package" / "tutor" / "lesson.py"
    thief = (f"def lin_grad(inp, out, w, b):\n    s = open({str(lesson)!r}).read()\n    ns = {{}}\n"
             "    exec(s[s.index('def lin_grad'):s.index('class Module')], ns)\n    ns['lin_grad'](inp, out, w, b)\n")
    # another Python's packages under the autograder's folder (a sympy there): nothing this Python imports, so
    # made readable by root only (sandbox/unreadable.py); the Mse below is right only if it could read it
    other = root / "other-python" / "lib" / "python3.11" / "site-packages" / "sympy"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text("def diff(f, x): ...\n")
    reader = CORRECT["mse"].replace("    def bwd(self, out, inp, targ):\n",
                                    f"    def bwd(self, out, inp, targ):\n        open({str(other / '__init__.py')!r}).read()\n")
    write_notebook(root / "submission" / "thief.ipynb", {"lin_grad": thief, "relu": CORRECT["relu"], "mse": reader})
    env = {**os.environ, "AUTOGRADER_ROOT": str(root),
           "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    # Docker's root has no CAP_SYS_ADMIN: no network, PID or mount namespace; runs still get a uid of their own
    proc = subprocess.run(["setpriv", "--bounding-set=-sys_admin", str(root / "run_autograder")], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert "isolation: PARTIAL: uid " in proc.stdout and "readable by root only" in proc.stdout
    result = json.loads((root / "results" / "results.json").read_text())
    lin_grad, relu, mse = result["tests"][:3]
    assert lin_grad["score"] == 0 and "PermissionError" in lin_grad["output"], lin_grad["output"][:300]
    assert mse["score"] == 0 and "PermissionError" in mse["output"], mse["output"][:300]
    assert relu["score"] == 2  # the sandbox that is left still grades honest code


def test_as_an_unprivileged_user_it_grades_in_the_full_sandbox(zip_path):
    # trying the autograder on one's own machine, as an ordinary user: namespaces hide the bundled reference
    if unprivileged.why_not():
        pytest.skip(f"cannot run as nobody here: {unprivileged.why_not()}")
    venv = unprivileged.venv()
    base = Path(tempfile.mkdtemp(prefix="tutor-test-autograder-", dir="/srv" if os.path.isdir("/srv") else None))
    try:
        root = autograder_root(base, zip_path)
        lesson = root / "source" / "package" / "tutor" / "lesson.py"
        thief = (f"def lin_grad(inp, out, w, b):\n    s = open({str(lesson)!r}).read()\n    ns = {{}}\n"
                 "    exec(s[s.index('def lin_grad'):s.index('class Module')], ns)\n"
                 "    ns['lin_grad'](inp, out, w, b)\n")
        write_notebook(root / "submission" / "thief.ipynb", {"lin_grad": thief, "relu": CORRECT["relu"]})
        subprocess.run(["chown", "-R", f"{unprivileged.NOBODY}:{unprivileged.NOBODY}", str(base)], check=True)
        os.chmod(base, 0o755)
        env = {"HOME": str(base), "PATH": f"{venv}/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
               "AUTOGRADER_ROOT": str(root)}
        proc = subprocess.run(["setpriv", f"--reuid={unprivileged.NOBODY}", f"--regid={unprivileged.NOBODY}",
                               "--clear-groups", str(root / "run_autograder")], cwd=root, env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr + proc.stdout
        assert "isolation: full: the grader's uid in a user namespace" in proc.stdout
        result = json.loads((root / "results" / "results.json").read_text())
        lin_grad, relu, mse = result["tests"]
        assert lin_grad["score"] == 0, lin_grad["output"][:300]
        assert "lin_grad: FAIL [raises]" in lin_grad["output"] and "FileNotFoundError" in lin_grad["output"]
        assert relu["score"] == 2 and mse["score"] == 0 and result["score"] == 2
    finally:
        subprocess.run(["rm", "-rf", str(base)])


@pytest.mark.parametrize("args, said", [
    (["nowhere.ipynb"], "nowhere.ipynb: no such file"),
    (["{nb}", "--points", "lin=2"], "--points: lin is not an exercise of"),
    (["{nb}", "--out", "{tmp}/grader.tar"], "expected a .zip file name"),
])
def test_bad_input_is_one_line_and_status_2(tmp_path, args, said):
    nb = write_notebook(tmp_path / "assignment.ipynb", ASSIGNMENT_CELLS)
    args = [a.format(nb=nb, tmp=tmp_path) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "a.zip")]
    proc = tutor("gradescope", *args)
    assert proc.returncode == 2 and proc.stderr.startswith("tutor gradescope: ") and proc.stderr.count("\n") == 1
    assert said in proc.stderr
    assert not (tmp_path / "a.zip").exists()
