"""A body that did not arrive whole is a failed fetch, retried by the next run, never stored
(issue 13, point 8). The replica cuts pages in half and frames them three ways."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from replica.testing import running_replica

from .support import crawl, query

pytestmark = pytest.mark.e2e

# A body short of its Content-Length (replica fault "truncate") already failed as data loss
# (DOWNLOAD_FAIL_ON_DATALOSS); the reliability fault table keeps checking it.
FRAMINGS: dict[str, dict[str, Any]] = {
    # the backend cut the page: a Content-Length of the half
    "cut, framed as whole": {"cut_rate": 1.0},
    # no Content-Length: the connection's close ends the body (Scrapy flags it "partial")
    "cut, close-delimited": {"cut_rate": 1.0, "cut_close_delimited": True},
}


@pytest.mark.parametrize("framing", list(FRAMINGS))
def test_truncated_pages_are_failed_fetches_retried_next_run(tmp_path: Path, framing: str) -> None:
    db = tmp_path / "a.db"
    # article pages are cut on their first two requests only
    faults = {**FRAMINGS[framing], "sticky_requests": 2, "path_pattern": r"^/vn/tin-tuc/"}
    with running_replica(articles=30, seed=8, faults=faults) as rep:
        first = crawl(
            rep.base_url,
            db,
            "-s",
            "RETRY_TIMES=1",
            "-s",
            "ARCHIVE_FETCH_FILES=0",
            "-s",
            "ARCHIVE_DISCOVERY=0",
        )
        assert first.returncode == 1, first.stderr[-2000:]
        assert query(db, "SELECT count(*) FROM articles") == [(0,)], "a cut page was stored"
        errors = query(db, "SELECT kind, reason FROM fetch_errors WHERE resolved_at IS NULL")
        assert {k for k, _ in errors} == {"article"}, errors
        assert all("truncated" in r or "loss" in r.lower() for _, r in errors), errors
        second = crawl(rep.base_url, db, "-s", "ARCHIVE_FETCH_FILES=0", "-s", "ARCHIVE_DISCOVERY=0")
        assert second.returncode == 0, second.stderr[-2000:]
        total = len(rep.site.article_ids())
    assert query(db, "SELECT count(*) FROM articles") == [(total,)]
    assert query(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL") == [(0,)]


def test_a_home_page_cut_short_is_retried_and_resolved_next_run(tmp_path: Path) -> None:
    """The home page's failure is recorded like any listing's, and resolved once it answers."""
    db = tmp_path / "a.db"
    faults = {"cut_rate": 1.0, "path_pattern": r"^/vn/Pages/Trangchu"}
    quiet = ("-s", "ARCHIVE_FETCH_FILES=0", "-s", "ARCHIVE_DISCOVERY=0")
    with running_replica(articles=6, seed=8, faults=faults) as rep:
        first = crawl(rep.base_url, db, "-s", "RETRY_TIMES=1", *quiet)
        assert first.returncode == 1, first.stderr[-2000:]
        errors = query(db, "SELECT kind, reason FROM fetch_errors WHERE resolved_at IS NULL")
        assert "listing" in {k for k, _ in errors}, errors
        assert all("truncated" in reason for _, reason in errors), errors
        rep.set_faults(None)  # the home page answers whole again
        second = crawl(rep.base_url, db, *quiet)
    assert second.returncode == 0, second.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL") == [(0,)]
