"""The gradebook says what the notebook says: `tutor grade` and `tutor.check` agree on every learner file."""
from __future__ import annotations

from pathlib import Path

import pytest
from gradehelp import FAST, ROOT, by_key, read_csv, tutor

import tutor as tutor_pkg

LEARNERS = ROOT / "tests" / "learners"
FILES = sorted(LEARNERS.glob("*/*.py"))


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """`tutor grade` over the whole learner corpus (.py submissions), once."""
    out = tmp_path_factory.mktemp("parity")
    proc = tutor("grade", str(LEARNERS), "--out", str(out), *FAST)
    assert proc.returncode == 0, proc.stderr
    return by_key(read_csv(out / "gradebook.csv"))


@pytest.mark.skipif(not FILES, reason="no learner corpus")
def test_grade_and_check_agree_on_every_learner_file(gradebook):
    disagree = []
    for path in FILES:
        exercise = path.parent.name
        row = gradebook[(path.relative_to(LEARNERS).as_posix(), exercise)]
        report = tutor_pkg.check(exercise, Path(path).read_text())
        if (row["passed"] == "1", row["codes"]) != (report.passed, " ".join(report.codes)):
            disagree.append((path.name, row["passed"], row["codes"], report.passed, report.codes))
    assert disagree == []
    assert len(FILES) > 40 and {r["passed"] for r in gradebook.values()} == {"0", "1"}
