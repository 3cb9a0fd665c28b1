"""mst.gov.vn crawls besides the 1,000-article one of test_mst_crawl.py (issue 11 point 3):
each zone-paging form alone reaches every article, and an incremental run adds a generation's
new articles and revises its edited ones. A file of their own, so that ``--dist loadfile`` runs
them beside the long crawl instead of after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.portals import mst
from replica.testing import running_mst_replica

from .support import crawl, export, month_later, mst_mismatches

pytestmark = [pytest.mark.e2e]


@pytest.mark.parametrize("paging", ["timelinelist", "trang", "timeline"])
def test_zone_paging_alone_reaches_every_article(tmp_path: Path, paging: str) -> None:
    """Without sitemaps and feeds, the zones' paging in whichever form the site serves finds
    every article, each zone's walk ending however the site answers past its last page."""
    db = tmp_path / "archive.db"
    off = ("-s", "ARCHIVE_DISCOVERY=False", "-s", "ARCHIVE_FETCH_FILES=False")
    # timelinelist answers only with its zone page as Referer, as the real CMS's AJAX call has it
    with running_mst_replica(articles=150, seed=5, paging=paging, timeline_referer=True) as rep:
        result = crawl(rep.base_url, db, *off)
        served = rep.requests()
        site = rep.site
    assert result.returncode == 0, result.stderr[-3000:]
    records = export(db)
    assert sorted(r["site_id"] for r in records) == sorted(site.article_ids())
    wrong = [
        r["site_id"]
        for r in records
        if sorted(r["categories"]) != sorted(site.truth(r["site_id"])["categories"])
    ]
    assert wrong == []
    paths = [r["path"] for r in served]
    assert not [p for p in paths if p.startswith(("/sitemap", "/rss/"))]
    form = {"timelinelist": "timeline", "trang": "static", "timeline": "timeline-trang"}[paging]
    tried = [
        p
        for p in paths
        if mst.listing_page_number(p) > 1 and mst.page_form(p).split("-short")[0] != form
    ]
    if paging == "timeline":  # tried after 2 others, for each zone's page 2 (asked at once)
        assert {mst.listing_page_number(p) for p in tried} <= {2}, tried
        assert len(tried) <= 2 * len(site.zones()), tried
    else:
        assert len(tried) <= 1, f"kept asking for the form the site does not serve: {tried}"


def test_next_generation_adds_new_articles_and_revises_edited_ones(tmp_path: Path) -> None:
    """Incremental runs on mst as on the other portal: new articles found from page 1 of the
    zones and the newest shard, edited ones revised through the re-check schedule (304 for the
    rest), every field equal to the new truth."""
    db = tmp_path / "archive.db"
    no_files = ("-s", "ARCHIVE_FETCH_FILES=False")
    with running_mst_replica(articles=120, seed=8) as rep:
        first = crawl(rep.base_url, db, *no_files)
        assert first.returncode == 0, first.stderr[-3000:]
        before_site = rep.site
        before = {r["site_id"]: r for r in export(db)}
        rep.set_generation(1)
        after_site = rep.site
        new_ids = set(after_site.article_ids()) - set(before_site.article_ids())
        edited = {
            i
            for i in before_site.article_ids()
            if i in set(after_site.article_ids()) and before_site.truth(i) != after_site.truth(i)
        }
        assert new_ids and edited, "the replica's generation changed nothing"
        second = crawl(rep.base_url, db, *no_files, "-s", f"ARCHIVE_RECHECK_AT={month_later()}")
        served = rep.requests()
    assert second.returncode == 0, second.stderr[-3000:]
    after = {r["site_id"]: r for r in export(db)}
    assert set(after) - set(before) == new_ids
    problems = {
        i: bad
        for i, r in after.items()
        if i in set(after_site.article_ids()) and (bad := mst_mismatches(r, after_site.truth(i)))
    }
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    revised = {i for i, r in after.items() if r["revision"] == 2}
    assert revised == edited
    assert [r for r in served if r["status"] == 304], "no conditional request was answered 304"
