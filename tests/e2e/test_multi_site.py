"""Sites and hosts (issue 11): ``--site`` given more than once (one run per site, the worst exit
code), a site redirecting out of its portal's hosts, and the fallback hosts of the default sites."""

from __future__ import annotations

import json
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from archive.db import open_archive
from archive.runlog import record_error
from archive.store import save_article
from crawler.items import Image
from replica.testing import running_mst_replica, running_replica
from tests import forked
from tests.archive.test_portals import most_article, mst_article
from tests.reliability.support import (
    LISTING,
    Page,
    PageServer,
    article_page,
    listing_page,
    mini_site,
)

from .support import (
    FAR_FUTURE,
    crawl,
    crawl_cmd,
    export,
    query,
    scrapy_crawl,
    serving,
    trap_server,
)

pytestmark = pytest.mark.e2e


def test_two_portals_in_one_command_each_its_own_run(tmp_path: Path) -> None:

    db = tmp_path / "archive.db"
    with (
        running_replica(articles=30, seed=4) as sharepoint,
        running_mst_replica(articles=30, seed=4) as mst,
    ):
        # the sites are told apart by their pages only: both are on 127.0.0.1
        # a site that does not answer (each refused try costs Twisted's 0.3 s connection-attempt
        # delay: one retry, not five)
        cmd = crawl_cmd(
            mst.base_url,
            db,
            *("--site", sharepoint.base_url, "--site", "http://127.0.0.1:9"),
            *("-s", "RETRY_TIMES=1"),
        )
        result = forked.run(cmd, timeout=600)
        records = export(db)
        mst_ids, sp_ids = set(mst.site.article_ids()), set(sharepoint.site.article_ids())
        # every article due for a re-check: each site re-checks its own portal's articles only
        mst.reset_requests()
        sharepoint.reset_requests()
        again = forked.run(
            crawl_cmd(
                mst.base_url,
                db,
                "--site",
                sharepoint.base_url,
                "-s",
                f"ARCHIVE_RECHECK_AT={FAR_FUTURE}",
            ),
            timeout=600,
        )
        mst_paths = [r["path"] for r in mst.requests()]
        sp_paths = [r["path"] for r in sharepoint.requests()]
    assert again.returncode == 0, again.stderr[-3000:]
    assert len([p for p in mst_paths if "-197" in p]) == len(mst_ids)
    assert len([p for p in sp_paths if "/tin-tuc/" in p]) == len(sp_ids)
    assert result.returncode == 1, result.stderr[-3000:]  # the worst of the three
    runs = query(db, "SELECT site, outcome, articles_new FROM runs ORDER BY id")
    assert runs == [
        (mst.base_url, "ok", 30),
        (sharepoint.base_url, "ok", 30),
        ("http://127.0.0.1:9", "unreachable", 0),
        (mst.base_url, "ok", 0),
        (sharepoint.base_url, "ok", 0),
    ], result.stderr[-3000:]
    by_parser = {r["site_id"]: r["parser"] for r in records}
    assert set(by_parser) == mst_ids | sp_ids
    assert {by_parser[i] for i in mst_ids} == {"mst/1"}
    assert {by_parser[i] for i in sp_ids} == {"most/1"}
    for line in (
        f"({mst.base_url}): ok",
        f"({sharepoint.base_url}): ok",
        "(http://127.0.0.1:9): unreachable",
    ):
        assert line in result.stderr


class _Redirector(BaseHTTPRequestHandler):
    """Answers everything with a 302 to ``target`` + the path."""

    target = ""

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.target + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def redirector(target: str) -> AbstractContextManager[str]:
    return serving(type("R", (_Redirector,), {"target": target}))


def test_a_site_redirecting_out_of_its_family_is_said_so_not_followed(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with trap_server() as (trap_url, hits), redirector(trap_url) as moved:
        result = crawl(moved, db)
    assert hits == [], "the redirect out of the family was followed"
    assert result.returncode == 1, result.stderr[-3000:]
    assert f"redirects out of its portal's hosts, to {trap_url}/" in result.stderr
    errors = query(db, "SELECT url, reason FROM fetch_errors")
    said = f"the site redirects out of its portal's hosts, to {trap_url}/"
    assert errors == [(moved + "/", said)]


def test_fallback_hosts_are_tried_in_order_and_the_serving_host_recorded(tmp_path: Path) -> None:
    """What a default crawl does when the ministry moves a host: the portal's next host is
    tried (``ARCHIVE_FALLBACK_SITES``, set from the portal's hosts for the default sites)."""
    db = tmp_path / "archive.db"
    with (
        trap_server() as (trap_url, _),
        redirector(trap_url) as moved,
        running_mst_replica(articles=20, seed=6) as mst,
    ):
        fallbacks = f"ARCHIVE_FALLBACK_SITES=http://127.0.0.1:9,{mst.base_url}"
        result = crawl(moved, db, "-s", fallbacks, "-s", "RETRY_TIMES=1")  # 127.0.0.1:9: 2 tries
        ids = set(mst.site.article_ids())
    assert result.returncode == 0, result.stderr[-3000:]
    assert {r["site_id"] for r in export(db)} == ids
    [(site, counts)] = query(db, "SELECT site, counts_json FROM runs")
    assert site == moved
    assert json.loads(counts)["site_served"] == mst.base_url
    assert json.loads(counts)["portal"] == "mst"
    assert "is unreachable" in result.stderr and f"trying {mst.base_url}" in result.stderr
    assert " ERROR: " not in result.stderr


def test_scrapy_crawl_most_without_a_site_crawls_the_set_one_after_the_other(
    tmp_path: Path,
) -> None:
    """``scrapy crawl most`` with no ``-a site``: the default set (here ``ARCHIVE_SITES``; empty,
    every portal's default site), in one spider run."""
    db = tmp_path / "archive.db"
    with (
        running_replica(articles=20, seed=2) as sharepoint,
        running_mst_replica(articles=20, seed=2) as mst,
    ):
        done = scrapy_crawl(db, f"ARCHIVE_SITES={sharepoint.base_url},{mst.base_url}")
        ids = set(sharepoint.site.article_ids()) | set(mst.site.article_ids())
    assert done.returncode == 0, done.stderr[-2000:]
    assert {r["site_id"] for r in export(db)} == ids
    assert f"next site: {mst.base_url}" in done.stderr
    # each site of the crawl its own row in `runs`, as `most-archive crawl` records them
    runs = query(db, "SELECT site, outcome, articles_new, counts_json FROM runs ORDER BY id")
    assert [r[:3] for r in runs] == [(sharepoint.base_url, "ok", 20), (mst.base_url, "ok", 20)]
    served = [(json.loads(r[3])["site_served"], json.loads(r[3])["portal"]) for r in runs]
    assert served == [(sharepoint.base_url, "most"), (mst.base_url, "mst")]


def test_each_site_s_run_fetches_its_own_portal_s_files_only(tmp_path: Path) -> None:
    """An archive of both portals, crawled hourly: a file of the SharePoint portal that failed,
    or that an archived article lists and was never downloaded, is that portal's run's to
    fetch. The mst.gov.vn run fetched both as a third party's (every open file error was
    retried by every site's run; the missing files were told apart for the default portal,
    before the root page said which the site is, so www.most.gov.vn's were taken), and left
    out its own missing files written with an alias host (mic.gov.vn)."""
    db = tmp_path / "archive.db"
    quiet = ("-s", "ARCHIVE_DISCOVERY=0")
    with trap_server() as (trap, hits), running_mst_replica(articles=30, seed=7) as mst:
        first = crawl(mst.base_url, db, *quiet)
        assert first.returncode == 0, first.stderr[-3000:]
        failed_file = f"{trap}/Images/Tintuc/gone.jpg"
        missing_file = "https://www.most.gov.vn/Images/Tintuc/never-downloaded.jpg"
        own_file = "http://mic.gov.vn/Uploaded/own-never-downloaded.jpg"
        archive = open_archive(db)
        try:
            with archive.conn:
                record_error(
                    archive, url=failed_file, kind="file", status=503, reason="503", run_id=None
                )
                for article in (
                    most_article(13245, images=[Image(url=missing_file, caption=None)]),
                    mst_article(197000001, images=[Image(url=own_file, caption=None)]),
                ):
                    save_article(archive, article, page_id=None, fetched_at=_now())
        finally:
            archive.close()
        mst.reset_requests()
        again = crawl(mst.base_url, db, *quiet)
        asked = [r["path"] for r in mst.requests()]
    assert hits == [], "the other portal's failed file was fetched by the mst run"
    assert missing_file not in again.stderr, "the other portal's missing file was asked for"
    assert "/Uploaded/own-never-downloaded.jpg" in asked, "its own missing file was left out"
    # (the replica has no such file: its failure is the run's only one)
    assert query(db, "SELECT url FROM fetch_errors WHERE resolved_at IS NULL ORDER BY url") == [
        (failed_file,),
        (own_file,),
    ], again.stderr[-3000:]


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def test_scrapy_crawl_most_checks_each_site_of_the_set_for_drift(tmp_path: Path) -> None:
    """``scrapy crawl most`` over the set: a site's markup drift is its own run's alarm, and
    not the next site's. (The check was made once, when the spider closed: the first site's
    drift was never raised.)"""
    pages = mini_site({704: Page(article_page("Bình thường", "<p>Ổn.</p>"))})
    pages[LISTING] = Page(listing_page([704]).replace(b"listnews_item", b"news-v2"))
    db = tmp_path / "archive.db"
    with PageServer(pages) as drifted, running_mst_replica(articles=10, seed=3) as mst:
        done = scrapy_crawl(
            db, f"ARCHIVE_SITES={drifted.base_url},{mst.base_url}", "ARCHIVE_FETCH_FILES=0"
        )
    runs = query(db, "SELECT site, outcome, counts_json FROM runs ORDER BY id")
    assert [r[:2] for r in runs] == [(drifted.base_url, "drift"), (mst.base_url, "ok")], (
        done.stderr[-3000:]
    )
    (alarm,) = json.loads(runs[0][2])["drift"]
    assert (alarm["portal"], alarm["kind"]) == ("most", "listings")
    assert alarm["examples"][0]["url"] == drifted.base_url + LISTING
    assert "drift" not in json.loads(runs[1][2])
    assert done.returncode == 0  # (scrapy's own exit code says nothing of the outcomes)
