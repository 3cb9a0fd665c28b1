"""The session's shared crawl (``crawled``, tests/conftest.py) and its re-runs.

The first crawl must equal the replica's ground truth (issue 4); incremental re-runs (issue 6)
fetch new and edited articles only, and a no-change run costs a handful of requests. The tests
that use ``crawled`` live in this one file: ``make test`` sends a file to one worker
(``--dist loadfile``), so the crawl is made once.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive.db import open_archive
from archive.runlog import finish_run, start_run
from replica.site import Site

from .support import (
    FAR_FUTURE,
    Crawled,
    compare_with_truth,
    crawl,
    export,
    month_later,
    query,
    record_failed_article,
    show,
)

pytestmark = pytest.mark.e2e


def _edited(before: Site, after: Site) -> set[int]:
    return {i for i in before.article_ids() if before.truth(i) != after.truth(i)}


def test_full_crawl_matches_ground_truth(crawled: Crawled) -> None:
    """The session's shared crawl (``crawled``: 200 articles, ``most-archive crawl``)."""
    db, rep, result = crawled.db, crawled.replica, crawled.result
    records = export(db)
    problems = compare_with_truth(records, rep.site, rep.base_url)
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    assert len(records) == 200
    assert "articles new:       200" in result.stderr
    # the run is recorded with its counts
    runs = query(db, "SELECT outcome, articles_new, errors FROM runs")
    assert runs == [("ok", 200, 0)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


def test_next_generation_adds_new_and_revises_edited_only(crawled: Crawled, tmp_path: Path) -> None:
    """A copy of the session's shared crawl (generation 0), re-crawled at generation 1."""
    db = crawled.copy(tmp_path)
    rep = crawled.replica
    before_site = rep.site
    before = {r["site_id"]: r for r in export(db)}
    rep.set_generation(1)
    try:
        rep.reset_requests()
        after_site = rep.site
        new_ids = set(after_site.article_ids()) - set(before_site.article_ids())
        edited = _edited(before_site, after_site)
        assert new_ids and edited, "the replica's generation changed nothing"
        # every archived article is due (as if a month later): the re-check path is exercised,
        # conditionally for the articles whose interval is long
        second = crawl(rep.base_url, db, "-s", f"ARCHIVE_RECHECK_AT={month_later()}")
        assert second.returncode == 0, second.stderr[-3000:]
        served = rep.requests()
        after = {r["site_id"]: r for r in export(db)}
        problems = compare_with_truth(list(after.values()), after_site, rep.base_url)
        assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
        assert set(after) - set(before) == new_ids
        for site_id, record in after.items():
            expected = 2 if site_id in edited else 1
            assert record["revision"] == expected, (site_id, record["revision"])
            if site_id in before and site_id not in edited:
                moving = ("last_seen", "revision")
                same = {k: v for k, v in record.items() if k not in moving}
                was = {k: v for k, v in before[site_id].items() if k not in moving}
                assert same == was, site_id
        for site_id in edited:
            revisions = show(db, site_id)["revisions"]
            assert [r["revision"] for r in revisions] == [1, 2]
            assert revisions[0]["title"] == before_site.truth(site_id)["title"]
            assert revisions[0]["body"] == "\n\n".join(before_site.truth(site_id)["body"])
        assert [r for r in served if r["status"] == 304], "no conditional request was answered 304"
    finally:
        rep.set_generation(0)  # the replica is shared: put it back
    counts = query(db, "SELECT articles_new, articles_updated FROM runs ORDER BY id")
    assert counts[-1] == (len(new_ids), len(edited))


def test_validators_that_lie_delay_an_edit_but_never_hide_it(
    crawled: Crawled, tmp_path: Path
) -> None:
    """A copy of the session's shared crawl re-crawled at generation 1 behind a server (or a
    cache) that answers 304 to every conditional request of an article, changed or not. Long
    after the pages last came whole, the re-checks ask for the whole page: every edit is a
    revision. (Re-checks that always sent the validators were told "not modified" for good.)"""
    db = crawled.copy(tmp_path, files=False)
    rep = crawled.replica
    before_site = rep.site
    rep.set_generation(1)
    rep.set_faults({"stale_304_rate": 1.0})
    try:
        rep.reset_requests()
        edited = _edited(before_site, rep.site)
        assert edited, "the replica's generation changed nothing"
        second = crawl(
            rep.base_url,
            db,
            "-s",
            "ARCHIVE_FETCH_FILES=False",
            "-s",
            f"ARCHIVE_RECHECK_AT={FAR_FUTURE}",
        )
        assert second.returncode == 0, second.stderr[-3000:]
        served = rep.requests()
    finally:
        rep.set_faults(None)
        rep.set_generation(0)  # the replica is shared: put it back
    revisions = {r["site_id"]: r["revision"] for r in export(db)}
    assert {i for i in edited if revisions[i] != 2} == set()
    conditional = [
        r
        for r in served
        if {"if-none-match", "if-modified-since"} & {k.lower() for k in r["headers"]}
    ]
    assert conditional == [], "a re-check long after the last whole page sent validators"


def test_no_change_rerun_fetches_listing_pages_and_due_rechecks_only(
    crawled: Crawled, tmp_path: Path
) -> None:
    """A copy of the session's shared crawl (200 articles; its biggest categories have 4 and 5
    listing pages, 20 in all), re-run with nothing changed on the site."""
    db = crawled.copy(tmp_path, files=False)
    rep = crawled.replica
    no_files = ("-s", "ARCHIVE_FETCH_FILES=False")  # files are not what this test counts
    assert len(export(db)) == 200
    rep.reset_requests()
    second = crawl(rep.base_url, db, *no_files)
    assert second.returncode == 0, second.stderr[-3000:]
    served = rep.requests()
    categories = len(rep.site.categories())
    listing = [r for r in served if "/chuyen-muc/" in r["path"].lower()]
    articles = [
        r for r in served if "/tin-tuc/" in r["path"].lower() or "chitiettin" in r["path"].lower()
    ]
    other = [r["path"] for r in served if r not in listing and r not in articles]
    due = query(db, "SELECT count(*) FROM articles WHERE last_checked IS NULL")[0][0]
    print(
        f"\nno-change re-run on a 200-article archive: {len(served)} requests "
        f"({len(listing)} listing pages for {categories} categories, {len(articles)} "
        f"article re-checks, {len(other)} others: {sorted(set(other))})"
    )
    assert len(listing) <= 2 * categories
    assert len(articles) == due == 0  # all were checked a moment ago: none due yet
    assert set(other) <= {
        "/",  # the root page, whose markup says which portal the site is (issue 11)
        "/robots.txt",
        "/vn/Pages/Trangchu.aspx",
        "/rss/492/tin_tuc_su_kien.rss",
        "/_layouts/15/WebService/Getdataportal.asmx/GetListposts",
    }
    assert "articles new:       0" in second.stderr


def test_another_portal_s_failed_article_does_not_walk_this_portal_again(
    crawled: Crawled, tmp_path: Path
) -> None:
    """An archive holds both portals (the default crawl). An article of mst.gov.vn that failed
    in its last run makes mst's next walk go through every listing page, to learn that article's
    zones; it must not make the SharePoint portal's walk do so: its listings hold no mst
    article. (It did: an hourly cron walked every listing page of one portal whenever the other
    had a recently failed article.)"""
    db = crawled.copy(tmp_path, files=False)
    rep = crawled.replica
    other = "https://mst.gov.vn/bo-truong-lam-viec-voi-cuc-197250704101929995.htm"
    record_failed_article(db, other, "mst")
    listing, log = _listing_pages_of_a_run(crawled, db)
    # the same as with no error at all (test_no_change_rerun_fetches_listing_pages_and_due_...)
    assert len(listing) <= 2 * len(rep.site.categories()), listing
    assert "every listing page is walked" not in log
    # the other portal's error stays open, for that portal's own run to retry
    assert query(db, "SELECT url, resolved_at FROM fetch_errors") == [(other, None)]
    # while a failed article of its own still walks every listing page of this portal
    record_failed_article(db, export(db)[0]["url"], "most")
    walked, log = _listing_pages_of_a_run(crawled, db)
    assert len(walked) > 2 * len(rep.site.categories()), walked
    assert "every listing page is walked" in log


def test_a_run_that_never_reached_the_site_does_not_walk_every_listing_page_again(
    crawled: Crawled, tmp_path: Path
) -> None:
    """An hourly cron meets an hour the site is down (the run is ``unreachable``): the archive is
    as the run before left it, so the next run stops its walks early as after that one. (It
    walked every listing page of the portal, as after a run a crash or a limit cut short.)"""
    _rerun_stops_early_after(crawled, tmp_path, "unreachable")


def test_a_run_that_drifted_does_not_walk_every_listing_page_again(
    crawled: Crawled, tmp_path: Path
) -> None:
    """A ``drift`` run walked to its end (the alarm is about how pages parse): the next run stops
    its walks early as after an ``ok`` one (crawler/outcome.py names the outcomes after which
    every listing page is walked, and ``drift`` is none of them). (It walked every listing page:
    while a portal stayed drifted, every hourly run walked all of its listings.)"""
    _rerun_stops_early_after(crawled, tmp_path, "drift")


def _rerun_stops_early_after(crawled: Crawled, tmp_path: Path, outcome: str) -> None:
    """A copy of the shared crawl, then a finished run of ``outcome``, then a no-change run: at
    most two listing pages a category, as after the shared crawl alone."""
    db = crawled.copy(tmp_path, files=False)
    rep = crawled.replica
    archive = open_archive(db)
    try:
        with archive.conn:
            run = start_run(archive, site=rep.base_url, mode="incremental")
            finish_run(archive, run, outcome=outcome, counts={})
    finally:
        archive.close()
    listing, log = _listing_pages_of_a_run(crawled, db)
    assert len(listing) <= 2 * len(rep.site.categories()), listing
    assert "every listing page is walked" not in log


def _listing_pages_of_a_run(crawled: Crawled, db: Path) -> tuple[list[str], str]:
    """The listing pages a run on ``db`` asked the shared replica for (files not fetched: not
    what is counted), and the run's log."""
    rep = crawled.replica
    rep.reset_requests()
    done = crawl(rep.base_url, db, "-s", "ARCHIVE_FETCH_FILES=False")
    assert done.returncode == 0, done.stderr[-3000:]
    paths = [r["path"] for r in rep.requests()]
    return [p for p in paths if "/chuyen-muc/" in p.lower()], done.stderr
