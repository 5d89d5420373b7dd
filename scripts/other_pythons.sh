#!/usr/bin/env bash
# The core tests on the oldest and the newest Python that pyproject.toml claims (3.10 and 3.13).
#   scripts/other_pythons.sh prepare   # build their venvs in the background (CI: while the main suite runs)
#   scripts/other_pythons.sh test      # wait for them, run the core tests on each
# A Python that is not on this machine is said so, loudly, and not counted as a failure; a venv that cannot be
# built or a core test that fails is a failure. PyPI's torch for these Pythons is a CUDA build (~2.6 GB with its
# libraries); the CPU wheel on this machine's disk is for 3.11 only.
set -uo pipefail
cd "$(dirname "$0")/.."
VERSIONS="${TUTOR_PYTHONS:-3.10 3.13}"
ROOT="${TUTOR_PYTHONS_DIR:-.venvs}"
CORE="tests/test_check_api.py tests/test_cli.py tests/test_check_hostile.py tests/test_run_result.py tests/test_program.py"

find_python() {  # $1 = 3.10 → a python3.10 that runs: pyenv's own build first (its shims may refuse), else PATH
  local p
  for p in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$1".*/bin/python"$1" "$(command -v "python$1" 2>/dev/null)"; do
    if [ -n "$p" ] && [ -x "$p" ] && "$p" -c "import sys" >/dev/null 2>&1; then echo "$p"; return; fi
  done
}

prepare_one() {
  local v=$1 py venv=$ROOT/py$1
  py=$(find_python "$v") || true
  if [ -z "$py" ]; then echo "missing" > "$ROOT/py$v.status"; return; fi
  {
    "$py" -m venv "$venv" &&
    "$venv/bin/pip" install --quiet --upgrade pip &&
    "$venv/bin/pip" install --quiet "torch>=2.2,<2.14" numpy &&
    "$venv/bin/pip" install --quiet -e . pytest &&
    "$venv/bin/python" -c "import sys, torch; print(sys.version.split()[0], 'torch', torch.__version__)"
  } > "$ROOT/py$v.log" 2>&1 && echo "ready" > "$ROOT/py$v.status" || echo "failed" > "$ROOT/py$v.status"
}

case "${1:-}" in
  prepare)
    mkdir -p "$ROOT"
    for v in $VERSIONS; do
      rm -f "$ROOT/py$v.status"
      ( prepare_one "$v" ) &
    done
    ;;
  test)
    status=0
    for v in $VERSIONS; do  # the versions side by side (each run is mostly waiting on its sandbox children)
      until [ -f "$ROOT/py$v.status" ]; do sleep 5; done
      case "$(cat "$ROOT/py$v.status")" in
        missing) echo "=== Python $v: NOT FOUND on this machine: the core tests did not run on it ===" ;;
        failed) echo "=== Python $v: its venv could not be built ==="; tail -20 "$ROOT/py$v.log"; status=1 ;;
        ready)
          # shellcheck disable=SC2086
          "$ROOT/py$v/bin/python" -m pytest -q -p no:cacheprovider $CORE > "$ROOT/py$v.tests" 2>&1 &
          echo $! > "$ROOT/py$v.pid" ;;
      esac
    done
    for v in $VERSIONS; do
      [ -f "$ROOT/py$v.pid" ] || continue
      if wait "$(cat "$ROOT/py$v.pid")"; then result=passed; else result=FAILED; status=1; fi
      echo "=== Python $v ($(tail -1 "$ROOT/py$v.log")): core tests $result ==="
      tail -3 "$ROOT/py$v.tests"
      rm -f "$ROOT/py$v.pid"
    done
    exit $status
    ;;
  *) echo "usage: $0 prepare|test" >&2; exit 2 ;;
esac
