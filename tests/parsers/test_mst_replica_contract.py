"""The contract between the mst parser and the mst replica: every article page the replica
renders parses to exactly what ``MstSite.truth`` says a perfect parser returns, and the noise
pages it serves (legal documents, search, day archives, the static page) are no articles.

A disagreement here is settled by SITE-mst.md, not by bending one side to the other.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from crawler.parsers import parse_article
from replica.mst.site import MstSite

FIELDS = (
    "site_id",
    "url",
    "title",
    "lead",
    "body",
    "published_at",
    "category",
    "source",
    "images",
    "attachments",
    "author",
    "tags",
    "portal",
)


@cache
def site() -> MstSite:
    return MstSite(articles=200)


def _get(path: str) -> bytes:
    status, _headers, body = site().render("GET", path, {})
    assert status == 200, path
    return body


def test_every_article_matches_the_truth() -> None:
    mismatches: dict[str, list[int]] = {}
    variants: set[str] = set()
    for site_id in site().article_ids():
        truth = site().truth(site_id)
        article = parse_article(_get(urlsplit(truth["url"]).path), truth["url"])
        assert article is not None, site_id
        got = article.to_dict()
        assert got["parser"] == "mst/1", site_id
        for name in FIELDS:
            if got[name] != truth[name]:
                mismatches.setdefault(name, []).append(site_id)
        variants |= site().variants(site_id)
    assert mismatches == {}
    # the replica served the variants this test is meant to cover
    for variant in (
        "byline:top",
        "byline:tail",
        "byline:bare",
        "source:nguon",
        "source:theo",
        "cate:breadcrumb",
        "sapo:h2.sapo",
        "photo:cover",
        "photo:old",
        "boxed",
        "related:one",
        "related:type-3",
        "video:embed",
        "ad:in-figure",
        "table",
        "attachment:msonormal",
        "tags:ul",
        "tags:tab",
        "id:9",
        "id:17",
        "hour-shift",
    ):
        assert variant in variants, variant


def test_the_same_page_parses_alike_on_any_host() -> None:
    """Recognised from markup, not host: the replica's page under the real host names."""
    site_id = site().article_ids()[7]
    truth = site().truth(site_id)
    path = urlsplit(truth["url"]).path
    page = _get(path)
    for base in ("https://mst.gov.vn", "https://mic.gov.vn", "http://[::1]:8080"):
        article = parse_article(page, base + path)
        assert article is not None
        assert (article.portal, article.url) == ("mst", base + path)
        assert (article.title, article.body, article.published_at) == (
            truth["title"],
            truth["body"],
            truth["published_at"],
        )


def test_noise_pages_are_no_articles() -> None:
    for path in [*site().noise_paths(), "/gioi-thieu-19797875.htm", "/"]:
        status, _headers, body = site().render("GET", path, {})
        assert status == 200, path
        assert parse_article(body, site().base_url + path) is None, path
