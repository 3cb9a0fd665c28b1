"""End-to-end crawls of the mst.gov.vn replica (issue 11 point 3), through ``most-archive crawl``.

One 1,000-article replica holding every variant (its newest articles cycle through all of them),
its media host on a second loopback port and its third-party host, crawled once and re-crawled with
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

from .support import copy_archive, crawl, export, mst_mismatches, record_failed_article

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ARTICLES = 1000
ARTICLE_ID = re.compile(r"^/[^/]*-(\d{9}|\d{17,18})\.htm$")


@dataclass
class MstCrawls:
    site: Any
    base_url: str
    media_url: str
    first: subprocess.CompletedProcess[str]
    records: list[dict[str, Any]]
    served: list[dict[str, Any]]
    media_served: list[dict[str, Any]]
    offsite_served: list[dict[str, Any]]  # the replica's third-party host (replica.thirdparty)
    rerun: subprocess.CompletedProcess[str]
    rerun_served: list[dict[str, Any]]
    rerun_media: list[dict[str, Any]]
    db: Path
    replica: Any  # still serving while the module's tests run


@pytest.fixture(scope="module")
def mst(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MstCrawls]:
    db = tmp_path_factory.mktemp("mst") / "archive.db"
    with running_mst_replica(articles=ARTICLES, seed=11) as rep:
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
            rep.offsite_requests(),
            rerun,
            rep.requests(),
            rep.media_requests(),
            db,
            rep,
        )


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
        bad = mst_mismatches(record, mst.site.truth(record["site_id"]))
        if bad:
            problems[record["site_id"]] = bad
    assert problems == {}, json.dumps(problems, ensure_ascii=False)[:3000]
    assert f"articles new:       {ARTICLES}" in mst.first.stderr


def test_no_page_request_outside_the_family(mst: MstCrawls) -> None:
    offsite = [r["path"] for r in mst.offsite_served]
    assert offsite == [], f"an offsite host was contacted: {offsite[:10]}"
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


def test_the_other_portal_s_failed_article_does_not_walk_every_zone_page(
    mst: MstCrawls, tmp_path: Path
) -> None:
    """An archive of both portals: a SharePoint article that failed in that portal's last run
    (its URL on www.most.gov.vn, as the default crawl records it) must not send mst's walk
    through every zone page. Until the root page shows which portal the site is, the crawl's
    scope is the SharePoint portal's, whose hosts these are: the site's own failed articles are
    told apart once the portal is known. (They were not, and a no-change hourly run of mst walked
    every zone page whenever the old portal had an article failing.)"""
    db = copy_archive(mst.db, tmp_path, files=False)
    record_failed_article(db, "https://www.most.gov.vn/vn/tin-tuc/24531/bo-truong.aspx", "most")
    mst.replica.reset_requests()
    again = crawl(mst.base_url, db, "-s", "ARCHIVE_FETCH_FILES=False")
    assert again.returncode == 0, again.stderr[-3000:]
    zones = mst.site.zones()
    zone_pages = [
        r["path"]
        for r in mst.replica.requests()
        if r["path"].startswith(("/tin-tuc-su-kien/", "/timelinelist/"))
    ]
    assert len(zone_pages) <= 2 * len(zones), zone_pages
    assert "every listing page is walked" not in again.stderr


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
