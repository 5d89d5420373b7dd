"""Fixtures for the end-to-end tests: a real JupyterLab server and Debian's headless Chromium.

The server runs from this venv on 127.0.0.1, on a free port, with no token, and with every
Jupyter / IPython / matplotlib / cache directory and ``$TUTOR_HOME`` inside one temporary
directory, so nothing is read from or written to ``$HOME``.  Its root dir is a temporary copy of
``notebooks/``.  Teardown stops the server and every kernel it started, whatever happened.

If Chromium (``/usr/bin/chromium``), the ``playwright`` package or ``jupyterlab`` is missing the
tests are skipped with the reason, unless ``TUTOR_REQUIRE_E2E=1`` (set by ``.ci/run``): then
they fail.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("TUTOR_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# Tall: JupyterLab scrolls inside its panels, and screenshots only show the viewport.
VIEWPORT = {"width": 1280, "height": 2000}
SERVER_START_TIMEOUT = 60.0


def _missing_or_skip(reason: str) -> None:
    """Skip, or fail when CI said the end-to-end tests must run."""
    if os.environ.get("TUTOR_REQUIRE_E2E") == "1":
        pytest.fail(f"TUTOR_REQUIRE_E2E=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------- server


@dataclass
class LabServer:
    """A running JupyterLab: where it listens, what it serves, where its state lives."""

    url: str
    root: Path  # the temporary copy of notebooks/ the server serves
    home: Path  # the temporary dir holding every config/data/runtime dir
    tutor_home: Path
    proc: subprocess.Popen
    log_path: Path
    marker: str  # a value in the server's (and so its kernels') environment
    kernel_pids: set[int] = field(default_factory=set)

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no server log)"

    def request(self, path: str, method: str = "GET") -> object:
        """A REST call with the _xsrf cookie echoed as X-XSRFToken (DELETE/POST need it)."""
        import http.cookiejar

        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(f"{self.url}/lab", timeout=10).read()
        xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
        req = urllib.request.Request(f"{self.url}{path}", method=method,
                                     headers={"X-XSRFToken": xsrf})
        body = opener.open(req, timeout=30).read()
        return json.loads(body) if body else None

    def shutdown_sessions(self) -> int:
        """Close every notebook session (and so its kernel) over REST."""
        sessions = self.request("/api/sessions")
        for s in sessions:
            self.request(f"/api/sessions/{s['id']}", method="DELETE")
        return len(sessions)

    def remember_kernels(self) -> None:
        """Note the pids of the server's kernels now, so teardown can end them even if orphaned."""
        self.kernel_pids |= set(_pids_with_marker(self.marker)) - {self.proc.pid}


def _pids_with_marker(marker: str) -> list[int]:
    """Processes whose environment carries our marker: the server and every kernel it started."""
    needle = f"TUTOR_E2E_MARKER={marker}".encode()
    pids = []
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else []:
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
        except OSError:
            continue
        if needle in env.split(b"\0"):
            pids.append(int(entry.name))
    return pids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie counts as gone
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return True


def _stop_server(server: LabServer) -> None:
    """SIGTERM the server (it shuts its kernels down), then SIGKILL anything of ours still alive."""
    try:
        server.remember_kernels()
    except Exception:
        pass
    proc = server.proc
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)
    # Kernels run in their own sessions (jupyter_client starts them with start_new_session),
    # so the process group does not reach them: end every process that carries our marker.
    leftovers = set(_pids_with_marker(server.marker)) | server.kernel_pids
    for pid in leftovers:
        if _alive(pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(p) for p in leftovers):
        time.sleep(0.05)


def _die_with_parent() -> None:
    """In the server's child process: get SIGTERM if pytest itself dies (even by SIGKILL).

    The kernels follow on their own: ipykernel exits when its parent (the server) is gone.
    """
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _write_lab_settings(config_dir: Path) -> None:
    """Turn off the news / update toast (it covers the bottom right of screenshots)."""
    d = config_dir / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    d.mkdir(parents=True, exist_ok=True)
    (d / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))


@pytest.fixture(scope="session")
def e2e_requirements() -> None:
    """Skip (or, under TUTOR_REQUIRE_E2E=1, fail) when the browser stack is missing."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _missing_or_skip(f"Chromium not found at {CHROMIUM} (install it: apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing_or_skip("the playwright Python package is not installed (pip install -e '.[dev]')")
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        _missing_or_skip("jupyterlab is not installed (pip install -e '.[dev]')")


# Package scope, not session: Playwright's sync API keeps an asyncio loop running while it is
# open (asyncio.run() then fails in every later test, e.g. nbclient's), and the server and its
# kernels have no business outliving the e2e tests.
@pytest.fixture(scope="package")
def lab_server(e2e_requirements, tmp_path_factory) -> LabServer:
    """A JupyterLab server on 127.0.0.1:<free port>, no token, all state in a temp dir."""
    home = tmp_path_factory.mktemp("lab")
    root = home / "notebooks"
    if NOTEBOOKS.is_dir():
        shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    else:
        root.mkdir()
    dirs = {name: home / name.lower() for name in (
        "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR",
        "MPLCONFIGDIR", "XDG_CACHE_HOME", "TUTOR_HOME")}
    for d in dirs.values():
        d.mkdir()
    _write_lab_settings(dirs["JUPYTER_CONFIG_DIR"])

    marker = uuid.uuid4().hex
    env = dict(os.environ)
    env.update({k: str(v) for k, v in dirs.items()})
    env.update({
        "TUTOR_E2E_MARKER": marker,
        "JUPYTER_PLATFORM_DIRS": "1",
        "PYTHONUNBUFFERED": "1",
        # the kernels must import this checkout's tutor even if it is not installed
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p),
    })
    env.pop("JUPYTER_PATH", None)
    env.pop("MPLBACKEND", None)

    port = _free_port()
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0",
           "--ServerApp.token=", "--ServerApp.password=",
           f"--ServerApp.root_dir={root}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log_path = home / "jupyter-server.log"
    log = open(log_path, "wb")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)
    url = f"http://127.0.0.1:{port}"
    server = LabServer(url=url, root=root, home=home, tutor_home=dirs["TUTOR_HOME"], proc=proc,
                       log_path=log_path, marker=marker)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{server.log_tail()}")
            try:
                with urllib.request.urlopen(f"{url}/api/status", timeout=2) as r:
                    if r.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"jupyter lab did not answer /api/status in "
                                   f"{SERVER_START_TIMEOUT:.0f}s:\n{server.log_tail()}")
            time.sleep(0.1)
        yield server
    finally:
        _stop_server(server)
        log.close()


# -------------------------------------------------------------------------------------- browser


@pytest.fixture(scope="package")
def browser(e2e_requirements):
    """Debian's Chromium, headless, driven by Playwright (never Playwright's own download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the item, so fixtures can screenshot failures."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)


@pytest.fixture
def page(browser, lab_server, request):
    """A fresh browser context and page; a screenshot lands in test-artifacts/ if the test fails."""
    context = browser.new_context(viewport=VIEWPORT)
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.console_errors = errors  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = request.node.name.replace("/", "_")
            try:
                pg.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"))
            except Exception:
                pass
            print(f"--- browser console errors ({len(errors)}) ---")
            print("\n".join(errors[-20:]))
            print("--- jupyter server log (tail) ---")
            print(lab_server.log_tail())
        try:
            lab_server.remember_kernels()
            lab_server.shutdown_sessions()
        except Exception:
            pass
        context.close()
