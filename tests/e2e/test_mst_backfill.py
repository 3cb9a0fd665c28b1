"""mst.gov.vn over a sequence of cron runs: a backfill continued from its frontier while the news
goes on (``--max-duration`` runs, docs/crawling.md "Long walks over several runs")."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archive.db import open_archive
from archive.runlog import save_frontier
from crawler.portals import mst
from crawler.spiders.frontier import to_entry
from crawler.spiders.most import MostSpider
from replica.testing import running_mst_replica
from tests.e2e.support import crawl, query

pytestmark = pytest.mark.e2e

ARTICLES = 250
SEED = 3
LOC = re.compile(r"<loc>([^<]+)</loc>")
NO_FILES = ("-s", "ARCHIVE_FETCH_FILES=False")  # (images and attachments: not what this counts)
LATER = 7  # generations between the runs: more than a page of news in the busiest zone


def test_a_resumed_zone_walk_reaches_the_end_after_more_than_a_page_of_news(
    tmp_path: Path,
) -> None:
    """A time-limited run left each zone's page 3 to the next run; before it, more than a
    page of news appeared in a zone, so that page now shows only articles the archive holds
    (pushed down from its first two pages). The walk from the frontier is a backfill: it goes
    on to the zone's end. (On main it stopped there, as an incremental run's re-check of the
    first pages does: 47 of the zone's older articles were never archived, and the walk was
    forgotten as complete.)"""
    db = tmp_path / "a.db"
    with running_mst_replica(articles=ARTICLES, seed=SEED) as rep:
        # the first run of a backfill, cut after each zone's second page (what a --max-duration
        # run that ran out of time there leaves), the sitemap and feeds not read
        first = crawl(
            rep.base_url, db, "--max-pages", "2", "-s", "ARCHIVE_DISCOVERY=False", *NO_FILES
        )
        assert first.returncode == 0, first.stderr[-2000:]
        spider = MostSpider(site=rep.base_url)  # its requests as that run made them:
        spider.early_stop = False  # the first run of a backfill stops no walk early
        left = []
        for zone in rep.site.zones():
            # the zone's next page in the form its page 2 answered in (the timeline fragment)
            page_2 = mst.timeline_url(rep.base_url, zone["id"], 2)
            third_page = mst.next_page_urls(page_2, zone["id"])
            request = spider.zone_request(
                third_page[0],
                zone_id=zone["id"],
                zone_url=zone["url"],
                name=zone["name"],
                page=3,
                known_streak=0,
                alternatives=tuple(third_page[1:]),
            )
            left.append(to_entry(request))
        archive = open_archive(db)
        try:
            save_frontier(archive, rep.base_url, left, run_id=1)
        finally:
            archive.close()
        before = rep.site
        rep.set_generation(LATER)
        pushed = [
            z
            for z in rep.site.zones()
            if set(rep.site.listing_ids(z["slug"], 3))
            <= set(before.listing_ids(z["slug"], 1) + before.listing_ids(z["slug"], 2))
        ]
        assert pushed, "no zone got a page of news: the test proves nothing"
        rep.reset_requests()
        second = crawl(rep.base_url, db, *NO_FILES)
        assert second.returncode == 0, second.stderr[-2000:]
        assert "going on from the last run's frontier" in second.stderr
        truth = set(rep.site.article_ids())
        with urllib.request.urlopen(rep.url("/sitemap.xml"), timeout=30) as answer:
            shards = {urlsplit(u).path for u in LOC.findall(answer.read().decode())}
        read = {r["path"] for r in rep.requests() if r["path"].startswith("/sitemaps/")}
    archived = {row[0] for row in query(db, "SELECT site_id FROM articles")}
    missing = truth - archived
    assert not missing, f"{len(missing)} articles never archived, e.g. {sorted(missing)[:3]}"
    assert query(db, "SELECT count(*) FROM walk_frontier") == [(0,)]
    # The first run's time ran out before its sitemap shards (they come after the listings):
    # the run that ends the backfill reads them all, as a first run does, for the articles only
    # the sitemap lists (zones outside the walked section; none on this replica). On main it
    # read the newest alone: such an article older than that shard was never archived.
    assert len(shards) > 1 and read == shards, sorted(shards - read)[:5]


def test_sitemap_shards_a_time_limit_left_unread_are_read_by_the_next_run(
    tmp_path: Path,
) -> None:
    """A run walks every zone, then reads the sitemap's shards (after the listings) until its
    time runs out. The shards it did not read are kept with the walk's frontier, and the next
    run, an incremental one that reads only the newest shard of its own, reads them: an article
    only the sitemap lists (a zone outside the walked section) is in one of them. (On main they
    were dropped with the run: the next run read the newest shard, and the older ones were
    never read again.)"""
    db = tmp_path / "a.db"
    # each shard's answer takes a second (the walk's pages none): a run of three seconds that
    # ends its walk still has shards unread (28 of them, a few at a time)
    slow_shards = {"drip_rate": 1.0, "drip_seconds": 1.0, "path_pattern": r"^/sitemaps/"}
    with running_mst_replica(articles=30, seed=SEED, faults=slow_shards) as rep:
        with urllib.request.urlopen(rep.url("/sitemap.xml"), timeout=30) as answer:
            shards = {urlsplit(u).path for u in LOC.findall(answer.read().decode())}
        # On a machine busy enough that the walk outlasts a run, the next run goes on with it
        # (a backfill); the case is the run whose walk ends in time, then its shards.
        for _ in range(4):
            rep.reset_requests()
            limited = crawl(rep.base_url, db, "--max-duration", "3", *NO_FILES)
            assert limited.returncode == 0, limited.stderr[-2000:]
            if "walk frontier kept for the next run: 0 listing pages" in limited.stderr:
                break
        else:
            pytest.fail("no run of 3 s ended its walk: the test proves nothing")
        read_then = {r["path"] for r in rep.requests() if r["path"].startswith("/sitemaps/")}
        assert read_then < shards, sorted(read_then)
        rep.set_faults(None)
        rep.reset_requests()
        second = crawl(rep.base_url, db, *NO_FILES)
        assert second.returncode == 0, second.stderr[-2000:]
        read_next = {r["path"] for r in rep.requests() if r["path"].startswith("/sitemaps/")}
    assert read_then | read_next == shards, sorted(shards - read_then - read_next)[:5]
    assert query(db, "SELECT count(*) FROM walk_frontier") == [(0,)]


def test_a_time_limited_run_keeps_the_articles_the_sitemap_found(tmp_path: Path) -> None:
    """The articles the sitemap (or a feed) finds are asked for once the listings are walked;
    a run whose time runs out first keeps them with its frontier, beside the shards it did not
    read. Here each zone's first page alone is walked, so most articles are the sitemap's:
    after the run, every article of the site is archived, kept to be fetched, or listed in a
    kept shard. (On main those of the shards read were dropped with the run.)"""
    db = tmp_path / "a.db"
    slow_shards = {"drip_rate": 1.0, "drip_seconds": 1.0, "path_pattern": r"^/sitemaps/"}
    with running_mst_replica(articles=120, seed=SEED, faults=slow_shards) as rep:
        first = crawl(rep.base_url, db, "--max-pages", "1", "--max-duration", "3", *NO_FILES)
        assert first.returncode == 0, first.stderr[-2000:]
        rep.set_faults(None)
        listed: dict[str, set[int]] = {}
        with urllib.request.urlopen(rep.url("/sitemap.xml"), timeout=30) as answer:
            for shard in LOC.findall(answer.read().decode()):
                with urllib.request.urlopen(shard, timeout=30) as page:
                    ids = {mst.article_id(u) for u in LOC.findall(page.read().decode())}
                listed[urlsplit(shard).path] = {i for i in ids if i is not None}
        truth = set(rep.site.article_ids())
    archived = {row[0] for row in query(db, "SELECT site_id FROM articles")}
    kept = query(db, "SELECT kind, url, site_id FROM walk_frontier")
    kept_articles = {site_id for kind, _, site_id in kept if kind == "article"}
    kept_shards = {urlsplit(url).path for kind, url, _ in kept if kind == "discovery"}
    in_kept_shards = set().union(*(listed[path] for path in kept_shards))
    lost = truth - archived - kept_articles - in_kept_shards
    assert not lost, f"{len(lost)} articles found and forgotten, e.g. {sorted(lost)[:3]}"
    assert kept_shards and kept_articles - archived, kept  # the case this test is about
