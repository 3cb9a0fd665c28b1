"""End-to-end crawls of the mst.gov.vn replica (issue 11 point 3), through ``most-archive crawl``.

One 1,000-article replica holding every variant (its newest articles cycle through all of them),
its media host on a second loopback port and an offsite trap, crawled once and re-crawled with
no change; the archive is read back with ``most-archive export`` and compared with the
replica's ground truth. The portal is recognised from the pages: the site is 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from replica.testing import running_mst_replica

from .support import FAR_FUTURE, crawl, export, trap_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ARTICLES = 1000
ARTICLE_ID = re.compile(r"^/[^/]*-(\d{9}|\d{17,18})\.htm$")
# The fields of Article.to_dict() the contract's truth carries, besides the lists below.
SCALARS = ("site_id", "url", "title", "lead", "published_at", "category", "source", "author")


@dataclass
class MstCrawls:
    site: Any
    base_url: str
    media_url: str
    first: subprocess.CompletedProcess[str]
    records: list[dict[str, Any]]
    served: list[dict[str, Any]]
    media_served: list[dict[str, Any]]
    trap_hits: list[str]
    rerun: subprocess.CompletedProcess[str]
    rerun_served: list[dict[str, Any]]
    rerun_media: list[dict[str, Any]]
    db: Path


@pytest.fixture(scope="module")
def mst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MstCrawls]:
    db = tmp_path_factory.mktemp("mst") / "archive.db"
    with (
        trap_server() as (trap_url, hits),
        running_mst_replica(articles=ARTICLES, seed=11, offsite_base=trap_url) as rep,
    ):
        first = crawl(rep.base_url, db, timeout=900)
        served, media = rep.requests(), rep.media_requests()
        records = export(db)
        rep.reset_requests()
        rerun = crawl(rep.base_url, db)
        yield MstCrawls(
            rep.site,
            rep.base_url,
            rep.media_url,
            first,
            records,
            served,
            media,
            list(hits),
            rerun,
            rep.requests(),
            rep.media_requests(),
            db,
        )


def mismatches(record: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    """The fields of an exported mst record that differ from the truth."""
    bad = [k for k in SCALARS if k in record and record[k] != truth[k]]
    if record.get("body") != "\n\n".join(truth["body"]):
        bad.append("body")
    if "tags" in record and record["tags"] != truth["tags"]:
        bad.append("tags")
    if [(i["url"], i["caption"]) for i in record["images"]] != [
        (i["url"], i["caption"]) for i in truth["images"]
    ]:
        bad.append("images")
    if [(a["url"], a["title"]) for a in record["attachments"]] != [
        (a["url"], a["title"]) for a in truth["attachments"]
    ]:
        bad.append("attachments")
    if sorted(record.get("categories") or []) != sorted(truth["categories"]):
        bad.append("categories")
    if record.get("parser") != "mst/1":
        bad.append("parser")
    if record.get("portal", "mst") != "mst":
        bad.append("portal")
    return bad


def test_every_article_once_with_every_field_equal_to_truth(mst: MstCrawls) -> None:
    assert mst.first.returncode == 0, mst.first.stderr[-3000:]
    ids = [r["site_id"] for r in mst.records]
    assert len(ids) == len(set(ids)), "an article was archived twice"
    truth_ids = set(mst.site.article_ids())
    assert len(truth_ids) == ARTICLES
    assert set(ids) == truth_ids
    lengths = {len(str(i)) for i in ids}
    assert lengths == {9, 17, 18}, f"id forms covered: {lengths}"
    problems = {}
    for record in mst.records:
        bad = mismatches(record, mst.site.truth(record["site_id"]))
        if bad:
            problems[record["site_id"]] = bad
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    assert f"articles new:       {ARTICLES}" in mst.first.stderr


def test_no_page_request_outside_the_family(mst: MstCrawls) -> None:
    assert mst.trap_hits == [], f"an offsite host was contacted: {mst.trap_hits[:10]}"
    files = {urlsplit(p["url"]).path for r in mst.records for p in r["images"] + r["attachments"]}
    pages_from_media = [
        r["path"]
        for r in mst.media_served
        if urlsplit(r["path"]).path not in files and r["path"] != "/robots.txt"
    ]
    assert pages_from_media == [], f"the media host served non-files: {pages_from_media[:10]}"
    paths = [r["path"].lower() for r in mst.served]
    assert not [
        p
        for p in paths
        if p.startswith(("/van-ban-phap-luat", "/tim-kiem"))
        or "xem-theo-ngay" in p
        or "javascript" in p
        or "mailto" in p
    ]
    # links written with alias hosts (mic.gov.vn, www.mst.gov.vn), other slugs or queries cost
    # no extra request: every article page was asked for once
    asked = Counter(m.group(1) for p in paths if (m := ARTICLE_ID.search(p.split("?")[0])))
    assert set(asked) == {str(i) for i in mst.site.article_ids()}
    assert [i for i, n in asked.items() if n > 1] == []


def test_every_image_and_attachment_fetched_from_the_media_host(mst: MstCrawls) -> None:
    media = urlsplit(mst.media_url).netloc
    fetched = {r["path"] for r in mst.media_served if r["status"] == 200}
    parts = [p for r in mst.records for p in r["images"] + r["attachments"]]
    assert parts and len(parts) > ARTICLES
    off_media = [p["url"] for p in parts if urlsplit(p["url"]).netloc != media]
    assert off_media == [], off_media[:10]
    missing = [
        p["url"] for p in parts if not p.get("path") or urlsplit(p["url"]).path not in fetched
    ]
    assert missing == [], missing[:10]


def test_no_change_rerun_costs_a_request_or_two_per_zone(mst: MstCrawls) -> None:
    assert mst.rerun.returncode == 0, mst.rerun.stderr[-3000:]
    assert "articles new:       0" in mst.rerun.stderr
    zones = {z["id"]: z for z in mst.site.zones()}
    zone_pages = [
        r["path"]
        for r in mst.rerun_served
        if r["path"].startswith(("/tin-tuc-su-kien/", "/timelinelist/"))
    ]
    shards = [r["path"] for r in mst.rerun_served if r["path"].startswith("/sitemaps/")]
    feeds = [r["path"] for r in mst.rerun_served if r["path"].startswith("/rss/")]
    other = sorted({r["path"] for r in mst.rerun_served} - set(zone_pages + shards + feeds))
    print(
        f"\nno-change mst re-run, {ARTICLES} articles: {len(mst.rerun_served)} requests "
        f"({len(zone_pages)} zone pages for {len(zones)} zones, {len(shards)} shard, "
        f"{len(feeds)} feeds, others {other})"
    )
    assert len(zone_pages) <= 2 * len(zones)
    assert len(shards) <= 1
    assert set(other) <= {"/", "/robots.txt", "/sitemap.xml"}
    assert not [r for r in mst.rerun_served if "-197" in r["path"]], "an article was re-fetched"
    assert mst.rerun_media == []


@pytest.mark.parametrize("paging", ["timelinelist", "trang"])
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
    other_form = "/trang-" if paging == "timelinelist" else "/timelinelist/"
    tried = [p for p in paths if other_form in p]
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
        second = crawl(rep.base_url, db, *no_files, "-s", f"ARCHIVE_RECHECK_AT={FAR_FUTURE}")
        served = rep.requests()
    assert second.returncode == 0, second.stderr[-3000:]
    after = {r["site_id"]: r for r in export(db)}
    assert set(after) - set(before) == new_ids
    problems = {
        i: bad
        for i, r in after.items()
        if i in set(after_site.article_ids()) and (bad := mismatches(r, after_site.truth(i)))
    }
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    revised = {i for i, r in after.items() if r["revision"] == 2}
    assert revised == edited
    assert [r for r in served if r["status"] == 304], "no conditional request was answered 304"


def test_every_raw_page_is_compressed_with_the_mst_dictionary(mst: MstCrawls) -> None:
    """Zone pages too, though the replica's host (127.0.0.1) does not say mst: the walk knows
    its portal, and a page left to a portal with too few pages for a dictionary would stay
    compressed without one (4.5 KB against 0.7 KB)."""
    conn = sqlite3.connect(f"file:{mst.db}?mode=ro", uri=True)
    try:
        kinds = conn.execute("SELECT DISTINCT portal, codec FROM raw_pages").fetchall()
    finally:
        conn.close()
    assert kinds == [("mst", "zstd-dict")]
