"""Confine a freshly forked child before it runs learner code: limits, private temp dir, no network, no privileges."""
from __future__ import annotations

import ctypes
import io
import os
import resource
import signal
import sys
from dataclasses import dataclass, field

from . import host, seccomp
from .output import CappedStream
from .protocol import Limits

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_REC = 0x4000
MS_BIND = 0x1000
MS_RDONLY = 0x1
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36
UID_BASE = 1_990_000_000  # one unused uid per worker slot (root only); no /etc/passwd entry needed

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass
class Isolation:
    """What this machine lets a worker do (probed once per worker); `missing` says why a protection is off."""

    root: bool
    network: bool = False  # own network namespace: no network at all
    mounts: bool = False  # own mount namespace per run: private tmpfs on /tmp, /var/tmp, /dev/shm
    uid: int | None = None  # the unprivileged uid learner code runs as
    userns: bool = False  # the worker's own user namespace (how a grader without root gets the rest)
    readonly: bool = False  # every mount read-only for a run
    pidns: bool = False  # the worker is PID 1 of its own PID namespace
    rootfs: bool = False  # the run sees only the Python runtime (no home, submissions, notebooks, tutor files)
    locked: bool = False  # each run: nested user namespace (mounts locked), no capability, no new privileges
    onethread: bool = False  # each run: a seccomp filter refuses new threads and programs (tutor.sandbox.seccomp)
    missing: list[str] = field(default_factory=list)

    @classmethod
    def off_linux(cls) -> "Isolation":
        """What a POSIX host without Linux's namespaces (macOS, the BSDs) allows: a forked child in its own session
        under CPU, file-size, process and core rlimits, a temp dir, a scrubbed environment and the parent's
        wall-clock limit and output cap."""
        return cls(root=False, missing=[
            "namespaces (not Linux): the run can read and write whatever this user can, reach the network and "
            "signal this user's other processes",
            "a hard memory limit (RLIMIT_AS is not enforced here: a thread in the run watches its resident memory)",
            "processes a run moves out of its process group are not tracked",
            "one thread (no seccomp here): a thread a run starts has torch's autograd on, so a PASS there does "
            "not prove the gradient was written by hand"])

    @property
    def full(self) -> bool:
        """Every protection the grader promises is in force."""
        return all((self.network, self.mounts, self.readonly, self.pidns, self.rootfs, self.locked, self.onethread))

    def describe(self) -> str:
        """One line: which protections are in force (and, when not all are, which are missing and why)."""
        who = f"uid {self.uid}" if self.uid is not None else "the grader's uid in a user namespace" \
            if self.userns else "the grader's own uid"
        if self.full:
            return f"full: {who}, no network, own PID namespace, only the Python runtime visible (read-only), " \
                   "private /tmp, no capabilities, process limit, one thread and no new programs"
        if self.missing and self.missing[0].startswith("namespaces (not Linux"):
            return "PARTIAL: the grader's own uid, own session, CPU/process/file-size rlimits, temp dir, scrubbed " \
                   "environment; missing: " + "; ".join(self.missing)
        parts = [who, "no network" if self.network else "network reachable",
                 "private /tmp" if self.mounts else "temp dir only by convention"]
        if self.readonly:
            parts.append("read-only elsewhere")
        return "PARTIAL: " + ", ".join(parts) + "; missing: " + "; ".join(self.missing or ["?"])


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def unshare(flags: int) -> None:
    """unshare(2) through libc (Python 3.11 has no os.unshare)."""
    _check(_libc.unshare(ctypes.c_int(flags)), "unshare")


def prctl(option: int, arg: int) -> None:
    """prctl(2) with one argument."""
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), "prctl")


def set_name(name: str) -> None:
    """Name this process as `ps`/`top` show it (at most 15 bytes), so an instructor can tell the parts apart."""
    if not host.linux():
        return  # (macOS names only threads)
    buf = ctypes.create_string_buffer(name.encode()[:15])
    _libc.prctl(PR_SET_NAME, buf, 0, 0, 0)


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None) -> None:
    """mount(2) through libc."""
    enc = lambda s: None if s is None else s.encode()  # noqa: E731
    _check(_libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def _blocked_ancestor(path: str) -> str | None:
    """The first directory on the way to `path` that other users cannot enter, if any."""
    parts = os.path.realpath(path).split(os.sep)[1:]
    for i in range(1, len(parts) + 1):
        anc = os.sep + os.sep.join(parts[:i])
        try:
            if not os.stat(anc).st_mode & 0o001:
                return anc if i < len(parts) else None
        except OSError:
            return None
    return None


def expose(paths: list[str]) -> list[str]:
    """In this process's own mount namespace, make `paths` reachable by an unprivileged uid: each directory
    that blocks the way (e.g. /root, mode 700) is covered by an empty tmpfs holding bind mounts of just those
    paths. Return the paths exposed this way (others were reachable already)."""
    blocked: dict[str, list[str]] = {}
    for p in sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)}):
        anc = _blocked_ancestor(p)
        if anc and not any(p.startswith(q + os.sep) for q in blocked.get(anc, [])):
            blocked.setdefault(anc, []).append(p)
    if not blocked:
        return []
    unshare(CLONE_NEWNS)
    mount("none", "/", None, MS_REC | MS_PRIVATE, None)
    for anc, subs in blocked.items():
        fds = [(sub, os.open(sub, os.O_PATH | os.O_DIRECTORY)) for sub in subs]
        mount("tmpfs", anc, "tmpfs", 0, "size=1m,mode=0755")
        for sub, fd in fds:
            os.makedirs(sub, mode=0o755, exist_ok=True)
            mount(f"/proc/self/fd/{fd}", sub, None, MS_BIND | MS_REC, None)
            os.close(fd)
    return [p for subs in blocked.values() for p in subs]


def _status(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def vm_size() -> int:
    """This process's mapped address space in bytes (VmSize)."""
    return _status("VmSize:")


def rss() -> int:
    """This process's resident memory in bytes (VmRSS; off Linux its peak)."""
    return _status("VmRSS:") if host.linux() else host.own_rss()


def user_tasks(uid: int) -> int:
    """How many tasks (processes and threads) the uid owns now, for RLIMIT_NPROC when we cannot switch uid."""
    n = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                st = os.stat(f"/proc/{pid}")
                if st.st_uid == uid:
                    with open(f"/proc/{pid}/status") as fh:
                        n += next((int(l.split()[1]) for l in fh if l.startswith("Threads:")), 1)
            except (OSError, StopIteration, ValueError):
                pass
    return n


SAFE_ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def import_roots() -> list[str]:
    """Directories Python imports from (the interpreter, site-packages, an editable checkout): they must stay."""
    import sys

    paths = [sys.prefix, sys.exec_prefix, sys.base_prefix, *sys.path]
    return sorted({os.path.realpath(p) for p in paths if p and os.path.isdir(p)})


def private_tmp(target: str, size_mb: int, uid: int | None, readonly_binds: bool = False) -> None:
    """Cover `target` (e.g. /tmp) with a fresh tmpfs owned by `uid`, keeping whatever Python imports from
    below it (a checkout or venv under /tmp) reachable through bind mounts."""
    inside = [p for p in import_roots() if p.startswith(target.rstrip(os.sep) + os.sep)]
    tops = [p for p in inside if not any(p.startswith(q + os.sep) for q in inside)]
    fds = [(p, os.open(p, os.O_PATH | os.O_DIRECTORY)) for p in tops]
    mount("tmpfs", target, "tmpfs", 0, f"size={size_mb}m,mode=0700")
    for path, fd in fds:
        os.makedirs(path, mode=0o755, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC, None)
        os.close(fd)
        if readonly_binds:  # a checkout under /tmp is read, never written
            from .namespaces import remount_readonly

            remount_readonly(path)
    if fds:
        os.chmod(target, 0o711)  # the uid must pass through to the bind-mounted checkout
    if uid is not None:
        os.chown(target, uid, uid)


def _confine_off_linux(limits: Limits) -> None:
    """What stands in for Linux's protections elsewhere: a process limit counted from `ps`, and a thread that ends
    the run when its memory passes the limit (RLIMIT_AS is not enforced on macOS) or its worker dies (no
    PR_SET_PDEATHSIG)."""
    procs = host.user_processes(os.getuid())
    # A forked child's resident memory may start near zero (macOS maps the worker's pages on touch): count from
    # the worker's, so that touching torch's shared pages is not taken for the run's own allocations.
    host.watch_run(max(host.own_rss(), procs.get(os.getppid(), 0)) + (limits.memory_mb << 20))
    nproc = len(procs) + limits.nproc
    hard = resource.getrlimit(resource.RLIMIT_NPROC)[1]
    nproc = nproc if hard == resource.RLIM_INFINITY else min(nproc, hard)
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))


def _hide_proc() -> int:
    """Cover /proc in the run's view: learner code has no business there, and /proc/self/mem would show it freed
    copies of text (the lesson's source read at import). Returns a descriptor of this process's own /proc folder,
    for the run's uid map only (closed before learner code runs)."""
    proc = os.open("/proc/self", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    mount("tmpfs", "/proc", "tmpfs", MS_RDONLY, "size=4k,mode=0555")
    return proc


def confine(limits: Limits, iso: Isolation, out_fd: int, keep: tuple[int, ...], workdir: str) -> None:
    """Apply every limit to the current (child) process; raise OSError when one cannot be applied."""
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out_fd, 1)
    os.dup2(out_fd, 2)
    low = 3  # close everything but `keep` (devnull and out_fd included)
    for fd in sorted(keep):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, 65536)
    if iso.mounts:
        unshare(CLONE_NEWNS)
        mount("none", "/", None, MS_REC | MS_PRIVATE, None)
        # With iso.readonly the worker's mounts are read-only already (worker.readonly_but): so are these copies.
        for target in ("/tmp", "/var/tmp", "/dev/shm", "/run/lock"):
            if os.path.isdir(target):
                private_tmp(target, limits.disk_mb, iso.uid, readonly_binds=iso.readonly)
        if not iso.rootfs:  # (in a minimal root the package's files are not there at all)
            # The tutor package's files (the reference's source among them) are already imported: hide them.
            mount("tmpfs", os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tmpfs", MS_RDONLY,
                  "size=4k,mode=0555")
        workdir = "/tmp"
    budget = vm_size() + (limits.memory_mb << 20) if host.linux() else 0
    if iso.locked:
        from .namespaces import last_cap

        last_cap()  # (read now: /proc is covered below)
    proc = _hide_proc() if iso.mounts and iso.rootfs else -1
    os.chdir(workdir)
    if not host.linux():
        _confine_off_linux(limits)
    elif not iso.locked:
        nproc = limits.nproc if iso.uid is not None else user_tasks(os.getuid()) + limits.nproc
        resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    if iso.uid is not None:
        os.setgroups([])
        os.setresgid(iso.uid, iso.uid, iso.uid)
        os.setresuid(iso.uid, iso.uid, iso.uid)
        prctl(PR_SET_DUMPABLE, 1)  # the uid switch made /proc/self root's: the run must write its uid_map
    if iso.locked:
        from .namespaces import lock_down

        lock_down(proc)
        # The kernel counts RLIMIT_NPROC per user namespace: in this fresh one, the run is the only process.
        resource.setrlimit(resource.RLIMIT_NPROC, (limits.nproc, limits.nproc))
    if proc >= 0:
        os.close(proc)
    if host.linux():
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after the uid switch, which clears it
        set_name("tutor-run")
    cpu = max(1, int(round(limits.cpu)))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.disk_mb << 20,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    if host.linux():
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with EFBIG instead of killing
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_DFL)
    switch = {host.SWITCH: os.environ[host.SWITCH]} if host.SWITCH in os.environ else {}  # (tests: stays posix)
    os.environ.clear()
    os.environ.update(SAFE_ENV, **switch, HOME=workdir if not iso.mounts else "/tmp", TMPDIR=os.getcwd())
    import tempfile

    tempfile.tempdir = os.getcwd()  # (the worker's cached choice, e.g. a shared /tmp, would outlive TMPDIR)
    if iso.onethread:
        seccomp.forbid_threads_and_programs()
    cap = limits.output_kb << 10
    sys.stdout = sys.__stdout__ = sys.stderr = sys.__stderr__ = CappedStream(1, cap)  # type: ignore[misc]
    sys.stdin = sys.__stdin__ = io.StringIO()  # type: ignore[misc]
