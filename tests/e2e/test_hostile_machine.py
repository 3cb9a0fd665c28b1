"""A hostile machine (issue 13): a disk that fills up, two quick Ctrl-C's.

Each test runs the real ``most-archive crawl`` in a subprocess against the replica.
"""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

from replica.testing import running_replica
from tests.e2e.support import ROOT, crawl_cmd, query

DISK_BYTES = 1_500_000  # the largest file the crawl may write: the "disk" fills up at once


def _small_disk() -> None:
    # Files cannot grow past DISK_BYTES: writes fail with EFBIG, as on a full disk (Python
    # ignores SIGXFSZ, so the write fails instead of killing the process).
    resource.setrlimit(resource.RLIMIT_FSIZE, (DISK_BYTES, DISK_BYTES))


def test_storage_failures_fail_the_run_and_stop_it_early(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with running_replica(articles=120, seed=13) as rep:
        result = subprocess.run(
            crawl_cmd(rep.base_url, db), capture_output=True, text=True, timeout=120,
            cwd=ROOT, preexec_fn=_small_disk,
        )  # fmt: skip
        answered = len(rep.requests())
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "storage failed" in result.stderr
    # stopped early: far fewer requests than a whole crawl (120 articles + files + listings)
    assert answered < 120, answered
    rows = query(db, "SELECT outcome, counts_json FROM runs")
    assert [r[0] for r in rows] == ["failed"], rows
    assert '"storage_errors": ' in rows[0][1]
