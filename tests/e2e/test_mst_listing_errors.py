"""A later page of an mst zone that failed is asked again by the next run, and its error closed.

Found by `make reliability` (mst: offsite redirects): a timeline page whose first answer was an
offsite redirect stayed an open error for ever, because the next run's walk may reach the
zone's later pages by the other paging form (`/{zone}/trang-{n}.htm`) and only zone pages were
retried.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from replica.testing import running_mst_replica

from .support import crawl

pytestmark = [pytest.mark.e2e]

QUIET = ("-s", "ARCHIVE_FETCH_FILES=0", "-s", "ARCHIVE_DISCOVERY=0")


def _open_listing_errors(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT url FROM fetch_errors WHERE kind = 'listing' AND resolved_at IS NULL"
        ).fetchall()
    return [r[0] for r in rows]


def test_a_failed_timeline_page_is_retried_and_resolved(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    faults = {
        "offsite_redirect_rate": 1.0,
        "path_pattern": r"^/timelinelist/",
        "sticky_requests": 1,
    }
    with running_mst_replica(articles=60, seed=3, faults=faults) as rep:
        first = crawl(rep.base_url, db, *QUIET)
        failed = [u for u in _open_listing_errors(db) if "/timelinelist/" in u]
        assert failed, first.stderr[-2000:]  # the fault really hit a timeline page
        second = crawl(rep.base_url, db, *QUIET)
        assert second.returncode == 0, second.stderr[-2000:]
        offsite = rep.offsite_requests()
    assert offsite == [], f"an offsite redirect was followed: {offsite}"
    assert _open_listing_errors(db) == [], second.stderr[-2000:]
