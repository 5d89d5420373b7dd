"""Namespaces that need no root: a user namespace of the worker's own, and read-only mounts for a run.

In its own user namespace an ordinary user may unshare the network (no network at all) and mounts (a
private /tmp); inside a run's mount namespace every inherited mount is remounted read-only, so learner code
can write nowhere but its private, size-limited /tmp — with or without root.
"""
from __future__ import annotations

import os

from . import jail

CLONE_NEWUSER = 0x10000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 2, 4, 8, 32
MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME = 1 << 10, 1 << 11, 1 << 21, 1 << 24
# Flags a remount inside a user namespace must keep (the kernel locks them on mounts it inherited).
_KEPT = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
         "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}


def enter_user_namespace() -> None:
    """Move this process into a new user namespace where it keeps its own uid and gid (OSError if refused)."""
    uid, gid = os.geteuid(), os.getegid()
    jail.unshare(CLONE_NEWUSER)
    for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as fh:
            fh.write(text)


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

    Files opened before the namespace was made (the run's output file, the worker's log) stay writable: they
    belong to the original mounts, not to this namespace's copies."""
    refused = []
    for point, options in _mount_options().items():
        try:
            remount_readonly(point, options)
        except OSError:
            refused.append(point)
    return refused
