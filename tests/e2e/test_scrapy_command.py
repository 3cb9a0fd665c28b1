"""`scrapy crawl most` from the repository root works too (STYLE.md), and writes the same archive.

The pipeline takes the crawl lock and records the run itself when Scrapy is driven directly.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replica.testing import running_replica

from .support import ROOT, compare_with_truth, export, query, scrapy_crawl

pytestmark = pytest.mark.e2e


def test_scrapy_crawl_most_from_the_repo_root(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with running_replica(articles=50, seed=11) as rep:
        # the scrapy console script started from scratch, as a user runs it
        done = scrapy_crawl(db, site=rep.base_url, log_level="WARNING", fork=False)
        assert done.returncode == 0, done.stderr[-2000:]
        assert compare_with_truth(export(db), rep.site, rep.base_url) == {}
    assert query(db, "SELECT outcome FROM runs") == [("ok",)]


def test_scrapy_crawl_most_interrupted_records_interrupted(tmp_path: Path) -> None:
    """The pipeline's own run gets its outcome from crawler.outcome, with Scrapy's finish reason
    (known only after the pipelines closed): Ctrl-C is "interrupted", as under most-archive."""
    db = tmp_path / "archive.db"
    scrapy = Path(sys.executable).parent / "scrapy"
    with running_replica(articles=150, seed=4, faults={"latency_ms": 4}) as rep:
        proc = subprocess.Popen(
            [
                str(scrapy),
                "crawl",
                "most",
                "-a",
                f"site={rep.base_url}",
                "-s",
                f"ARCHIVE_DB={db}",
                "-s",
                "DOWNLOAD_DELAY=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=0",
                "-s",
                "LOG_LEVEL=WARNING",
            ],
            cwd=ROOT,
            text=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 120
            while _articles(db) < 5:
                assert proc.poll() is None, "the crawl ended before the test could interrupt it"
                assert time.monotonic() < deadline, "the crawl made no progress"
                time.sleep(0.05)
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert _articles(db) < 150, "interrupted too late to prove anything"
    assert query(db, "SELECT outcome FROM runs") == [("interrupted",)], stderr[-2000:]


def _articles(db: Path) -> int:
    try:
        return int(query(db, "SELECT count(*) FROM articles")[0][0]) if db.exists() else 0
    except sqlite3.Error:  # the schema may not exist yet while the crawl starts
        return 0
