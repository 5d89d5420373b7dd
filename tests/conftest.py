"""How `make test` shares the files between its two test processes (pytest-xdist `--dist loadfile`).

xdist hands out files by number of tests, so the slow files with few tests (browser, notebooks, grading) came
last and one process could run alone at the end. Here the heaviest files go first (a process that finishes
early then takes the light ones), and the browser tests form one unit, so one JupyterLab and one Chromium serve
them all instead of one per file and process (their fixtures are package-scoped).
"""
from __future__ import annotations

import pytest

E2E = "tests/e2e"
# Rough seconds per file (or unit) on CI, from `--durations`; a file not listed counts as light. Only the order
# depends on these numbers: re-measure when a file gets much slower or faster.
SECONDS = {
    E2E: 200, "tests/grade/test_hostile.py": 130, "tests/grade/test_resume.py": 110,
    "tests/test_check_portable.py": 100, "tests/test_notebooks.py": 100, "tests/test_check_hostile.py": 80,
    "tests/grade/test_handins.py": 80, "tests/widgets/test_ipywidgets7.py": 75, "tests/test_cli.py": 65,
    "tests/grade/test_worker_killed.py": 60, "tests/grade/test_fail_closed.py": 55,
    "tests/grade/test_parity.py": 50, "tests/test_cli_cross_entropy.py": 45, "tests/test_render_html.py": 35,
    "tests/test_render_plots.py": 35, "tests/grade/test_gradescope.py": 35,
    "tests/test_notebook_cross_entropy.py": 30, "tests/test_checker_learners.py": 30,
    "tests/test_sandbox_spare.py": 30, "tests/grade/test_whole_model_grading.py": 30,
    "tests/grade/test_release.py": 25, "tests/grade/test_cross_entropy_grading.py": 20,
    "tests/grade/test_grade_cli.py": 20, "tests/grade/test_class_exports.py": 15,
    "tests/test_check_in_kernel.py": 15,
}


def unit(nodeid: str) -> str:
    """The work unit a test belongs to: its file, or the whole browser-test package."""
    path = nodeid.split("::", 1)[0]
    return E2E if path.startswith(E2E + "/") else path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Heaviest units first; the order within a file (and its module fixtures) is kept."""
    items.sort(key=lambda item: -SECONDS.get(unit(item.nodeid), 1))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """For `--dist loadfile`: units as `unit()` says, handed out in collection order (heaviest first)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class HeaviestFirst(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit(nodeid)

    config.option.loadscopereorder = False  # xdist would otherwise sort the units by their number of tests
    return HeaviestFirst(config, log)
