"""SharePoint listing pages the site sends to its home page (a 302 to ``/``), as a CMS does with
a page it will not serve for the moment: each is a failure recorded under the listing page's own
URL, and the next run walks on from it, so no category's older articles are left out. (An mst
zone page past the first sent home is read as the zone's end: docs/crawling.md says why.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from replica.testing import running_replica
from tests.e2e.support import crawl, query

pytestmark = pytest.mark.e2e

NO_FILES = ("-s", "ARCHIVE_FETCH_FILES=False")  # (images and attachments: not what this counts)


def test_listing_pages_sent_home_are_walked_on_by_the_next_run(tmp_path: Path) -> None:
    """Every category's third page answers with a redirect to the home page during the first
    run. That run fails each of them under its own URL (exit 1); the next run, the site well
    again, asks them again and walks on to the categories' ends. (On main one failure was
    recorded, under the home page's URL: the other redirects to the home page, already fetched,
    were dropped as duplicates without a word. The next run said ok, exit 0, and stopped at
    every category's first page: 85 of 200 articles were never archived.)"""
    db = tmp_path / "a.db"
    sent_home = {"home_redirect_rate": 1.0, "path_pattern": r"[?&]page=3\b"}
    with running_replica(articles=200, seed=2, faults=sent_home) as rep:
        first = crawl(rep.base_url, db, *NO_FILES)
        third_pages = sorted({r["path"] for r in rep.requests() if "page=3" in r["path"]})
        assert third_pages, "no category has a third page: the test proves nothing"
        assert first.returncode == 1, first.stderr[-2000:]
        failed = query(db, "SELECT url FROM fetch_errors WHERE resolved_at IS NULL")
        assert sorted(u.split("/", 3)[3] for (u,) in failed) == [p[1:] for p in third_pages]
        rep.set_faults(None)
        second = crawl(rep.base_url, db, *NO_FILES)
        truth = set(rep.site.article_ids())
    assert second.returncode == 0, second.stderr[-2000:]
    archived = {row[0] for row in query(db, "SELECT site_id FROM articles")}
    missing = truth - archived
    assert not missing, f"{len(missing)} of {len(truth)} articles never archived"
