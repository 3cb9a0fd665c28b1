"""A site that never answers is its own outcome, ``unreachable``: one clear line, no traceback
(issue 13, point 10)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from .support import crawl, query

pytestmark = pytest.mark.e2e


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again: connections are refused


def test_an_unreachable_site_is_its_own_outcome(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    site = f"http://127.0.0.1:{_closed_port()}"
    # each refused try costs Twisted's 0.3 s connection-attempt delay: one retry, not five
    done = crawl(site, db, "-s", "RETRY_TIMES=1")
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    unreachable = [line for line in done.stderr.splitlines() if "unreachable" in line]
    assert len(unreachable) == 2, done.stderr  # the log line and the summary's first line
    assert f"{site} is unreachable" in unreachable[0]
    assert query(db, "SELECT outcome FROM runs") == [("unreachable",)]
    errors = [line for line in done.stderr.splitlines() if " ERROR: " in line]
    assert errors == [], errors


def test_a_root_that_redirected_offsite_is_resolved_once_it_answers(tmp_path: Path) -> None:
    """The root page redirected out of the site in one run; the next run, where it answers,
    resolves that error and adds no other (the root is no category listing to retry)."""
    from replica.testing import running_replica

    db = tmp_path / "a.db"
    quiet = ("-s", "ARCHIVE_FETCH_FILES=0", "-s", "ARCHIVE_DISCOVERY=0")
    faults = {"offsite_redirect_rate": 1.0, "path_pattern": r"^/$"}
    with running_replica(articles=6, seed=8, faults=faults) as rep:
        first = crawl(rep.base_url, db, *quiet)
        assert first.returncode == 1, first.stderr[-2000:]
        rep.set_faults(None)
        second = crawl(rep.base_url, db, *quiet)
        offsite = rep.offsite_requests()
        redirects = [r for r in rep.requests() if r["status"] == 302]
    assert redirects, "the replica sent no offsite redirect: the test proves nothing"
    assert offsite == [], f"the offsite redirect was followed: {offsite}"
    assert second.returncode == 0, second.stderr[-2000:]
    assert query(db, "SELECT url, reason FROM fetch_errors WHERE resolved_at IS NULL") == []


def test_an_unreachable_site_keeps_the_walk_an_earlier_run_left(tmp_path: Path) -> None:
    """A backfill over several time-limited runs (``--max-duration``) meets an hour the site is
    down: the frontier the last run left is kept for the run after it, not forgotten as if the
    walk had been completed (it was: the next run began the whole walk again)."""
    from archive.db import open_archive
    from archive.runlog import FrontierEntry, save_frontier

    db = tmp_path / "a.db"
    site = f"http://127.0.0.1:{_closed_port()}"
    left = FrontierEntry(
        "listing",
        f"{site}/vn/chuyen-muc/1/x.aspx?page=7",
        '{"callback": "parse_listing", "errback": "failed", "priority": 50, "meta": '
        '{"kind": "listing", "category_id": 1, "page": 7, "known_streak": 0}}',
    )
    archive = open_archive(db)
    try:
        save_frontier(archive, site, [left], run_id=None)
    finally:
        archive.close()
    done = crawl(site, db, "-s", "RETRY_TIMES=0")
    assert done.returncode == 1, done.stderr[-2000:]
    assert query(db, "SELECT outcome FROM runs") == [("unreachable",)]
    assert query(db, "SELECT site, url FROM walk_frontier") == [(site, left.url)]
