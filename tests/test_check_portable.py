"""The check off Linux: on macOS (any POSIX host with fork) learner code runs in the same sandbox worker's forked
child with what such a host allows; on Windows in-process, and the report says so. A Linux host acts as macOS
with TUTOR_SANDBOX_PLATFORM=posix; one test also fakes macOS outright (sys.platform, no Linux-only calls)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import tutor
from tutor.sandbox import session
from tutor.sandbox.host import SWITCH
from tutor.sandbox.protocol import Limits

from test_checker_learners import expectation

ROOT = Path(__file__).resolve().parents[1]
LEARNERS = ROOT / "tests" / "learners"
RIGHT_LIN_GRAD = ("def lin_grad(inp, out, w, b):\n    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n"
                  "    b.g = out.g.sum(0)\n")
OFF_LINUX = "a sandboxed child process (PARTIAL: "

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux acting as macOS")


def _drop_worker() -> None:
    with session.lock():
        if session._worker is not None:
            session._worker.stop()
        session._worker = None


@pytest.fixture(scope="module")
def posix():
    """`tutor.check` in this process, its sandbox worker acting as on macOS (no namespaces, prctl, /proc)."""
    before = os.environ.get(SWITCH)
    _drop_worker()
    os.environ[SWITCH] = "posix"
    yield
    _drop_worker()
    if before is None:
        del os.environ[SWITCH]
    else:
        os.environ[SWITCH] = before


def test_a_correct_lin_grad_passes_in_a_child_that_says_what_is_missing(posix) -> None:
    report = tutor.check("lin_grad", RIGHT_LIN_GRAD.replace("    inp.g", "    print('pid', os.getpid())\n    inp.g")
                         .replace("def", "import os\ndef", 1))
    assert report.passed, str(report)
    assert report.isolation.startswith(OFF_LINUX), report.isolation
    assert "missing: namespaces (not Linux" in report.isolation and "a hard memory limit" in report.isolation
    pids = {int(line.split()[1]) for line in report.output.splitlines() if line.startswith("pid ")}
    assert pids and os.getpid() not in pids  # the learner's code ran in another process
    assert report.summary_line() == "lin_grad: PASS"


# Right and wrong learners; autograd by method, imported name and torch.func; the lesson's reference called; the
# exercise's own solution text exec'd (blank in the child).
CASES = ["lin_grad/pass_matmul.py", "lin_grad/pass_loop.py", "lin_grad/fail_transposed.py",
         "lin_grad/fail_sign-flipped.py", "lin_grad/fail_uses-autograd.py", "lin_grad/fail_uses-autograd_3.py",
         "lin_grad/fail_uses-autograd_7.py", "lin_grad/fail_uses-reference.py", "lin_grad/fail_uses-reference_3.py",
         "lin_grad/fail_missing-grad_2.py", "relu/pass_lesson.py", "mse/pass_lesson.py"]


@pytest.mark.parametrize("name", CASES)
def test_learner_files_get_their_verdict(posix, name: str) -> None:
    path = LEARNERS / name
    verdict, code = expectation(path)
    report = tutor.check(path.parent.name, path.read_text())
    assert report.isolation.startswith(OFF_LINUX), report.isolation
    if verdict == "pass":
        assert report.passed and not report.errors, str(report)
    else:
        assert not report.passed and report.errors[0].code == code, str(report)


def test_the_run_gets_a_scrubbed_environment_a_private_temp_dir_and_capped_output(posix) -> None:
    report = tutor.check("lin_grad", "import os, stat, tempfile\n" + RIGHT_LIN_GRAD.replace(
        "    inp.g", "    tmp = tempfile.gettempdir()\n    print('env', sorted(os.environ))\n"
        "    print('tmp', tmp, oct(stat.S_IMODE(os.stat(tmp).st_mode)), os.getcwd() == tmp)\n"
        "    print('x' * 10_000_000)\n    inp.g"))
    assert report.passed, str(report)
    lines = report.output.splitlines()
    env = next(line for line in lines if line.startswith("env "))
    assert env == "env " + str(sorted(["HOME", "LANG", "LC_ALL", "MKL_NUM_THREADS", "OMP_NUM_THREADS",
                                       "OPENBLAS_NUM_THREADS", "PATH", "TMPDIR", SWITCH])), env
    _, tmp, mode, here = next(line for line in lines if line.startswith("tmp ")).split()
    assert tmp != "/tmp" and mode == "0o700" and here == "True"
    assert len(report.output) < 20_000 and "output-limit" in report.codes


def test_an_endless_loop_is_a_timeout_and_the_next_check_works(posix) -> None:
    start = time.monotonic()
    report = tutor.check("lin_grad", "def lin_grad(inp, out, w, b):\n    while True:\n        pass\n",
                         limits=Limits(wall=2.0, cpu=2.0))
    assert report.codes == ["timeout"] and time.monotonic() - start < 30, str(report)
    assert tutor.check("lin_grad", RIGHT_LIN_GRAD).passed


def test_a_sleeper_is_a_timeout_too(posix) -> None:  # no CPU used: the parent's wall clock ends it
    report = tutor.check("lin_grad", "import time\ndef lin_grad(inp, out, w, b):\n    time.sleep(60)\n",
                         limits=Limits(wall=2.0, cpu=2.0))
    assert report.codes == ["timeout"], str(report)


@pytest.mark.parametrize("stop", ["sys.exit(0)", "os._exit(0)", "os.kill(os.getpid(), signal.SIGKILL)",
                                  "raise KeyboardInterrupt"])
def test_ending_the_process_is_a_crash_not_a_pass(posix, stop: str) -> None:
    report = tutor.check("lin_grad", f"import os, sys, signal\ndef lin_grad(inp, out, w, b):\n    {stop}\n")
    assert report.codes == ["crashed"] and report.summary_line() == "lin_grad: FAIL [crashed]", str(report)


def test_processes_a_run_leaves_in_its_group_are_killed(posix, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    report = tutor.check("lin_grad", "import os, time\n" + RIGHT_LIN_GRAD.replace("    inp.g", (
        "    for _ in range(3):\n        if os.fork() == 0:\n"
        f"            open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\n')\n            time.sleep(600)\n"
        "    time.sleep(0.5)\n    inp.g"), 1))
    assert report.passed, str(report)  # the sleepers hold the result pipe: the run's end is still seen
    left = [int(p) for p in pids.read_text().split()]
    deadline = time.monotonic() + 10  # (the worker may answer first and clean up right after)
    while any(_running(p) for p in left) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(left) >= 3 and not any(_running(p) for p in left)


def test_filling_memory_is_stopped_by_the_watcher(posix) -> None:
    start = time.monotonic()
    report = tutor.check("lin_grad", "def lin_grad(inp, out, w, b):\n    hog = [b'x' * (64 << 20)]\n"
                         "    while True:\n        hog.append(b'x' * (64 << 20))\n",
                         limits=Limits(wall=20.0, cpu=20.0, memory_mb=256))
    assert report.codes == ["memory"], str(report)
    assert time.monotonic() - start < 15  # the watcher, not the wall clock


def test_monkeypatching_in_one_check_changes_no_later_verdict(posix) -> None:
    zero_relu = ("class Relu(Module):\n    def forward(self, inp): return inp.clamp_min(0.)\n"
                 "    def bwd(self, out, inp): inp.g = out.g * 0\n")
    # (Relu reads Sneaky, so its body runs: a check runs only what the checked code needs)
    assert not tutor.check("relu", "import numpy\nclass Sneaky:\n    numpy.abs = lambda a, *k, **kw: a * 0\n"
                           + zero_relu.replace("inp.g = ", "Sneaky; inp.g = ")).passed
    assert not tutor.check("relu", zero_relu).passed


def test_tutor_check_json_is_one_object(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text("def lin_grad(inp, out, w, b):\n    print('hello')\n    os._exit(0)\nimport os\n")
    done = subprocess.run([sys.executable, "-m", "tutor.cli", "check", "lin_grad", str(path), "--json"],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
                          env={**os.environ, SWITCH: "posix"})
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["summary"] == "lin_grad: FAIL [crashed]", done.stderr
    assert report["isolation"].startswith(OFF_LINUX) and report["output"].startswith("hello")


def _sleeping_run(tmp_path: Path) -> tuple[subprocess.Popen, int, int]:
    """A kernel (as on macOS) whose check is running a learner's `time.sleep(600)`: (kernel, run pid, worker pid)."""
    kernel = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import tutor
        from tutor.sandbox.protocol import Limits
        tutor.check("lin_grad", "import os, time\\ndef lin_grad(inp, out, w, b):\\n"
                    "    open({str(tmp_path / 'run')!r}, 'w').write(str(os.getpid()))\\n    time.sleep(600)\\n",
                    limits=Limits(wall=600, cpu=600))
        """)], env={**os.environ, SWITCH: "posix"}, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not (tmp_path / "run").exists() or not (tmp_path / "run").read_text():
            assert kernel.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        run = int((tmp_path / "run").read_text())
        worker = int(subprocess.run(["ps", "-o", "ppid=", "-p", str(run)], capture_output=True, text=True).stdout)
        assert worker not in (kernel.pid, os.getpid())
    except BaseException:
        kernel.kill()
        kernel.wait()
        raise
    return kernel, run, worker


def _gone(*pids: int) -> bool:
    deadline = time.monotonic() + 10
    while any(_running(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_running(p) for p in pids)


def test_the_worker_and_its_run_die_with_the_kernel(tmp_path: Path) -> None:
    """Off Linux there is no PR_SET_PDEATHSIG: the worker watches its parent and kills the run it is waiting for."""
    kernel, run, worker = _sleeping_run(tmp_path)
    kernel.kill()
    kernel.wait()
    assert _gone(worker, run)


def test_a_run_dies_with_its_worker(tmp_path: Path) -> None:
    """A worker killed from outside (the OOM killer) takes its run with it, as PR_SET_PDEATHSIG does on Linux."""
    kernel, run, worker = _sleeping_run(tmp_path)
    try:
        os.kill(worker, signal.SIGKILL)
        assert _gone(run)  # (the kernel, told its worker died, starts another and runs the code again)
    finally:
        kernel.kill()
        kernel.wait()


def _running(pid: int) -> bool:
    """Alive and not a zombie (an orphan's zombie waits for init to reap it)."""
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")


# Faked macOS: sys.platform is "darwin" from the start (after torch, numpy and the standard library are loaded),
# and every Linux-only call the sandbox could make fails loudly: if any ran, in the kernel, the worker or a run,
# the check would not pass.
FAKE_DARWIN = '''
import builtins, ctypes, fcntl, os, subprocess, sys, tempfile, threading, numpy, torch
sys.platform = "darwin"
for name in ("memfd_create", "MFD_CLOEXEC", "pidfd_open", "O_PATH"):
    if hasattr(os, name):
        delattr(os, name)
del fcntl.F_SETPIPE_SZ
_open, _listdir = builtins.open, os.listdir
def _no_proc(path):
    if str(path).startswith("/proc"):
        raise FileNotFoundError(2, "faked macOS: no /proc", str(path))
builtins.open = lambda file, *a, **k: (_no_proc(file), _open(file, *a, **k))[1]
os.listdir = lambda path=".": (_no_proc(path), _listdir(path))[1]
class _CDLL(ctypes.CDLL):
    def __getattr__(self, name):
        if name in ("prctl", "unshare", "mount", "umount2", "capset", "syscall", "pivot_root", "malloc_trim",
                    "memfd_create", "pidfd_open"):
            raise AttributeError(f"faked macOS: no {name} in libc")
        return super().__getattr__(name)
ctypes.CDLL = _CDLL
'''


def test_faked_macos_runs_no_linux_only_call_anywhere(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(FAKE_DARWIN)
    code = textwrap.dedent(f"""
        import sys, tutor
        assert sys.platform == "darwin"
        from tutor.sandbox import host, session
        assert host.platform() == "posix" and session.available()
        right = tutor.check("lin_grad", {RIGHT_LIN_GRAD!r})
        wrong = tutor.check("lin_grad", open({str(LEARNERS / 'lin_grad' / 'fail_transposed.py')!r}).read())
        print(right.summary_line(), wrong.summary_line(), right.isolation, sep="\\n")
        """)
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}:{ROOT}", "TUTOR_GRADE_PYTHONPATH": f"{tmp_path}:"}
    env.pop(SWITCH, None)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    right, wrong, isolation = done.stdout.strip().splitlines()[-3:]
    assert right == "lin_grad: PASS" and wrong == "lin_grad: FAIL [transposed]", done.stdout
    assert isolation.startswith(OFF_LINUX) and "missing: namespaces (not Linux" in isolation


def test_on_windows_the_check_runs_in_process_and_says_so(monkeypatch) -> None:
    monkeypatch.setenv(SWITCH, "windows")
    assert not session.available()
    report = tutor.check("lin_grad", RIGHT_LIN_GRAD)
    assert report.passed and report.isolation.startswith("in-process: this platform has no fork (Windows)")
    assert "note: your code ran in this process, not in a sandbox (Windows has no fork)" in report.text()


FAKE_WINDOWS = ("import os, sys, numpy, torch\n"  # (loaded as on Linux: torch's loader reads sys.platform)
                "sys.modules['fcntl'] = sys.modules['resource'] = None\ndel os.fork\nsys.platform = 'win32'\n"
                "from tutor.cli import main\n")


@pytest.mark.parametrize("command", ["check", "grade"])
def test_the_cli_on_windows_answers_in_one_line_never_a_traceback(tmp_path: Path, command: str) -> None:
    (tmp_path / "mine.py").write_text(RIGHT_LIN_GRAD)
    args = ["check", "lin_grad", str(tmp_path / "mine.py"), "--json"] if command == "check" else \
        ["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--quiet", "--unsafe"]
    done = subprocess.run([sys.executable, "-c", FAKE_WINDOWS + f"sys.exit(main({args!r}))"], capture_output=True,
                          text=True, timeout=300, cwd=ROOT)
    assert "Traceback" not in done.stderr, done.stderr
    if command == "check":
        report = json.loads(done.stdout)
        assert done.returncode == 0 and report["summary"] == "lin_grad: PASS"
        assert report["isolation"].startswith("in-process: this platform has no fork (Windows)")
    else:
        assert done.returncode == 3 and done.stderr.strip().endswith(
            "Windows has no fork: grade in WSL or a Linux container"), done.stderr


def test_windows_imports_without_fcntl_resource_or_fork() -> None:
    """On Windows `fcntl` and `resource` do not exist: the check's imports must not need them."""
    code = textwrap.dedent(f"""
        import os, sys, numpy, torch  # (loaded as they are on Linux: torch's loader reads sys.platform)
        sys.modules["fcntl"] = sys.modules["resource"] = None
        del os.fork
        sys.platform = "win32"
        import tutor
        report = tutor.check("lin_grad", {RIGHT_LIN_GRAD!r})
        assert "tutor.sandbox.jail" not in sys.modules
        print(report.summary_line(), report.isolation, sep="\\n")
        """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    summary, isolation = done.stdout.strip().splitlines()[-2:]
    assert summary == "lin_grad: PASS" and isolation.startswith("in-process: this platform has no fork"), isolation


def test_grading_as_on_macos_fails_closed_unless_unsafe(tmp_path: Path) -> None:
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "ada.py").write_text(RIGHT_LIN_GRAD)
    env = {**os.environ, SWITCH: "posix"}
    grade = [sys.executable, "-m", "tutor", "grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"),
             "--workers", "1", "--quiet", "--plots", "none"]
    refused = subprocess.run(grade, capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert refused.returncode == 3 and "isolation: " not in refused.stdout, refused.stderr
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("tutor grade: grading needs Linux, where learner code runs in a full sandbox") and \
        line.endswith("pass --unsafe to grade here in a partial sandbox (no namespaces: a submission can read and "
                      "write your files)"), line
    windows = subprocess.run([*grade, "--unsafe"], capture_output=True, text=True, timeout=600, cwd=ROOT,
                             env={**env, SWITCH: "windows"})
    assert windows.returncode == 3 and windows.stderr.strip().endswith(
        "Windows has no fork: grade in WSL or a Linux container"), windows.stderr
    assert not (tmp_path / "out").exists()
    done = subprocess.run([*grade, "--unsafe"], capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("isolation: PARTIAL: the grader's own uid, own session"), done.stdout
    rows = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()
    assert rows[1].startswith("ada.py,lin_grad,1,"), rows


# A system where torch cannot run in a forked child (as macOS's Accelerate may not, after the worker used it).
BROKEN_AFTER_FORK = '''
import os, signal, sys
def _break():
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.ones = lambda *a, **k: os.kill(os.getpid(), signal.SIGSEGV)
os.register_at_fork(after_in_child=_break)
'''


def test_where_torch_cannot_run_in_a_fork_the_check_says_so_and_gives_no_verdict(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(BROKEN_AFTER_FORK)
    code = f"import tutor\nr = tutor.check('lin_grad', {RIGHT_LIN_GRAD!r})\nprint(r.codes, r.checks[0].message)\n"
    env = {**os.environ, SWITCH: "posix", "TUTOR_GRADE_PYTHONPATH": f"{tmp_path}:"}  # (the worker's only)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("['error'] The checker's sandbox could not start (") and \
        "a forked run cannot work on this system" in done.stdout, done.stdout


def test_in_a_kernel_as_on_macos_exercise_cells_run_in_the_child(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    cells = [f"import os\nos.environ[{SWITCH!r}] = 'posix'\nos.environ['TUTOR_HOME'] = {str(tmp_path)!r}\n"
             "os.environ['TUTOR_PLOTS'] = '0'\nKERNEL_PID = os.getpid()\nimport tutor",
             "%%exercise lin_grad\nimport sys\ndef lin_grad(inp, out, w, b):\n    sys.exit(0)",
             "%%exercise lin_grad\nimport os\ndef lin_grad(inp, out, w, b):\n    print('run pid', os.getpid())\n"
             "    inp.g = out.g @ w.t()\n    w.g = inp.t() @ out.g\n    b.g = out.g.sum(0)",
             "r = tutor.check('lin_grad', 'def lin_grad(inp, out, w, b):\\n    while True: pass\\n')\n"
             "print(r.summary_line(), os.getpid() == KERNEL_PID, r.isolation)"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False).execute()

    def text(cell) -> str:
        out = [o.get("text", "") for o in cell.outputs if o["output_type"] == "stream"]
        return "\n".join(out + [o["data"].get("text/plain", "") for o in cell.outputs
                                if o["output_type"] in ("display_data", "execute_result")])
    assert "lin_grad: FAIL [crashed]" in text(nb.cells[1]), text(nb.cells[1])
    assert "lin_grad: PASS" in text(nb.cells[2]) and "run pid" in text(nb.cells[2]), text(nb.cells[2])
    summary = text(nb.cells[3])
    assert summary.startswith("lin_grad: FAIL [timeout] True " + OFF_LINUX), summary
