# Two commands on a fresh machine: `make lab` (set up, open JupyterLab on the first notebook)
# and `make test` (set up, run every test). Both create .venv on first use.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
# The torch range first, on its own: pip then takes the CPU wheel where one lies on disk,
# and an ordinary PyPI wheel elsewhere; `pip install -e .` afterwards leaves it alone.
TORCH   ?= torch>=2.2,<2.14

.PHONY: setup lab test bench clean

$(BIN)/tutor: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "$(TORCH)" numpy
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/tutor

setup: $(BIN)/tutor

# Jupyter refuses to run as root (containers, CI machines) unless told it may.
ROOT_OK := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(BIN)/jupyter lab $(ROOT_OK) notebooks/01_forward.ipynb

# Two test processes, each taking whole files (module fixtures such as one kernel per file stay shared): most
# tests wait on kernels, workers and JupyterLab, so two at a time on two cores nearly halve the wall time.
# tests/conftest.py hands the heaviest files out first and keeps the browser tests on one process.
test: setup
	$(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=25

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache
