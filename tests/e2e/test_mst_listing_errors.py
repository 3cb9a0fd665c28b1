"""A later page of an mst zone that failed is asked again by the next run, and its error closed.

Found by `make reliability` (mst: offsite redirects): a timeline page whose first answer was an
offsite redirect stayed an open error for ever, because the next run's walk may reach the
zone's later pages by the other paging form (`/{zone}/trang-{n}.htm`) and only zone pages were
retried.

With discovery on, a zone's articles past its failed page are archived all the same, found by
the sitemap, but without the zone's link: the next run's walk from the retried page goes on past
pages of such articles (it stopped at the first, as at pages of archived articles, and they were
never linked to the zone).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from replica.mst.site import MstSite
from replica.testing import running_mst_replica

from .support import crawl, query

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


def _unlinked(site: MstSite, db: Path) -> list[tuple[int, int]]:
    """(article, zone) links of the replica's zone listings the archive lacks."""
    linked = set(query(db, "SELECT site_id, category_id FROM article_categories"))
    return [
        (site_id, zone["id"])
        for zone in site.zones()
        for page in range(1, zone["last_page"] + 1)
        for site_id in site.listing_ids(zone["slug"], page)
        if (site_id, zone["id"]) not in linked
    ]


def test_articles_the_sitemap_found_past_a_failed_page_get_their_zone(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    zone = "khoa-hoc-va-cong-nghe"  # zone 19711: four pages of articles on this replica
    faults = {  # its page 2, in either form, fails for one run (503 through every retry)
        "error_rate": 1.0,
        "path_pattern": rf"^/(timelinelist/19711/2|tin-tuc-su-kien/{zone}/trang-2)\.htm$",
        "sticky_requests": 6,
        "retry_after": False,
    }
    with running_mst_replica(articles=150, seed=3, faults=faults) as rep:
        assert rep.site.last_page(zone) >= 3
        first = crawl(rep.base_url, db, "-s", "ARCHIVE_FETCH_FILES=0")
        assert first.returncode == 1 and _open_listing_errors(db), first.stderr[-2000:]
        assert _unlinked(rep.site, db), "every article linked after the failure: proves nothing"
        second = crawl(rep.base_url, db, "-s", "ARCHIVE_FETCH_FILES=0")
        assert second.returncode == 0, second.stderr[-2000:]
    assert _open_listing_errors(db) == []
    # on main: 12 of the zone's 52 articles never linked to it (its pages 3 and 4 not walked)
    assert _unlinked(rep.site, db) == [], second.stderr[-2000:]
