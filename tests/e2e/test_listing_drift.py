"""Markup drift of the listings is loud too. When no listing of a run lists a single article
link on its first page (every category of the SharePoint portal, every zone of mst.gov.vn), the
listing markup has changed, or the article URLs have: the walk stopped everywhere at an "empty
page" and the run said ``ok`` while it archived nothing. It ends ``drift`` (exit 1), naming the
portal and example listings; one empty category among others that list articles is no alarm."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main
from replica.mst.site import MstSite
from tests.reliability.support import (
    HOME,
    LISTING,
    Page,
    PageServer,
    article_page,
    crawl,
    home_page,
    listing_page,
    mini_site,
    respond,
)

from .support import query

pytestmark = pytest.mark.e2e

QUIET = ("-s", "ARCHIVE_FETCH_FILES=0")


def _alarmed(result_stderr: str, portal: str) -> None:
    assert "run 1: drift" in result_stderr, result_stderr[-3000:]
    assert f"MARKUP DRIFT on portal {portal}" in result_stderr  # the summary
    assert "listing" in result_stderr.split(f"MARKUP DRIFT on portal {portal}", 1)[1][:300]


def test_sharepoint_listings_that_list_nothing_raise_the_alarm(tmp_path: Path) -> None:
    pages = mini_site({704: Page(article_page("Bình thường", "<p>Ổn.</p>"))})
    # the category page as the portal might render it after a template change
    pages[LISTING] = Page(listing_page([704]).replace(b"listnews_item", b"news-v2"))
    db = tmp_path / "a.db"
    with PageServer(pages) as site:
        result = crawl(site.base_url, db, *QUIET)
    assert result.returncode == 1, result.stderr[-2000:]
    _alarmed(result.stderr, "most")
    assert site.base_url + LISTING in result.stderr  # the example
    assert query(db, "SELECT outcome FROM runs") == [("drift",)]
    # `stats` says it too, long after the run's log has scrolled away
    shown = CliRunner().invoke(main, ["stats", "--db", str(db), "--json"])
    assert shown.exit_code == 0, shown.output
    (drifted,) = json.loads(shown.output)["listing_drift"]
    assert drifted["portal"] == "most" and drifted["first_pages"] == 1
    assert drifted["examples"] == [site.base_url + LISTING]
    text = CliRunner().invoke(main, ["stats", "--db", str(db)]).output
    assert "LISTING DRIFT on portal most" in text and site.base_url + LISTING in text


def test_one_empty_category_among_listing_ones_is_no_alarm(tmp_path: Path) -> None:
    pages = mini_site({704: Page(article_page("Bình thường", "<p>Ổn.</p>"))})
    empty = "/vn/chuyen-muc/494/Tin-khac.aspx"
    pages[HOME] = Page(
        home_page().replace(b"</ul>", f"<li><a href='{empty}'>Tin khác</a></li></ul>".encode())
    )
    pages[empty] = Page(listing_page([]))
    db = tmp_path / "a.db"
    with PageServer(pages) as site:
        result = crawl(site.base_url, db, *QUIET)
    assert "category 494: stop at page 1 (empty page)" in result.stderr  # it was walked
    assert result.returncode == 0, result.stderr[-2000:]
    assert "MARKUP DRIFT" not in result.stderr
    shown = CliRunner().invoke(main, ["stats", "--db", str(db), "--json"])
    assert json.loads(shown.output)["listing_drift"] == []


def test_mst_zones_that_list_nothing_raise_the_alarm(tmp_path: Path) -> None:
    server = PageServer()
    site = MstSite(articles=20, seed=6, base_url=server.base_url)

    def render(handler: BaseHTTPRequestHandler) -> None:
        status, headers, body = site.render("GET", handler.path, {})
        data = bytes(body)
        if handler.path != "/":  # zone pages and fragments in a markup the parser does not know
            data = data.replace(b"box-category-item", b"box-v2").replace(b"box-stream-item", b"v2")
        respond(handler, status, dict(headers), data)

    server.fallback = Page(render)
    db = tmp_path / "a.db"
    with server:
        result = crawl(server.base_url, db, *QUIET, "-s", "ARCHIVE_DISCOVERY=0")
    assert result.returncode == 1, result.stderr[-2000:]
    _alarmed(result.stderr, "mst")
    assert query(db, "SELECT outcome FROM runs") == [("drift",)]
