"""Run the grader as `nobody`, as most instructors run it (CI machines run as root).

The venv is built once per content of the project (pyproject + the tutor package) from Debian's
/usr/bin/python3 in a world-readable folder under /tmp (the default python lives under /root, which `nobody`
cannot enter), with torch from the local wheel and the project installed non-editable from a copy.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = "/usr/bin/python3"
TORCH_WHEEL = Path("/opt/wheels/torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl")
NOBODY = 65534


def content_hash() -> str:
    """What the venv's install depends on: pyproject.toml and every file of the tutor package."""
    h = hashlib.sha256()
    files = [ROOT / "pyproject.toml", *sorted(p for p in (ROOT / "tutor").rglob("*") if p.is_file()
                                               and "__pycache__" not in p.parts)]
    for p in files:
        h.update(str(p.relative_to(ROOT)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def why_not() -> str | None:
    """Why the grader cannot be run as nobody here (None: it can)."""
    if os.geteuid() != 0:
        return "dropping to nobody needs root (run the suite as root, as CI does)"
    if not shutil.which("setpriv"):
        return "setpriv (util-linux) is missing"
    try:
        version = subprocess.run([PYTHON, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return f"{PYTHON} is missing"
    if version != "3.11":
        return f"{PYTHON} is Python {version}; the local torch wheel is for 3.11"
    if not TORCH_WHEEL.exists():
        return f"{TORCH_WHEEL} is missing"
    return None


def venv() -> Path:
    """The nobody-readable venv for the current project content, built on first use (a few minutes)."""
    import fcntl

    path = Path(f"/tmp/tutor-nobody-venv-{content_hash()}")
    with open("/tmp/tutor-nobody-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs at once build it once
        if (path / "ready").exists():
            return path
        for old in Path("/tmp").glob("tutor-nobody-venv-*"):  # built for older content: keep only one
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
        # built in place: a venv's scripts name their interpreter by absolute path, it cannot be moved
        subprocess.run([PYTHON, "-m", "venv", str(path)], check=True)
        pip = [str(path / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, str(TORCH_WHEEL)], check=True)
        copy = Path(f"/tmp/tutor-nobody-src-{os.getpid()}")  # non-editable: from a copy, no link to the checkout
        copy.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, copy)
        shutil.copytree(ROOT / "tutor", copy / "tutor", ignore=shutil.ignore_patterns("__pycache__"))
        try:
            subprocess.run([*pip, str(copy)], check=True)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        subprocess.run(["chmod", "-R", "a+rX", str(path)], check=True)
        (path / "ready").touch()
    return path


def as_nobody(venv_dir: Path, *args: str, home: Path, timeout: float = 600,
              wrap: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run `tutor ARGS` as nobody from `venv_dir` (`wrap`: a command put before it, e.g. unshare)."""
    env = {"HOME": str(home), "PATH": f"{venv_dir}/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    cmd = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *wrap,
           str(venv_dir / "bin" / "tutor"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd="/")


if __name__ == "__main__":  # build it ahead of the tests: python tests/grade/unprivileged.py
    print(why_not() or venv())
    sys.exit(0)
