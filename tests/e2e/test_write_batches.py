"""The crawl stores many items per transaction (archive.batch.BatchWriter): what a kill, a
SIGTERM and a second signal do to the transaction that is open at that moment.

Each crawl here is made to hold everything it stores in one open transaction (batch limits
far beyond the crawl: ``ARCHIVE_BATCH_*``), so the signal always finds a batch open.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from replica.testing import ReplicaHandle, running_replica

from .support import ROOT, compare_with_truth, crawl, crawl_cmd, export, query

pytestmark = pytest.mark.e2e

ONE_BATCH = (
    "-s",
    "ARCHIVE_BATCH_ITEMS=1000000",
    "-s",
    "ARCHIVE_BATCH_SECONDS=3600",
    "-s",
    "ARCHIVE_BATCH_IDLE_SECONDS=3600",
)
ARTICLE_PATH = "/vn/tin-tuc/"


def _count(db: Path, sql: str) -> int:
    return int(query(db, sql)[0][0])


def _articles_answered(rep: ReplicaHandle) -> set[str]:
    """The URLs of the article pages the replica has answered (200)."""
    return {
        rep.base_url + r["path"]
        for r in rep.requests()
        if r["path"].startswith(ARTICLE_PATH) and r["status"] == 200
    }


def _start(rep: ReplicaHandle, db: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        crawl_cmd(rep.base_url, db, *ONE_BATCH),
        cwd=ROOT,
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_for_answers(
    proc: subprocess.Popen[str], rep: ReplicaHandle, enough: Callable[[set[str]], bool]
) -> None:
    """Poll until the article pages the replica has answered are ``enough`` (a safety limit,
    not a timing)."""
    deadline = time.monotonic() + 120
    while not enough(_articles_answered(rep)):
        assert proc.poll() is None, "the crawl ended before the test could interrupt it"
        assert time.monotonic() < deadline, "the crawl made no progress"
        time.sleep(0.05)


def test_a_kill_during_an_open_batch_loses_nothing_and_resolves_nothing_early(
    tmp_path: Path,
) -> None:
    """Run 1 leaves fetch errors; run 2 re-fetches those pages successfully inside a batch that
    a kill -9 takes with it: no error may be resolved, no article stored, no page kept. Run 3
    gets everything and resolves every error."""
    db = tmp_path / "a.db"
    failing = {
        "error_rate": 0.3,
        "retry_after": False,  # no Retry-After to wait for: the retries fail at once
        "sticky_requests": 1000,
        "path_pattern": r"^/vn/tin-tuc/",
    }
    with running_replica(articles=30, seed=6, faults=failing) as rep:
        first = crawl(rep.base_url, db, "-s", "RETRY_ENABLED=0")  # the errors, without waiting
        assert first.returncode == 1, first.stderr[-2000:]  # partial: the failing articles
        open_errors = _count(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL")
        stored = _count(db, "SELECT count(*) FROM articles")
        pages = _count(db, "SELECT count(*) FROM raw_pages")
        assert open_errors > 0 and 0 < stored < 30, (open_errors, stored)

        errored = {u for (u,) in query(db, "SELECT url FROM fetch_errors")}
        rep.set_faults({"latency_ms": 40})  # no more errors; a crawl slow enough to kill
        rep.reset_requests()
        proc = _start(rep, db)
        try:
            _wait_for_answers(proc, rep, lambda urls: errored <= urls)  # the errored pages
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        # Everything run 2 did was in its one open transaction: gone, and no mark of it left.
        assert _count(db, "SELECT count(*) FROM articles") == stored
        assert _count(db, "SELECT count(*) FROM raw_pages") == pages
        assert (
            _count(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL") == open_errors
        )
        assert query(db, "SELECT outcome FROM runs ORDER BY id")[1:] == [("running",)]

        rep.set_faults(None)  # the kill is done: the last run needs no slow answers
        third = crawl(rep.base_url, db)
        assert third.returncode == 0, third.stderr[-3000:]
        problems = compare_with_truth(export(db), rep.site, rep.base_url)
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    assert _count(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL") == 0
    assert [o for (o,) in query(db, "SELECT outcome FROM runs ORDER BY id")] == [
        "partial",
        "died",
        "ok",
    ]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


@pytest.mark.parametrize("signals", [1, 2])
def test_sigterm_with_an_open_batch_ends_cleanly_and_records_the_outcome(
    tmp_path: Path, signals: int
) -> None:
    """One SIGTERM: the crawl closes, its open batch is committed, then the outcome written.
    A quick second one: what is written is committed at once (what was queued is dropped) and
    the outcome is still written promptly: it never waits for the writer's lock."""
    db = tmp_path / "a.db"
    with running_replica(articles=150, seed=4, faults={"latency_ms": 20}) as rep:
        proc = _start(rep, db)
        try:
            _wait_for_answers(proc, rep, lambda urls: len(urls) >= 5)
            proc.send_signal(signal.SIGTERM)
            if signals == 2:
                proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=30)  # a hang (a lock never let go) fails here
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 1, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "could not record run" not in stderr, stderr[-3000:]
    assert query(db, "SELECT outcome FROM runs") == [("interrupted",)], stderr[-2000:]
    articles = _count(db, "SELECT count(*) FROM articles")
    if signals == 1:  # the open batch was committed on the way out, whole
        assert articles >= 5
    assert _count(db, "SELECT count(*) FROM articles_fts_docsize") == articles
    assert _count(db, "SELECT count(*) FROM revisions") == articles
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
