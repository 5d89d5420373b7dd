"""Build Gradescope's autograder zip: setup.sh and run_autograder at its root, the tutor package beside them."""
from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .autograder import ASSIGNMENT, CONFIG

DISTRIBUTION = "backprop-tutor"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (choose its Ubuntu 22.04 or later
# base image: tutor needs Python 3.10+). It installs a CPU-only torch (PyPI's default torch pulls in gigabytes
# of CUDA libraries a grader never uses) and the tutor package bundled beside this file into a virtual
# environment of their own, which run_autograder uses. TUTOR_SKIP_INSTALL=1 skips it all (to try the
# autograder on a machine that already has tutor and torch).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
VENV="${AUTOGRADER_ROOT:-/autograder}/tutor-venv"
if [ "${TUTOR_SKIP_INSTALL:-0}" = 1 ]; then
    echo "setup.sh: TUTOR_SKIP_INSTALL=1: nothing installed"
    exit 0
fi
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-venv python3-pip
fi
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))'; then
    echo "setup.sh: tutor needs Python 3.10 or later, this image has $(python3 --version 2>&1);" \
         "choose Gradescope's Ubuntu 22.04 (or later) base image" >&2
    exit 1
fi
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --upgrade pip
"$VENV/bin/python" -m pip install "{torch}" --index-url {index}
"$VENV/bin/python" -m pip install "$HERE/package"
"$VENV/bin/python" -c "import torch, tutor.grade.engine; print('setup.sh: tutor ready, torch', torch.__version__)"
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission, from /autograder: it grades the notebook (or .py file) in
# $AUTOGRADER_ROOT/submission and writes $AUTOGRADER_ROOT/results/results.json. AUTOGRADER_ROOT defaults to
# /autograder; set it to try the autograder elsewhere (the zip unpacked in $AUTOGRADER_ROOT/source).
set -u
ROOT="${AUTOGRADER_ROOT:-/autograder}"
PY="$ROOT/tutor-venv/bin/python"  # made by setup.sh
[ -x "$PY" ] || PY=python3
# The bundled package comes first, so what grades is exactly what the zip carries.
export PYTHONPATH="$ROOT/source/package${PYTHONPATH:+:$PYTHONPATH}"
exec "$PY" -m tutor.gradescope.autograder "$ROOT"
"""

PYPROJECT = """[build-system]
requires = ["hatchling>=1.18"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "{version}"
requires-python = ">=3.10"
dependencies = {dependencies}

[project.scripts]
tutor = "tutor.cli:main"

[tool.hatch.build.targets.wheel]
packages = ["tutor"]
"""


@dataclass
class AutograderConfig:
    """What the zip's run_autograder grades with."""

    exercises: list[str]
    points: dict[str, float]
    limits: dict[str, float] = field(default_factory=lambda: {"time": 20.0, "cpu": 5.0, "memory": 96})
    partial: bool = False
    visibility: str = "visible"
    unsafe: bool = True  # Gradescope's container is the sandbox (see autograder.grade_argv)

    def to_json(self) -> str:
        """The zip's tutor-autograder.json."""
        return json.dumps(self.__dict__, indent=1)


def requirements() -> tuple[str, list[str], str]:
    """(version, runtime dependencies, torch requirement) of the tutor package that is running: from its
    checkout's pyproject.toml when it runs from one (an editable install's metadata can be older), else from the
    installed distribution's metadata."""
    from importlib.metadata import PackageNotFoundError, requires, version

    import tutor

    project = _checkout_project(Path(tutor.__file__).resolve().parent.parent / "pyproject.toml")
    try:
        if project:
            ver, deps = str(project["version"]), list(project["dependencies"])
        else:
            ver, deps = version(DISTRIBUTION), [r for r in requires(DISTRIBUTION) or [] if "extra ==" not in r]
    except PackageNotFoundError:  # run from a source tree that was never installed
        ver, deps = "0", ["torch", "numpy", "matplotlib", "ipywidgets", "ipython", "nbformat"]
    torch = next((d for d in deps if re.match(r"torch\b", d)), "torch")
    return ver, deps, torch.replace(" ", "")


def _checkout_project(path: Path) -> dict | None:
    """The [project] table of the checkout's pyproject.toml, when it is tutor's."""
    try:
        import tomllib
    except ImportError:  # Python 3.10: the same parser, from PyPI (a dependency there)
        import tomli as tomllib
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return project if project.get("name") == DISTRIBUTION and "dependencies" in project else None


def package_files() -> list[tuple[Path, str]]:
    """(file, path in the zip) for every file of the tutor package (no caches)."""
    import tutor

    pkg = Path(tutor.__file__).resolve().parent
    return [(f, f"package/tutor/{f.relative_to(pkg).as_posix()}") for f in sorted(pkg.rglob("*"))
            if f.is_file() and "__pycache__" not in f.parts and f.suffix not in (".pyc", ".pyo")]


def _add(z: zipfile.ZipFile, name: str, data: bytes | str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    z.writestr(info, data)


def write_zip(out: Path, assignment: Path, config: AutograderConfig) -> list[str]:
    """Write the autograder zip; returns the names it holds."""
    ver, deps, torch = requirements()
    pyproject = PYPROJECT.format(name=DISTRIBUTION, version=ver, dependencies=json.dumps(deps))
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w") as z:
        _add(z, "setup.sh", SETUP_SH.replace("{torch}", torch).replace("{index}", CPU_INDEX), executable=True)
        _add(z, "run_autograder", RUN_AUTOGRADER, executable=True)
        _add(z, ASSIGNMENT, assignment.read_bytes())
        _add(z, CONFIG, config.to_json())
        _add(z, "package/pyproject.toml", pyproject)
        for f, name in package_files():
            _add(z, name, f.read_bytes())
        names = z.namelist()
    tmp.replace(out)
    return names
