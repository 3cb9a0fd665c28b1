"""A crawl killed with SIGKILL part-way, and two crawls on one database (issue 4)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from replica.testing import running_replica

from .support import ROOT, compare_with_truth, crawl, crawl_cmd, export, query

pytestmark = pytest.mark.e2e


def _articles(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return int(query(db, "SELECT count(*) FROM articles")[0][0])
    except sqlite3.Error:  # the schema may not exist yet while the crawl starts
        return 0


def _wait_for(proc: subprocess.Popen[str], db: Path, articles: int, limit: float = 120) -> None:
    """Poll until the archive holds ``articles`` articles (a safety limit, not an assertion)."""
    deadline = time.monotonic() + limit
    while _articles(db) < articles:
        assert proc.poll() is None, "the crawl ended before the test could interrupt it"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.05)


def test_sigkill_then_rerun_is_consistent_and_complete(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with running_replica(articles=60, seed=4, faults={"latency_ms": 4}) as rep:
        proc = subprocess.Popen(
            crawl_cmd(rep.base_url, db),
            cwd=ROOT,
            text=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for(proc, db, 15)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        partial = _articles(db)
        assert 15 <= partial < 60, f"killed too late to prove anything ({partial} articles)"
        assert query(db, "PRAGMA integrity_check") == [("ok",)]
        rep.set_faults(None)  # the kill is done: the re-run needs no slow answers
        result = crawl(rep.base_url, db)
        assert result.returncode == 0, result.stderr[-3000:]
        records = export(db)
        problems = compare_with_truth(records, rep.site, rep.base_url)
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []
    # no article without its images: every image row of the truth is there (compared above),
    # and the killed run is marked as dead by the next one
    outcomes = [o for (o,) in query(db, "SELECT outcome FROM runs ORDER BY id")]
    assert outcomes == ["died", "ok"]


def test_second_crawl_on_same_db_exits_75_at_once(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    # few articles, each answer slow: the first crawl lasts seconds but costs little CPU
    with running_replica(articles=30, seed=6, faults={"latency_ms": 60}) as rep:
        first = subprocess.Popen(
            crawl_cmd(rep.base_url, db),
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            _wait_for(first, db, 3)
            second = crawl(rep.base_url, db, timeout=60)
            still_running = first.poll() is None
            rep.set_faults(None)  # the lock is proven: the first crawl may end at full speed
        finally:
            _out, err = first.communicate(timeout=300)
        assert second.returncode == 75, second.stderr
        assert "lock" in second.stderr.lower()
        assert still_running, "the first crawl had ended: the test proves nothing"
        assert first.returncode == 0, err[-3000:]
        problems = compare_with_truth(export(db), rep.site, rep.base_url)
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    # the refused crawl left no run behind
    assert [o for (o,) in query(db, "SELECT outcome FROM runs")] == ["ok"]
