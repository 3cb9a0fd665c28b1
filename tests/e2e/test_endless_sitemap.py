"""A sitemap that never ends: mst.gov.vn's ``/sitemap.xml`` is an index of shards, and a shard
is a list of URLs. A hostile or broken server whose "shard" is another index, and so on, with
new URLs at every level, kept a crawl reading sitemaps until its time ran out (the next hourly
run then found the lock held). An index inside a shard is not followed; the walk goes on."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from replica.mst.site import MstSite
from tests.reliability.support import Page, PageServer, respond

from .support import crawl

pytestmark = pytest.mark.e2e

XML = {"Content-Type": "text/xml; charset=utf-8"}


def _index(base: str, *paths: str) -> bytes:
    items = "".join(f"<sitemap><loc>{base}{p}</loc></sitemap>" for p in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}'
        "</sitemapindex>\n"
    ).encode()


def test_an_index_inside_a_shard_is_not_followed(tmp_path: Path) -> None:
    site = MstSite(articles=3, seed=4, base_url="http://placeholder")
    _status, _headers, home = site.render("GET", "/", {})
    server = PageServer({"/": Page(bytes(home))})

    def nested(handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if not path.startswith("/sitemaps/"):
            body, status, headers = b"<html><body>Not found</body></html>", 404, {}
        else:  # every "shard" is an index of two new ones, one level deeper
            stem = path.removesuffix(".xml")
            body, status, headers = (
                _index(server.base_url, f"{stem}-a.xml", f"{stem}-b.xml"),
                200,
                XML,
            )
        respond(handler, status, {"Content-Type": "text/html", **headers}, body)

    server.fallback = Page(nested)
    db = tmp_path / "a.db"
    with server:
        server.pages["/sitemap.xml"] = Page(
            _index(server.base_url, "/sitemaps/sitemaps-2026-11-28.xml"), headers=XML
        )
        done = crawl(server.base_url, db, "-s", "ARCHIVE_FETCH_FILES=0", "--max-duration", "20s")
        shards = [p for p in server.paths() if p.startswith("/sitemaps/")]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert shards == ["/sitemaps/sitemaps-2026-11-28.xml"], f"{len(shards)} shards read"
    assert "time limit" not in done.stderr.lower(), done.stderr[-2000:]
