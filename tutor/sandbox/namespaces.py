"""Namespaces that need no root: a user namespace of the worker's own, a PID namespace the worker is init of,
read-only mounts, and a nested user namespace per run that locks the mounts and holds no capability.

In its own user namespace an ordinary user may unshare the network (no network at all), PIDs and mounts (a
private /tmp); a run then enters one more user namespace and drops every capability there: mounts copied into
a less privileged namespace are locked (they cannot be remounted read-write or unmounted), and the run can
neither signal nor ptrace the worker — with or without root.
"""
from __future__ import annotations

import ctypes
import functools
import os
import signal

from . import jail

CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4
PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS, PR_CAP_AMBIENT_IS_SET = 23, 39, 1
_CAP_VERSION_3 = 0x20080522
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1 << 10, 1 << 11, 1 << 21, 1 << 24
# Flags a remount inside a user namespace must keep (the kernel locks them on mounts it inherited).
_KEPT = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
         "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}


def enter_user_namespace(proc: int = -1) -> None:
    """Move this process into a new user namespace where it keeps its own uid and gid (OSError if refused).
    `proc`: a descriptor of this process's /proc folder, where /proc itself is covered."""
    uid, gid = os.geteuid(), os.getegid()
    jail.unshare(CLONE_NEWUSER)
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        fd = os.open(name, os.O_WRONLY, dir_fd=proc) if proc >= 0 else os.open(f"/proc/self/{name}", os.O_WRONLY)
        try:
            os.write(fd, text.encode())
        finally:
            os.close(fd)


def in_initial_user_namespace() -> bool:
    """True in the machine's own user namespace (where uid 0 is really root)."""
    try:
        with open("/proc/self/uid_map") as fh:
            return fh.read().split() == ["0", "0", "4294967295"]
    except OSError:
        return True


def become_pid_one(name: str) -> None:
    """Continue in a child that is PID 1 of a new PID namespace; this process only waits for it, then exits
    with its status. Inside, `kill(-1)` reaches only the namespace's processes and never PID 1, and when PID 1
    dies the kernel kills everything left in the namespace (OSError if refused)."""
    jail.unshare(CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:
        jail.prctl(jail.PR_SET_PDEATHSIG, signal.SIGKILL)
        # PID 1 gets no signal it has no handler for from inside its namespace: drop Python's SIGINT handler
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        return
    jail.set_name(name)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    os.closerange(3, 65536)  # the protocol pipes stay with the child alone: its death is an EOF for the grader
    for fd in (0, 1):
        os.close(fd)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            os._exit(70)
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


@functools.lru_cache(maxsize=None)
def last_cap() -> int:
    """The highest capability number this kernel knows."""
    with open("/proc/sys/kernel/cap_last_cap") as fh:
        return int(fh.read())


def drop_capabilities() -> None:
    """Empty every capability set (bounding and ambient included) and set no-new-privileges (OSError if refused)."""
    for cap in range(last_cap() + 1):
        jail.prctl(PR_CAPBSET_DROP, cap)
    jail._check(jail._libc.prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL), 0, 0, 0), "prctl")
    data = (_CapData * 2)()
    jail._check(jail._libc.capset(ctypes.byref(_CapHeader(_CAP_VERSION_3, 0)), data), "capset")
    jail.prctl(PR_SET_NO_NEW_PRIVS, 1)


def capabilities() -> dict[str, int]:
    """This process's CapEff, CapPrm, CapBnd, CapAmb (bit masks) and NoNewPrivs, asked of the kernel directly
    (capget, prctl): a run's /proc is covered."""
    data = (_CapData * 2)()
    jail._check(jail._libc.capget(ctypes.byref(_CapHeader(_CAP_VERSION_3, 0)), data), "capget")
    mask = lambda field: getattr(data[0], field) | (getattr(data[1], field) << 32)  # noqa: E731
    caps = range(last_cap() + 1)
    prctl = jail._libc.prctl
    bounding = sum(1 << c for c in caps if prctl(PR_CAPBSET_READ, ctypes.c_ulong(c), 0, 0, 0) == 1)
    ambient = sum(1 << c for c in caps if prctl(PR_CAP_AMBIENT, ctypes.c_ulong(PR_CAP_AMBIENT_IS_SET),
                                                 ctypes.c_ulong(c), 0, 0) == 1)
    return {"CapEff": mask("effective"), "CapPrm": mask("permitted"), "CapBnd": bounding, "CapAmb": ambient,
            "NoNewPrivs": prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)}


def lock_down(proc: int = -1) -> None:
    """In a run's child: enter a nested user namespace (locks every mount) and drop every capability."""
    enter_user_namespace(proc)
    drop_capabilities()


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in paths as octal escapes."""
    for code, ch in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, ch)
    return field


def _mount_options() -> dict[str, list[str]]:
    """Mount point -> its per-mount options, from /proc/self/mountinfo (the last mount on a point wins)."""
    with open("/proc/self/mountinfo") as fh:
        return {_unescape(f[4]): f[5].split(",") for f in (line.split() for line in fh.read().splitlines())}


def remount_readonly(point: str, options: list[str] | None = None) -> None:
    """Make one mount read-only, keeping the flags the kernel may have locked (OSError if refused)."""
    flags = jail.MS_BIND | MS_REMOUNT | jail.MS_RDONLY
    for opt in options if options is not None else _mount_options().get(point, []):
        flags |= _KEPT.get(opt, 0)
    jail.mount("none", point, None, flags, None)


def readonly_mounts() -> list[str]:
    """In this process's own mount namespace, remount every mount read-only; return those that refused.

    Files opened before the namespace was made (the worker's log) stay writable: they belong to the original
    mounts, not to this namespace's copies. /proc stays as it is: a run writes its own uid_map there (files
    under /proc/sys belong to the real root, whom no run is)."""
    refused = []
    for point, options in _mount_options().items():
        if point == "/proc" or point.startswith("/proc/"):
            continue
        try:
            remount_readonly(point, options)
        except OSError:
            refused.append(point)
    return refused
