"""A hostile machine (issue 13): a disk that fills up, two quick Ctrl-C's.

Each test runs the real ``most-archive crawl`` in a subprocess against the replica.
"""

from __future__ import annotations

import resource
import signal
import subprocess
import time
from pathlib import Path

import pytest

from replica.testing import running_replica
from tests.e2e.support import ROOT, crawl_cmd, query

from .test_crash_and_lock import _wait_for

pytestmark = pytest.mark.e2e

DISK_BYTES = 1_500_000  # the largest file the crawl may write: the "disk" fills up at once


def _small_disk() -> None:
    # Files cannot grow past DISK_BYTES: writes fail with EFBIG, as on a full disk (Python
    # ignores SIGXFSZ, so the write fails instead of killing the process).
    resource.setrlimit(resource.RLIMIT_FSIZE, (DISK_BYTES, DISK_BYTES))


def test_storage_failures_fail_the_run_and_stop_it_early(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    # answers 10 ms late, as a real server's are later still: the reactor fetches far faster
    # than the writer stores, so on a server answering at once the whole crawl is fetched before
    # the first failed commit is known, however early the crawl then stops
    with running_replica(articles=120, seed=13, faults={"latency_ms": 10}) as rep:
        result = subprocess.run(
            crawl_cmd(rep.base_url, db),
            capture_output=True,
            text=True,
            timeout=120,
            cwd=ROOT,
            preexec_fn=_small_disk,
        )
        articles = sum(1 for r in rep.requests() if r["path"].startswith("/vn/tin-tuc/"))
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "storage failed" in result.stderr
    # stopped early: far fewer article pages than a whole crawl's 120. (Counted in article
    # pages: a whole crawl answers about 630 requests, most of them images; the crawl commits
    # many items at a time, writing less per article, so the small disk fills after more of
    # them than when each article was a commit of its own.)
    assert articles < 60, articles
    rows = query(db, "SELECT outcome, counts_json FROM runs")
    assert [r[0] for r in rows] == ["failed"], rows
    assert '"storage_errors": ' in rows[0][1]


@pytest.mark.parametrize("signals", [1, 2])
def test_two_quick_signals_end_the_crawl_promptly_as_interrupted(
    tmp_path: Path, signals: int
) -> None:
    """One Ctrl-C stops the crawl cleanly; a quick second one forces the end: the outcome is
    still recorded as ``interrupted``, and the process exits at once (no thread left to keep
    it alive)."""
    db = tmp_path / "a.db"
    with running_replica(articles=150, seed=4, faults={"latency_ms": 30}) as rep:
        proc = subprocess.Popen(
            crawl_cmd(rep.base_url, db),
            cwd=ROOT,
            text=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for(proc, db, 3)
            proc.send_signal(signal.SIGINT)
            if signals == 2:
                time.sleep(0.05)  # a quick second Ctrl-C, while the first is being honoured
                proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=30)  # a hang fails here
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    assert query(db, "SELECT outcome FROM runs") == [("interrupted",)], stderr[-2000:]
