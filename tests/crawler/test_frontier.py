"""The walk frontier's requests: kept as JSON, made again bound to the spider (no crawl)."""

from __future__ import annotations

import json
from typing import Any

import scrapy

from crawler.spiders.frontier import WalkFrontier, to_entry, to_request


class _Spider(scrapy.Spider):
    name = "t"

    def parse_listing(self, response: Any) -> None: ...

    def parse_article(self, response: Any) -> None: ...

    def failed(self, failure: Any) -> None: ...

    def parse_home(self, response: Any) -> None: ...


def test_a_request_round_trips_through_its_entry() -> None:
    spider = _Spider()
    request = scrapy.Request(
        "http://127.0.0.1:1/timelinelist/19711/3.htm",
        callback=spider.parse_listing,
        errback=spider.failed,
        priority=50,
        headers={"Referer": "http://127.0.0.1:1/z.htm"},
        meta={
            "kind": "listing",
            "category_id": 19711,
            "page": 3,
            "retry_times": 2,
            "download_slot": "x",
            "not_json": object(),
        },
    )
    entry = to_entry(request)
    assert entry.kind == "listing" and entry.site_id is None
    data = json.loads(entry.request_json)
    assert data["meta"] == {"kind": "listing", "category_id": 19711, "page": 3}
    again = to_request(entry, spider)
    assert again is not None
    assert (again.url, again.priority, again.meta) == (request.url, 50, data["meta"])
    assert again.callback == spider.parse_listing and again.errback == spider.failed
    assert again.headers.get("Referer") == b"http://127.0.0.1:1/z.htm"


def test_an_article_keeps_its_listings_and_a_lost_callback_is_dropped() -> None:
    spider = _Spider()
    request = scrapy.Request(
        "http://127.0.0.1:1/vn/tin-tuc/7/a.aspx",
        callback=spider.parse_article,
        dont_filter=True,
        meta={"kind": "article", "site_id": 7},
    )
    entry = to_entry(request, {"categories": [492, 493]})
    assert entry.site_id == 7
    again = to_request(entry, spider)
    assert again is not None and again.meta["categories"] == [492, 493] and again.dont_filter
    renamed = entry._replace(request_json=entry.request_json.replace("parse_article", "gone"))
    assert to_request(renamed, spider) is None
    assert to_request(entry._replace(request_json="not json"), spider) is None


def test_only_walk_requests_not_yet_answered_are_kept() -> None:
    spider = _Spider()
    frontier = WalkFrontier()

    def req(url: str, kind: str, **kw: Any) -> scrapy.Request:
        cb = kw.pop("callback", spider.parse_listing)
        return scrapy.Request(url, callback=cb, meta={"kind": kind}, **kw)

    listing = req("http://h/l?page=2", "listing")
    done = req("http://h/l?page=1", "listing")
    duplicate = req("http://h/l?page=2", "listing")
    home = req("http://h/home", "listing", callback=spider.parse_home)
    recheck = req("http://h/vn/tin-tuc/1/a.aspx", "article", headers={"If-None-Match": '"x"'})
    file = req("http://h/img.jpg", "file")
    article = req("http://h/vn/tin-tuc/2/a.aspx", "article", priority=60)
    for r in (listing, done, duplicate, home, recheck, file, article):
        frontier._scheduled(r, spider)
    frontier._gone(duplicate, spider)  # the scheduler dropped the duplicate: the first stays
    frontier._answered(done, spider)
    assert [e.url for e in frontier.entries()] == [
        "http://h/l?page=2",
        "http://h/vn/tin-tuc/2/a.aspx",
    ]
    assert WalkFrontier.restore(frontier.entries(), spider)[0].url == "http://h/l?page=2"
