"""Whether a body arrived whole, judged by its own form (issue 13, point 8)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parsers.completeness import incomplete, kind_of
from crawler.portals import most
from replica.site import Site

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
CUT_FIXTURES = {"truncated-html"}  # saved on purpose cut before </html>


@pytest.mark.parametrize("case", sorted(p.name for p in FIXTURES.iterdir() if p.is_dir()))
def test_every_saved_page_is_judged_as_it_is(case: str) -> None:
    body = (FIXTURES / case / "page.html").read_bytes()
    judged = incomplete(body, "text/html; charset=utf-8")
    assert (judged is not None) == (case in CUT_FIXTURES), judged


def test_every_replica_page_is_whole_and_every_half_of_one_is_not() -> None:
    site = Site(30, 3)
    paths = [most.HOME_PATH, most.WEBSERVICE_PATH, *most.RSS_PATHS]
    paths += [site.truth(i)["url"].split("8765", 1)[1] for i in site.article_ids()[:3]]
    for path in paths:
        status, headers, body = site.render("GET", path, {})
        assert status == 200, path
        ctype = headers.get("Content-Type")
        assert incomplete(body, ctype) is None, path
        assert incomplete(body[: len(body) // 2], ctype) is not None, path


@pytest.mark.parametrize(
    ("body", "ctype", "kind", "whole"),
    [
        (b"<!DOCTYPE html><html><body>x</body></html>\n", "text/html", "html", True),
        (
            b"\xef\xbb\xbf<!-- c -->\n<HTML><body>x</body></HTML><script>1</script>",
            None,
            "html",
            True,
        ),
        (b"<!DOCTYPE html><html><body><p>x</p><p>y", "text/html", "html", False),
        (
            b"<li><a href='/a-1.htm'>a</a></li>\n<li><a href='/b-2.htm'>b</a></li>\n",
            "text/html",
            "fragment",
            True,
        ),
        (b"<li><a href='/a-1.htm'>a</a></li>\n<li><a href='/b-2", "text/html", "fragment", False),
        (b"<div class='list'><img src='x.jpg'/>", "text/html", "fragment", True),
        (
            b"<?xml version='1.0'?><rss><channel><item/></channel></rss>\n",
            "application/rss+xml",
            "xml",
            True,
        ),
        (b"<?xml version='1.0'?><rss><channel><item>", "text/xml", "xml", False),
        (
            b"<?xml version='1.0'?>\n<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>",
            "application/xml",
            "xml",
            True,
        ),
        (
            b"<?xml version='1.0'?><ns:urlset><url/></ns:urlset><!-- generated -->",
            "text/xml",
            "xml",
            True,
        ),
        (b"%PDF-1.4 half a file", "text/html", "other", True),  # judged by its parser
        (b"\x89PNG\r\n\x1a\n", "image/png", "other", True),
        (b"", "text/html", "other", True),  # empty: the parser says "no article"
    ],
)
def test_kinds_of_body(body: bytes, ctype: str | None, kind: str, whole: bool) -> None:
    if body:
        assert kind_of(body, ctype) == kind
    assert (incomplete(body, ctype) is None) == whole
