"""The walk of an mst.gov.vn site (``crawler.portals.mst``): what to fetch, nothing else.

Mixed into the ``most`` spider, which switches to it when the site's root page carries mst's
markup. Walk: home → the zones of its menu (``/tin-tuc-su-kien/{zone}.htm``) → each zone's
pages, newest first, through the timeline fragment ``/timelinelist/{zoneId}/{n}.htm``, the
static ``…/trang-{n}.htm`` or ``/timeline/{zoneId}/trang-{n}.htm`` (whichever the site
answers; the form that answered is tried first for the other zones) → each article once per
id → its images and attachments. The sitemap index (its newest shard on an incremental run
after a complete walk, every shard otherwise, a backfill going on from a frontier included)
and the RSS feeds are read for discovery; articles found only there are fetched after the
zones.

A zone's walk stops at an empty page, after ``ARCHIVE_STOP_AFTER_KNOWN_PAGES`` pages of
archived articles on an incremental run, and where ``crawler.spiders.paging.PagingGuard`` says
(a page of articles already met in the zone's walk: a site may answer past the end with its last
page again; ``--max-pages``; the safety bound). So a no-change re-run costs one request per
zone, plus the sitemap index, its newest shard, the feeds and the scheduled re-checks.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import scrapy

from crawler import parsers
from crawler.portals import mst
from crawler.records import CategorySeen, FetchFailure, FetchSuccess, ListingPage
from crawler.spiders.paging import PagingGuard
from crawler.spiders.state import SHARD, TO_THE_END, Listed, raw_page

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.items import Listing, ListingItem

logger = logging.getLogger(__name__)

PRIO_LISTING = 50
PRIO_SITEMAP = 40
# HTTP statuses that mean "no page in this form": the next form of the page is tried.
NO_SUCH_PAGE = frozenset({404, 410})


def zone_key(zone_url: str) -> int:
    """An id for a zone whose page shows no ``#hdZoneId``: stable, from its slug."""
    slug = mst.zone_slug(zone_url) or zone_url
    return zlib.crc32(slug.encode("utf-8")) & 0x7FFFFFFF


class MstWalk:
    """The mst.gov.vn part of the spider. Uses the spider's state and request helpers."""

    # state of the walk, one run long
    paging_forms: dict[str, int]  # page form -> score (pages answered - pages missing)
    zones_seen: set[str]  # zone slugs requested

    def mst_reset(self) -> None:
        self.paging_forms = {}
        self.zones_seen = set()

    # provided by the spider
    scope: Any
    incremental: bool
    early_stop: bool
    stop_after: int
    paging: PagingGuard
    discovery: bool
    known: Any
    walk_known: Any
    backfill: bool
    scheduled: set[int]
    done: set[int]
    cats_of: dict[int, set[int]]
    discovered: dict[int, str]

    def _article_request(self, site_id: int, url: str, priority: int) -> scrapy.Request | None:
        raise NotImplementedError

    def _listed_articles(
        self, category_id: int | None, page: int, items: Sequence[ListingItem], page_url: str
    ) -> Listed:
        raise NotImplementedError

    def failed(self, failure: Failure) -> Iterator[Any]:
        raise NotImplementedError

    def walks_to_the_end(self, inherited: object = False) -> bool:
        raise NotImplementedError

    def stops_at_known_pages(self, meta: dict[str, Any], streak: int) -> bool:
        raise NotImplementedError

    def parse_rss(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    # ------------------------------------------------------------------ start

    def mst_start(self, response: Response) -> Iterator[Any]:
        """The home page of an mst site: its zones and the feeds it names besides the portal's
        (the portal's entry points, sitemap index and feeds, are requested by the spider)."""
        links = parsers.page_links(response.body, response.url)
        zones = 0
        for link in links:
            url = self.scope.onsite(link.url, response.url)
            if url is None or not mst.is_zone_url(url):
                continue
            slug = mst.zone_slug(url)
            if slug is None or slug in self.zones_seen:
                continue
            self.zones_seen.add(slug)
            zones += 1
            yield self.zone_request(
                url, zone_id=None, zone_url=url, name=link.text or None, page=1, known_streak=0
            )
        logger.info("home page: %d zones", zones)
        if not zones:
            yield FetchFailure(response.url, "listing", "home page lists no zone", response.status)
            return
        yield FetchSuccess(response.url)
        if not self.discovery:
            return
        known_feeds = set(self.scope.entry_urls("rss"))
        for href in parsers.feed_links(response.body, response.url):
            url = self.scope.onsite(href, response.url)
            if url and mst.is_feed_url(url) and url not in known_feeds:
                known_feeds.add(url)
                yield scrapy.Request(
                    url,
                    callback=self.parse_rss,
                    errback=self.failed,
                    priority=PRIO_SITEMAP,
                    meta={"kind": "discovery"},
                )

    # ------------------------------------------------------------------ zones

    def zone_request(
        self,
        url: str,
        *,
        zone_id: int | None,
        zone_url: str,
        name: str | None,
        page: int,
        known_streak: int,
        alternatives: tuple[str, ...] = (),
        to_the_end: bool = False,
    ) -> scrapy.Request:
        # the timeline fragment is the zone page's AJAX call: sent with the zone page as Referer
        headers = {"Referer": zone_url} if url != zone_url else None
        return scrapy.Request(
            url,
            callback=self.mst_zone,
            errback=self.mst_zone_failed,
            priority=PRIO_LISTING,
            headers=headers,
            meta={
                "kind": "listing",
                "category_id": zone_id,
                "zone_url": zone_url,
                "zone_name": name,
                "page": page,
                "known_streak": known_streak,
                "alternatives": alternatives,
                TO_THE_END: self.walks_to_the_end(to_the_end),
            },
        )

    @staticmethod
    def _form(url: str) -> str:
        """Which form a page URL has (the portal's rule, ``crawler.portals.mst.page_form``)."""
        return mst.page_form(url)

    def _score_form(self, url: str, delta: int) -> None:
        form = self._form(url)
        self.paging_forms[form] = self.paging_forms.get(form, 0) + delta

    def _next_candidates(self, page_url: str, zone_id: int | None) -> list[str]:
        """Where the next page may be, the form that answered best so far first."""
        candidates = mst.next_page_urls(page_url, zone_id)
        order = {url: -self.paging_forms.get(self._form(url), 0) for url in candidates}
        return sorted(candidates, key=lambda u: order[u])  # stable: the portal's order on ties

    def mst_zone(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        page: int = meta["page"]
        zone_url: str = meta["zone_url"]
        listing = parsers.parse_zone(response.body, response.url)
        zone_id = meta.get("category_id")
        if listing is not None and listing.category_id is not None:
            zone_id = listing.category_id
        if zone_id is None:
            zone_id = zone_key(zone_url)
        yield ListingPage(raw_page(response), zone_id, page, self.scope.portal.name)
        # A later page that is no zone page, or one redirected to the home page, is read as the
        # zone's end, not as a failure: what the site answers for a page past a zone's end is
        # unknown (SITE-mst.md: paging not seen on mst; the replica answers 404), and were it a
        # redirect home, a failure would fail every full walk of every zone.
        if listing is None and page == 1:
            yield FetchFailure(response.url, "listing", "not a zone page", response.status)
            return
        yield FetchSuccess(response.url)
        if page == 1:
            name = (listing.category if listing else None) or meta.get("zone_name")
            yield CategorySeen(zone_id, name, zone_url, self.scope.portal.name)
        if page > 1:
            self._score_form(response.url, +1)
        yield from self._zone_items(listing, zone_id, response, page)

    def _zone_items(
        self, listing: Listing | None, zone_id: int, response: Response, page: int
    ) -> Iterator[Any]:
        meta = response.meta
        items = listing.items if listing is not None else []
        listed = self._listed_articles(zone_id, page, items, response.url)
        yield from listed.outputs
        all_known, item_ids = listed.all_known, listed.item_ids
        streak = meta.get("known_streak", 0) + 1 if all_known else 0
        stop = None
        if not items:
            stop = "empty page"
        elif self.stops_at_known_pages(meta, streak):
            stop = f"{streak} page(s) of archived articles"
        else:  # a page of articles already met (past the end), or the page limit
            stop = self.paging.stop(zone_id, page, item_ids)
        if stop:
            logger.info("zone %s: stop at page %d (%s)", zone_id, page, stop)
            return
        candidates: list[str] = []
        if listing is not None and listing.next_url:
            given = self.scope.onsite(listing.next_url, response.url)
            if given:
                candidates.append(given)
        candidates += [
            u for u in self._next_candidates(response.url, zone_id) if u not in candidates
        ]
        if page > 1:  # this zone answered in this form: its next page is in the same form
            form = self._form(response.url)
            candidates = [u for u in candidates if self._form(u) == form] or candidates
        if not candidates:
            logger.info("zone %s: no next page after page %d", zone_id, page)
            return
        yield self.zone_request(
            candidates[0],
            zone_id=zone_id,
            zone_url=meta["zone_url"],
            name=meta.get("zone_name"),
            page=page + 1,
            known_streak=streak,
            alternatives=tuple(candidates[1:]),
            to_the_end=bool(meta.get(TO_THE_END)),
        )

    def mst_zone_failed(self, failure: Failure) -> Iterator[Any]:
        """A zone page that failed: a missing page form makes way for the next form; past the
        first page, a zone whose every form is missing has simply ended."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        status = getattr(getattr(failure.value, "response", None), "status", None)
        page: int = meta.get("page", 1)
        if status in NO_SUCH_PAGE and page > 1:
            # an answer, not a failure: this form of the page does not exist (an earlier
            # failure of the same URL, e.g. a redirect offsite, is closed by it)
            yield FetchSuccess(request.url)
            self._score_form(request.url, -1)
            alternatives: tuple[str, ...] = meta.get("alternatives") or ()
            if alternatives:
                yield self.zone_request(
                    alternatives[0],
                    zone_id=meta.get("category_id"),
                    zone_url=meta["zone_url"],
                    name=meta.get("zone_name"),
                    page=page,
                    known_streak=meta["known_streak"],
                    alternatives=alternatives[1:],
                    to_the_end=bool(meta.get(TO_THE_END)),
                )
            else:
                logger.info(
                    "zone %s: no page %d in any form: end of the zone",
                    meta.get("category_id"),
                    page,
                )
            return
        yield from self.failed(failure)

    # ------------------------------------------------------------------ sitemaps and feeds

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        sitemap = parsers.parse_sitemap(response.body, response.url)
        if sitemap.kind == "index" and response.meta.get(SHARD):
            # One level only (SITE-mst.md §3.3: the index lists shards of URLs). An index in a
            # shard, then another in that one, each with new URLs, would never end.
            logger.warning("%s: a sitemap index inside a shard, not followed", response.url)
        elif sitemap.kind == "index":
            shards = [
                (url, e.lastmod)
                for e in sitemap.entries
                if (url := self.scope.onsite(e.loc, response.url))
            ]
            shards.sort(key=lambda s: mst.shard_sort_key(s[0], s[1]), reverse=True)
            # every shard but on an incremental run after a complete walk; also while a
            # backfill goes on: the run that began it read none before its time ran out
            # (shards come after the listings), and its walk's last run must find the
            # articles only the sitemap lists (zones outside the walked section)
            wanted = shards[:1] if self.early_stop and not self.backfill else shards
            logger.info("sitemap index: %d shards, reading %d", len(shards), len(wanted))
            for url, _ in wanted:
                yield scrapy.Request(
                    url,
                    callback=self.parse_sitemap,
                    errback=self.failed,
                    priority=PRIO_SITEMAP,
                    meta={"kind": "discovery", SHARD: True},
                )
        elif sitemap.kind == "urlset":
            self._note_discovered((e.loc for e in sitemap.entries), response.url, "sitemap")
        else:
            logger.info("%s is not a sitemap", response.url)

    def _note_discovered(self, hrefs: Any, page_url: str, source: str) -> None:
        count = 0
        for href in hrefs:
            found = self.scope.article_url(href, page_url)
            if found is None:
                continue
            count += 1
            self.discovered.setdefault(found[0], found[1])
        logger.info("%s %s: %d article links", source, page_url, count)
