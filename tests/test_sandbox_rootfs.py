"""The minimal filesystem view of a run: no copy of the tutor package (its lesson file holds the solutions), the one
imported or any other on Python's path; and what the worker's probe reads of a run without /proc."""
from __future__ import annotations

import sys
from pathlib import Path

from tutor.sandbox.rootfs import covered, package_dir, python_roots


def _copy_of_tutor(folder: Path) -> Path:
    (folder / "tutor").mkdir(parents=True)
    (folder / "tutor" / "lesson.py").write_text("def lin_grad(inp, out, w, b): ...\n")
    return folder


def test_another_checkout_on_the_path_is_left_out_of_the_view(tmp_path, monkeypatch) -> None:
    checkout = _copy_of_tutor(tmp_path / "other-checkout")  # e.g. an editable install's .pth, or PYTHONPATH
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setattr(sys, "path", [*sys.path, str(checkout), str(plain)])
    roots = python_roots(package_dir())
    assert str(plain.resolve()) in roots
    assert not any(str(checkout.resolve()).startswith(r) for r in roots), roots


def test_a_copy_inside_an_installed_folder_is_covered(tmp_path) -> None:
    site = _copy_of_tutor(tmp_path / "lib" / "site-packages")
    assert covered(package_dir(), [str(site)]) == [str(site / "tutor")]
    assert covered(package_dir(), [str(tmp_path / "elsewhere")]) == []


def test_capabilities_are_read_from_the_kernel_as_proc_shows_them() -> None:
    """The worker's probe reads a run's capabilities with capget/prctl (a run's /proc is covered): the same as
    /proc/self/status says, here."""
    from tutor.sandbox.namespaces import capabilities

    fields = ("CapEff", "CapPrm", "CapBnd", "CapAmb", "NoNewPrivs")
    with open("/proc/self/status") as fh:
        shown = {k: int(v.strip(), 16 if k != "NoNewPrivs" else 10) for k, v in (ln.split(":", 1) for ln in fh)
                 if k in fields}
    assert capabilities() == shown
