"""One thread, no new program: a seccomp filter for a run (Linux, x86_64 and aarch64).

A new thread starts with torch's default per-thread state (grad mode on, autograd recording), which no lock set in
the run's own thread reaches; a new program (`subprocess.run([sys.executable, ...])`) starts a fresh torch. So a
run may fork (a copy of its own locked thread) but not start a thread (`clone` with CLONE_THREAD, `clone3`) or a
program (`execve`, `execveat`). The filter is the kernel's: nothing in the run can take it off.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import struct

from . import host

_ARCH = {"x86_64": (0xC000003E, {"clone": 56, "clone3": 435, "execve": 59, "execveat": 322}),
         "aarch64": (0xC00000B7, {"clone": 220, "clone3": 435, "execve": 221, "execveat": 281})}
CLONE_THREAD = 0x00010000
PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 38, 22, 2
_LD_W_ABS, _JEQ, _JGE, _JSET, _RET = 0x20, 0x15, 0x35, 0x45, 0x06
_ALLOW, _ERRNO = 0x7FFF0000, 0x00050000
_X32 = 0x40000000  # x32 system calls: the same numbers with this bit set


def supported() -> bool:
    """True where this filter can be installed (Linux on x86_64 or aarch64)."""
    return host.linux() and platform.machine() in _ARCH


def _filter(arch: int, nr: dict[str, int]) -> list[tuple[int, int, int, int]]:
    """The BPF program: (code, jump if true, jump if false, k) per instruction; jumps count from the next one."""
    def deny(e: int) -> tuple[int, int, int, int]:
        return (_RET, 0, 0, _ERRNO | e)

    allow = (_RET, 0, 0, _ALLOW)
    return [
        (_LD_W_ABS, 0, 0, 4),             # 0  arch
        (_JEQ, 1, 0, arch),               # 1  ours: skip to 3
        deny(errno.ENOSYS),               # 2  another ABI (i386 calls on x86_64): refused
        (_LD_W_ABS, 0, 0, 0),             # 3  the system call's number
        (_JGE, 0, 1, _X32),               # 4  x32 numbers: 5; else 6
        deny(errno.ENOSYS),               # 5
        (_JEQ, 0, 1, nr["clone3"]),       # 6  clone3: 7 (libc falls back to clone); else 8
        deny(errno.ENOSYS),               # 7
        (_JEQ, 1, 0, nr["execve"]),       # 8  execve: 10
        (_JEQ, 0, 1, nr["execveat"]),     # 9  execveat: 10; else 11
        deny(errno.EPERM),                # 10 a new program
        (_JEQ, 0, 3, nr["clone"]),        # 11 clone: 12; else 15
        (_LD_W_ABS, 0, 0, 16),            # 12 clone's flags (low half of the first argument)
        (_JSET, 0, 1, CLONE_THREAD),      # 13 a thread: 14; a process (fork): 15
        deny(errno.EAGAIN),               # 14 (what a thread limit answers: "can't start new thread")
        allow,                            # 15
    ]


def forbid_threads_and_programs() -> bool:
    """Install the filter on this process (and everything it forks); False where it is not supported."""
    if not supported():
        return False
    arch, nr = _ARCH[platform.machine()]
    prog = _filter(arch, nr)
    raw = b"".join(struct.pack("HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    for args in ((PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0)):
        if libc.prctl(*(ctypes.c_ulong(a) for a in args)) != 0:
            e = ctypes.get_errno()
            raise OSError(e, f"prctl({args[0]}): {errno.errorcode.get(e, e)}")
    return True


def probe() -> str:
    """'' when a forked child can install the filter and is then refused a thread; else why not."""
    import os
    import threading

    if not supported():
        return "no seccomp filter on this system: a run may start threads and programs"
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            forbid_threads_and_programs()
            threading.Thread(target=lambda: None).start()
        except RuntimeError:  # "can't start new thread": what a run gets
            code = 0
        except BaseException:  # noqa: BLE001 - the filter itself was refused
            code = 2
        os._exit(code)
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    return "" if code == 0 else "the kernel refused the seccomp filter: a run may start threads and programs" \
        if code == 2 else "the seccomp filter did not stop a thread: a run may start threads and programs"
