"""The contract between the parsers and the replica: every page the replica renders parses to
exactly what ``Site.truth`` / ``Site.listing_truth`` say a perfect parser returns.

A disagreement here is settled by SITE.md, not by bending one side to the other.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from crawler.parsers import (
    article_id_from_url,
    parse_article,
    parse_home,
    parse_listing,
    parse_rss,
    parse_webservice_posts,
)
from replica.site import Site

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
)


@cache
def site() -> Site:
    return Site(articles=200)


def _get(path: str) -> bytes:
    status, _headers, body = site().render("GET", path, {})
    assert status == 200, path
    return body


def test_every_article_matches_the_truth() -> None:
    mismatches: dict[str, list[int]] = {}
    for site_id in site().article_ids():
        truth = site().truth(site_id)
        article = parse_article(_get(urlsplit(truth["url"]).path), truth["url"])
        assert article is not None, site_id
        got = article.to_dict()
        assert got["parser"] == "most/1"
        for name in FIELDS:
            if got[name] != truth[name]:
                mismatches.setdefault(name, []).append(site_id)
    assert mismatches == {}


def test_the_seed_article_is_exact() -> None:
    ids = site().article_ids()
    seed = next(i for i in ids if site().truth(i)["title"].startswith("Tăng cường"))
    truth = site().truth(seed)
    article = parse_article(_get(urlsplit(truth["url"]).path), truth["url"])
    assert article is not None
    assert [i.caption for i in article.images] == [i["caption"] for i in truth["images"]]
    assert len(article.images) == 7
    assert article.source == "Trung tâm Nghiên cứu và Phát triển truyền thông KH&CN"


def test_legacy_url_gives_the_same_article() -> None:
    site_id = site().article_ids()[10]
    truth = site().truth(site_id)
    path = f"/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews={site_id}"
    article = parse_article(_get(path), site().base_url + path)
    assert article is not None
    assert article.site_id == site_id
    assert (article.title, article.body) == (truth["title"], truth["body"])


def _listing(cat: dict[str, Any], page: int) -> None:
    path = f"{urlsplit(cat['url']).path}?page={page}"
    url = site().base_url + path
    listing = parse_listing(_get(path), url)
    truth = site().listing_truth(cat["id"], page)
    assert listing is not None
    assert (
        listing.category_id,
        listing.category,
        listing.page,
        listing.last_page,
        listing.next_url,
    ) == (
        truth["category_id"],
        truth["category"],
        truth["page"],
        truth["last_page"],
        truth["next_url"],
    )
    got = [(i.url, i.title, i.summary, i.date, i.thumbnail) for i in listing.items]
    want = [
        (urljoin(url, i["href"]), i["title"], i["summary"], i["date"], i["thumbnail"])
        for i in truth["items"]
    ]
    assert got == want


def test_every_listing_page_matches_the_truth() -> None:
    for cat in site().categories():
        last = site().listing_truth(cat["id"], 1)["last_page"]
        for page in range(1, last + 1):
            _listing(cat, page)
        _listing(cat, last + 5)  # past the end: the last page again, or an empty page


def test_home_lists_every_category() -> None:
    url = site().base_url + "/vn/Pages/Trangchu.aspx"
    urls = parse_home(_get("/vn/Pages/Trangchu.aspx"), url)
    found = {int(u.split("/chuyen-muc/")[1].split("/")[0]) for u in urls}
    assert found == {c["id"] for c in site().categories()}


@pytest.mark.parametrize("cat_index", [0, 1, 2])
def test_rss_links_lead_to_articles(cat_index: int) -> None:
    cat = site().categories()[cat_index]
    path = f"/rss/{cat['id']}/feed.rss"
    urls = parse_rss(_get(path), site().base_url + path)
    assert urls
    ids = [article_id_from_url(u) for u in urls]
    assert all(i in set(site().article_ids()) for i in ids)
    assert all(u.startswith(site().base_url) for u in urls)


def test_webservice_lists_the_newest_articles() -> None:
    path = "/_layouts/15/WebService/Getdataportal.asmx/GetListposts"
    urls = parse_webservice_posts(_get(path), site().base_url + path)
    ids = [article_id_from_url(u) for u in urls]
    assert ids == sorted(site().article_ids(), reverse=True)[: len(ids)] and len(ids) >= 20
