"""A worker's minimal filesystem: the Python runtime read-only, a fresh /proc and /dev, empty temp folders.

Built once per worker (after torch and the tutor package are imported) in a mount namespace of its own and
entered with pivot_root: the instructor's home, the submissions, the source notebook and the tutor package's
files are not in it at all, so learner code can neither read nor write them.
"""
from __future__ import annotations

import ctypes
import os
import platform
import sys

from . import jail, namespaces
from .unreadable import unreadable

RUNTIME = ("/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin")
ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "passwd", "group", "nsswitch.conf", "hosts",
       "alternatives", "mime.types")
DEVICES = ("null", "zero", "full", "random", "urandom")
EMPTY = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/proc")
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
MNT_DETACH = 2


def package_dir() -> str:
    """The tutor package's folder (its files hold the solutions)."""
    return os.path.dirname(os.path.dirname(os.path.realpath(__file__)))


def python_roots(package: str) -> list[str]:
    """The folders Python imports from, minus any checkout that holds the tutor package (a site-packages that
    holds it stays: the package folder itself is covered instead)."""
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             *sys.path]
    roots = []
    for p in {os.path.realpath(p) for p in paths if p and os.path.isabs(p) and os.path.isdir(p)}:
        holds_package = (package + os.sep).startswith(p.rstrip(os.sep) + os.sep) or _has_tutor(p)
        if holds_package and os.path.basename(p) not in ("site-packages", "dist-packages"):
            continue  # a checkout (tests, notebooks with solutions), this one or another: never in the view
        roots.append(p)
    return sorted(r for r in roots if not any(r.startswith(q + os.sep) for q in roots))


def _has_tutor(folder: str) -> bool:
    """Whether a folder holds a copy of the tutor package (its lesson file: the solutions)."""
    return os.path.isfile(os.path.join(folder, "tutor", "lesson.py"))


def covered(package: str, roots: list[str]) -> list[str]:
    """The tutor packages inside the view to cover: the one imported, and any other copy an installed folder holds."""
    found = [package] if any((package + os.sep).startswith(r + os.sep) for r in roots) else []
    return found + [os.path.join(r, "tutor") for r in roots
                    if _has_tutor(r) and os.path.realpath(os.path.join(r, "tutor")) != package]


def _pivot_root(new: str, old: str) -> None:
    nr = _PIVOT_ROOT.get(platform.machine())
    if nr is None:
        raise OSError(f"pivot_root: unknown system call number on {platform.machine()}")
    jail._check(jail._libc.syscall(ctypes.c_long(nr), new.encode(), old.encode()), "pivot_root")


def _place(new: str, path: str, is_dir: bool) -> str:
    target = new + path
    if is_dir:
        os.makedirs(target, mode=0o755, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
        open(target, "a").close()
    return target


def enter(package: str | None = None) -> None:
    """Replace this process's root by the minimal one (OSError when the kernel refuses a step)."""
    package = package or package_dir()
    dirs = {*python_roots(package), *(p for p in RUNTIME if os.path.isdir(p) and not os.path.islink(p))}
    binds = sorted(d for d in dirs if not any(d.startswith(q + os.sep) for q in dirs))
    binds += [f"/etc/{e}" for e in ETC if os.path.exists(f"/etc/{e}")]
    binds += [f"/dev/{d}" for d in DEVICES if os.path.exists(f"/dev/{d}")]
    links = {p: os.readlink(p) for p in RUNTIME if os.path.islink(p)}
    # (found before /tmp is covered below: a venv under /tmp is seen by path only until then)
    folders, files = unreadable(binds)
    cover = covered(package, sorted(binds)) + folders
    jail.unshare(jail.CLONE_NEWNS)
    jail.mount("none", "/", None, jail.MS_REC | jail.MS_PRIVATE, None)
    # Opened (in this namespace) before the new root covers /tmp: a venv under /tmp stays reachable.
    fds = [(p, os.path.isdir(p), os.open(p, os.O_PATH)) for p in binds]
    new = "/tmp"
    jail.mount("tmpfs", new, "tmpfs", 0, "size=1m,mode=0755")
    os.mkdir(new + "/dev", 0o755)
    jail.mount("tmpfs", new + "/dev", "tmpfs", namespaces.MS_NOSUID | namespaces.MS_NOEXEC, "size=64k,mode=0755")
    for d in EMPTY:
        _place(new, d, True)
    for name, to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                     ("stderr", "/proc/self/fd/2")):
        os.symlink(to, f"{new}/dev/{name}")
    for path, to in links.items():
        os.symlink(to, new + path)
    for path, is_dir, fd in fds:
        jail.mount(f"/proc/self/fd/{fd}", _place(new, path, is_dir), None, jail.MS_BIND | jail.MS_REC, None)
        os.close(fd)
    for folder in cover:  # the solutions; what differentiates (unreadable.py)
        jail.mount("tmpfs", new + folder, "tmpfs", jail.MS_RDONLY, "size=4k,mode=0555")
    if files:
        empty = new + "/.empty"
        open(empty, "w").close()
        for path in files:  # an empty file over each (it stays mounted when its name is gone)
            jail.mount(empty, new + path, None, jail.MS_BIND, None)
        os.unlink(empty)
    jail.mount("proc", new + "/proc", "proc", namespaces.MS_NOSUID | namespaces.MS_NODEV | namespaces.MS_NOEXEC,
               None)
    os.chdir(new)
    _pivot_root(".", ".")  # the old root ends up stacked under the new one: detach it
    jail._check(jail._libc.umount2(b".", MNT_DETACH), "umount old root")
    os.chdir("/")
    if namespaces.readonly_mounts():
        raise OSError("could not remount the minimal root read-only")
