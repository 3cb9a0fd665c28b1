"""The ``most`` spider: decides what to fetch on the ministry's sites, and nothing else.

A site's first request is its root page, whose markup says which portal it is
(``crawler.spiders.sites``); mst.gov.vn's walk is ``crawler.spiders.mst_walk``. Below, the
SharePoint portal's (www.most.gov.vn).

Walk: home → the categories of its menu → each category's listing pages, newest first → each
article once (deduplicated by the site's article id, whatever the link form) → its images and
attachments (page requisites, from whichever host serves them: ``crawler.requisites``). The
RSS feed and the web service's post list are read for discovery; articles found only there are
fetched after the listings, so a listing's link is always the URL an article is recorded under.

Incremental runs (the default, docs/crawling.md): a category's walk stops after
``ARCHIVE_STOP_AFTER_KNOWN_PAGES`` pages holding only archived articles; archived articles are
not fetched again unless the archive's decaying schedule says they are due, and then with a
conditional request. ``--full`` (``ARCHIVE_INCREMENTAL=False``) walks and fetches everything.
Open fetch errors of earlier runs and missing files are retried.

Fields are never selected here: every page goes to ``crawler.parsers``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, UsageError
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.defer import maybe_deferred_to_future

from archive import crawlstate
from crawler import outcome, parsers
from crawler.middlewares import robots_forbade
from crawler.parsers.urls import is_web_url
from crawler.portals import default_sites, most, mst
from crawler.portals.mst import host_of
from crawler.records import (
    ArticleGone,
    ArticlePage,
    CategoryLink,
    CategorySeen,
    FetchFailure,
    FetchSuccess,
    FileDownload,
    ListingPage,
    NotModified,
)
from crawler.settingtypes import problems
from crawler.spiders.frontier import WalkFrontier, is_backfill, kept_to_the_end
from crawler.spiders.mst_walk import MstWalk
from crawler.spiders.paging import PagingGuard
from crawler.spiders.sites import SiteStart, other_hosts
from crawler.spiders.state import (
    PER_REQUEST_META,
    TO_THE_END,
    ArchiveView,
    Listed,
    failed_url,
    failure_reason,
    header,
    is_connection_failure,
    raw_page,
    read_snapshot,
)
from crawler.urls import SiteScope, normalise_site

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from archive.crawlstate import OpenError, Recheck, Snapshot
    from archive.runlog import FrontierEntry
    from crawler.items import Article, Attachment, Image, ListingItem

logger = logging.getLogger(__name__)
CMDLINE = SETTINGS_PRIORITIES["cmdline"]  # the priority of -s NAME=VALUE

# Scheduler priorities. Files and articles go before the next listing page, so the queue holds
# about one listing page's worth of requests and memory stays flat in the site's size (issue 8);
# re-checks and late discovery (feeds) come last.
PRIO_HOME = 100
PRIO_FILE = 80
PRIO_ARTICLE = 60
PRIO_LISTING = 50
PRIO_RECHECK = -10
PRIO_DISCOVERED = -20
PAGE_PARAM = re.compile(r"([?&]page=)(\d+)", re.IGNORECASE)
LISTING_EXAMPLES = 5  # first listing pages without an article link named by the drift alarm
FOREIGN_FILE_RETRIES = 1  # retries of an image or attachment on a third party's host


class MostSpider(MstWalk, SiteStart, scrapy.Spider):
    name = "most"

    scope: SiteScope
    incremental: bool
    stop_after: int
    paging: PagingGuard
    discovery: bool
    fetch_files: bool
    files_per_article: int  # images and attachments fetched per article at most (0: all)
    extra_media_hosts: frozenset[str]
    fetch_displayed: bool
    known: frozenset[int]
    listed: frozenset[tuple[int, int]]
    rechecks: tuple[Recheck, ...]
    validators: dict[int, tuple[str | None, str | None]]
    missing_files: list[str]
    downloaded_files: frozenset[str]
    open_errors: tuple[OpenError, ...]
    files_given_up: frozenset[str]
    files_resting: frozenset[str]
    walk_complete_before: bool
    recent_failures: tuple[str, ...]
    early_stop: bool
    fallbacks: list[str]
    pending_sites: list[str]
    default_set: bool
    frontier: WalkFrontier
    frontier_site: str
    walk_finished: bool
    finished_sites: list[str]
    resume: tuple[FrontierEntry, ...]
    walk_known: frozenset[int]
    backfill: bool

    def __init__(
        self, site: str | None = None, snapshot: Snapshot | None = None, **kwargs: Any
    ) -> None:
        """``site``: ``-a site=URL``; ``snapshot``: the archive's state, when the caller
        (``crawler.run``) read it before the crawl; otherwise the spider reads it itself."""
        super().__init__(**kwargs)
        self.site_arg = site
        self.snapshot = snapshot if isinstance(snapshot, crawlstate.Snapshot) else None

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        """Scrapy applies the spider's settings when it makes the crawler, before anything is
        opened: a setting's hostile value (``-s ARCHIVE_MAX_PAGES=abc``) is a usage error
        there (``scrapy crawl``: exit 2), the one rule of crawler.settingtypes."""
        super().update_settings(settings)
        by_hand = [n for n in settings if (settings.getpriority(n) or 0) >= CMDLINE]
        wrong = problems(settings, by_hand)
        if wrong:
            raise UsageError("; ".join(wrong), print_help=False)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> MostSpider:
        spider: MostSpider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        # `scrapy crawl most` without -a site (and without -s ARCHIVE_SITE): the default set,
        # one site after the other (ARCHIVE_SITES, else every portal's default site)
        explicit = bool(spider.site_arg) or (
            (s.getpriority("ARCHIVE_SITE") or 0) > SETTINGS_PRIORITIES["project"]
        )
        sites = (
            [spider.site_arg or s.get("ARCHIVE_SITE") or most.DEFAULT_SITE]
            if explicit
            else ([u for u in s.getlist("ARCHIVE_SITES") if u.strip()] or default_sites())
        )
        spider.scope = SiteScope.of(sites[0])
        spider.pending_sites = [SiteScope.of(u).base for u in sites[1:]]
        spider.default_set = not explicit
        spider.incremental = s.getbool("ARCHIVE_INCREMENTAL")
        spider.stop_after = max(1, s.getint("ARCHIVE_STOP_AFTER_KNOWN_PAGES"))
        spider.paging = PagingGuard(
            user_limit=max(0, s.getint("ARCHIVE_MAX_PAGES")),
            bound=max(0, s.getint("ARCHIVE_MAX_PAGES_BOUND")),
            links=max(0, s.getint("ARCHIVE_MAX_LINKS_PER_PAGE")),
        )
        spider.discovery = s.getbool("ARCHIVE_DISCOVERY")
        spider.fetch_files = s.getbool("ARCHIVE_FETCH_FILES")
        spider.files_per_article = max(0, s.getint("ARCHIVE_MAX_FILES_PER_ARTICLE"))
        spider.extra_media_hosts = frozenset(
            h.strip().lower().rstrip(".") for h in s.getlist("ARCHIVE_MEDIA_HOSTS") if h.strip()
        )
        spider.fallbacks = [
            normalise_site(u) for u in s.getlist("ARCHIVE_FALLBACK_SITES") if u.strip()
        ]
        if spider.default_set and not s.getlist("ARCHIVE_SITES"):
            spider.fallbacks = other_hosts(spider.scope.base)
        spider.fetch_displayed = s.getbool("ARCHIVE_FETCH_DISPLAYED_IMAGES")
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        # where the walk stands, kept for the next run when a time limit ends this one
        spider.frontier = WalkFrontier()
        spider.frontier.connect(crawler)
        spider.frontier_site = spider.scope.base
        spider.walk_finished = False
        spider.finished_sites = []  # sites of a set whose walk is complete (scrapy crawl most)
        return spider

    # ------------------------------------------------------------------ state from the archive

    async def _load_archive_state(self) -> None:
        """What the archive already holds, from the snapshot read once before the first request.

        The snapshot is handed in by ``crawler.run``; under ``scrapy crawl most`` it is read here,
        read-only, on a worker thread (the pipeline has opened and migrated the archive by now).
        """
        snapshot = self.snapshot
        if snapshot is None:
            from twisted.internet.threads import deferToThread

            settings = self.crawler.settings
            snapshot = await maybe_deferred_to_future(
                deferToThread(read_snapshot, settings, self.scope.base)
            )
            self.snapshot = snapshot
        self._apply_view(ArchiveView.of(snapshot, self.scope))

    def _apply_view(self, view: ArchiveView) -> None:
        """Take the archive's state for the site about to be walked (the first site's at the
        start; each later site's, judged by its own last run and frontier, by ``next_site``)."""
        self.known = view.known
        self.listed = view.listed
        self.rechecks = view.rechecks
        self.validators = view.validators
        self.missing_files = view.missing_files
        self.downloaded_files = view.downloaded_files
        self.open_errors = view.open_errors
        self.files_given_up = view.files_given_up
        self.files_resting = view.files_resting
        self.walk_complete_before = view.walk_complete_before
        self.resume = view.frontier
        # A walk that goes on from a time-limited run's frontier re-checks only the first pages
        # of each category (the frontier holds the rest); its queued articles count as known.
        resumed_ids = {e.site_id for e in self.resume if e.site_id is not None}
        self.walk_known = self.known | frozenset(resumed_ids)
        # a backfill goes on (a walk to the end kept by a time-limited run): the discovery
        # sources are read whole, as by the run that began it, whose time ran out before them
        self.backfill = any(is_backfill(e) for e in self.resume)
        self.recent_failures = view.recent_article_errors
        self.early_stop = False  # decided once the portal is known: _portal_requests
        logger.info(
            "archive holds %d articles; %s run; %d re-checks due; %d files missing%s; "
            "%d open errors",
            len(self.known),
            "incremental" if self.incremental else "full",
            len(self.rechecks),
            len(self.missing_files),
            f" ({len(self.files_given_up)} given up: gone from the site for a week)"
            if self.files_given_up
            else "",
            len(self.open_errors),
        )

    def _walk_stops_early(self) -> tuple[bool, str]:
        """Whether a listing walk may end at its first pages of archived articles, and if not
        in an incremental run, why. Only after a walk that reached every category's end (or
        going on from a time-limited run's frontier), and not while an article of this site
        failed recently: its categories are learnt from the listings that show it. The site's
        own articles are those on its hosts (:meth:`SiteScope.contains`), asked once its portal
        is known: an archive of both portals holds the other's failures too."""
        if not (self.walk_complete_before or self.resume):
            return False, "no complete walk of this site before this run"
        failed = sum(1 for url in self.recent_failures if self.scope.contains(url))
        if failed:
            return False, f"{failed} of its articles failed recently"
        return True, ""

    # ------------------------------------------------------------------ start

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.paging.stats = self.crawler.stats
        await self._load_archive_state()
        self._reset_walk()
        # The site's portal is recognised from its root page's markup, never from its host.
        yield self.root_request()

    def _reset_walk(self) -> None:
        """The state of one site's walk."""
        self.scheduled: set[int] = set()  # article ids requested in this run
        self.done: set[int] = set()  # article ids whose page was parsed in this run
        self.cats_of: dict[int, set[int]] = {}  # article id -> listing category ids seen
        self.empty_first_pages: list[str] = []  # first listing pages without an article link
        self.files_requested: set[str] = set()
        self.discovered: dict[int, str] = {}  # article id -> URL, from RSS / web service
        self.discovery_flushed = False
        self.mst_reset()

    def _home_request(self) -> scrapy.Request:
        return scrapy.Request(
            self.scope.home_url,
            callback=self.parse_home,
            errback=self.failed,
            priority=PRIO_HOME,
            meta={"kind": "listing"},
        )

    def _portal_requests(self) -> Iterator[scrapy.Request]:
        """Once the portal is known: its feeds, retries of open errors, re-checks, files."""
        stops, why = self._walk_stops_early()
        self.early_stop = self.incremental and stops
        if self.incremental and not stops:
            logger.info("%s: every listing page is walked (%s)", self.scope.base, why)
        if self.discovery:
            for url in self.scope.entry_urls("rss"):
                yield scrapy.Request(
                    url,
                    callback=self.parse_rss,
                    errback=self.failed,
                    meta={"kind": "discovery"},
                    priority=PRIO_LISTING,
                )
            for url in self.scope.entry_urls("webservice"):
                yield scrapy.Request(
                    url,
                    callback=self.parse_webservice,
                    errback=self.failed,
                    meta={"kind": "discovery"},
                    priority=PRIO_LISTING,
                )
            for url in self.scope.entry_urls("sitemap"):
                yield scrapy.Request(
                    url,
                    callback=self.parse_sitemap,
                    errback=self.failed,
                    meta={"kind": "discovery"},
                    priority=PRIO_LISTING,
                )
        yield from self._resumed_requests()
        yield from self._retry_open_errors()
        for check in self.rechecks:
            if getattr(check, "portal", self.scope.portal.name) != self.scope.portal.name:
                continue  # another portal's article: its own site's crawl re-checks it
            validators = (check.etag, check.last_modified)
            found = self.scope.article_url(check.url)  # stored under another --site? move it
            if found is None and self.scope.portal.article_id(check.url) is None:
                continue  # not an article URL of this portal
            url = found[1] if found else check.url
            recheck = self._article_request(check.site_id, url, PRIO_RECHECK, validators=validators)
            if recheck is not None:
                yield recheck
        # the site's own missing files, told apart now that the portal is known (an archive of
        # both portals lists the other's too: its run fetches them)
        for url in self.missing_files:
            file_request = self._file_request(url, None) if self._own_file(url) else None
            if file_request is not None:
                yield file_request

    def _resumed_requests(self) -> Iterator[scrapy.Request]:
        """The requests a time-limited run left (its walk's frontier), once."""
        resume, self.resume = self.resume, ()
        if resume:
            logger.info("going on from the last run's frontier: %d requests", len(resume))
        for request in WalkFrontier.restore(resume, self):
            site_id = request.meta.get("site_id")
            if request.meta.get("kind") == "listing":
                request.meta[TO_THE_END] = kept_to_the_end(request.meta)
            if request.meta.get("kind") == "article" and isinstance(site_id, int):
                self.scheduled.add(site_id)
                self.cats_of.setdefault(site_id, set()).update(request.meta.get("categories", ()))
            yield request

    def _retry_open_errors(self) -> Iterator[scrapy.Request]:
        for err in self.open_errors:
            if err.kind == "listing":
                url = self.scope.onsite(err.url)
                if url and self.scope.portal.name == mst.NAME:
                    if mst.is_zone_url(url):  # the zone's walk again; its later pages follow
                        yield self.zone_request(
                            url, zone_id=None, zone_url=url, name=None, page=1, known_streak=0
                        )
                    elif (page := mst.listing_page_number(url)) > 1:
                        # a later page (timeline or trang-N): this run's walk may reach the
                        # zone's pages by the other form, so that very page is asked again
                        zone_id = mst.timeline_zone_id(url)
                        zone_url = mst.paged_zone_url(url, 1) or self.scope.base + "/"
                        yield self.zone_request(
                            url,
                            zone_id=zone_id,
                            zone_url=zone_url,
                            name=None,
                            page=page,
                            known_streak=0,
                        )
                elif url and url not in (self.scope.home_url, self.scope.base + "/"):
                    # (the root and the home page are asked again by every run anyway)
                    cat = parsers.category_id_from_url(url)
                    yield self._listing_request(url, cat, page=0, known_streak=0)
            elif err.kind == "article":
                found = self.scope.article_url(err.url)
                if found:
                    request = self._article_request(found[0], found[1], PRIO_ARTICLE)
                    if request is not None:
                        yield request
            elif err.kind == "file" and self.fetch_files and self._own_file(err.url):
                request = self._file_request(err.url, None)
                if request is not None:
                    yield request

    # ------------------------------------------------------------------ requests

    def _listing_request(
        self,
        url: str,
        category_id: int | None,
        *,
        page: int,
        known_streak: int,
        last_page: int | None = None,
        to_the_end: bool = False,
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.failed,
            priority=PRIO_LISTING,
            meta={
                "kind": "listing",
                "category_id": category_id,
                "page": page,
                "known_streak": known_streak,
                "last_page": last_page,
                TO_THE_END: self.walks_to_the_end(to_the_end),
            },
        )

    def walks_to_the_end(self, inherited: object = False) -> bool:
        """Whether a category's walk goes on to its end (:data:`state.TO_THE_END`): it was
        begun so (``inherited``, the page before's mark), or this run stops no walk early."""
        return bool(inherited) or not self.early_stop

    def stops_at_known_pages(self, meta: dict[str, Any], streak: int) -> bool:
        """The incremental early stop, one rule for both portals' walks: ``streak`` pages in a
        row held only archived articles, on a walk that need not go to its end. A walk taken
        up from a time-limited run's frontier goes on: more than a page of news since that run
        pushes pages it already archived down to where it stopped, and stopping there would
        leave the category's older pages, and their articles, unwalked for good."""
        return self.early_stop and not meta.get(TO_THE_END) and streak >= self.stop_after

    def _skip_failed_listing(self, request: scrapy.Request) -> scrapy.Request | None:
        """After a listing page failed for good, go on with the page after it (if known)."""
        meta = request.meta
        page, last = meta.get("page") or 0, meta.get("last_page")
        url = (meta.get("redirect_urls") or [request.url])[0]
        if not page or not last or page >= last or not PAGE_PARAM.search(url):
            return None
        if not self.paging.may_fetch(page + 1):
            return None
        following = PAGE_PARAM.sub(lambda m: f"{m.group(1)}{page + 1}", url, count=1)
        return self._listing_request(
            following,
            meta.get("category_id"),
            page=page + 1,
            known_streak=0,
            last_page=last,
            to_the_end=bool(meta.get(TO_THE_END)),
        )

    def _article_request(
        self,
        site_id: int,
        url: str,
        priority: int,
        *,
        validators: tuple[str | None, str | None] | None = None,
    ) -> scrapy.Request | None:
        """The request of an article page, once per run per article id."""
        if site_id in self.scheduled:
            return None
        self.scheduled.add(site_id)
        if validators is None and site_id in self.validators:
            validators = self.validators[site_id]
        headers: dict[str, str] = {}
        if validators is not None:
            etag, modified = validators
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.failed,
            priority=priority,
            headers=headers or None,
            dont_filter=True,
            meta={
                "kind": "article",
                "site_id": site_id,
                "canonical": url,
                "handle_httpstatus_list": [304] if headers else [],
            },
        )

    @property
    def media_hosts(self) -> frozenset[str]:
        """The hosts whose files are the site's own: its portal's, and ARCHIVE_MEDIA_HOSTS."""
        return self.scope.portal.media_hosts | self.extra_media_hosts

    def _own_file(self, url: str) -> bool:
        """Whether a file is the site's own: on its portal's hosts or media hosts. A third
        party's failure is never recorded, so any other open file error, or missing file, is
        the other portal's, for that portal's run."""
        return self.scope.onsite(url) is not None or host_of(url) in self.media_hosts

    def _file_request(self, url: str, site_id: int | None) -> scrapy.Request | None:
        """An image or attachment: a page requisite, fetched from whichever http(s) host serves
        it (on-site ones moved onto the base; internal addresses refused: crawler.requisites)."""
        target = self.scope.onsite(url)
        # on neither the site's hosts nor the portal's media hosts: a third party's file, tried
        # once more at most; its failure is not the site's (not recorded, the run not partial)
        foreign = target is None and host_of(url) not in self.media_hosts
        if target is None and is_web_url(url):
            target = url.split("#", 1)[0]
        if target is None or url in self.files_requested or url in self.files_resting:
            return None  # (resting: given up, not due again this run: archive.crawlstate)
        self.files_requested.add(url)
        meta: dict[str, Any] = {"kind": "file", "file_url": url, "site_id": site_id}
        if foreign:
            meta.update(foreign=True, max_retry_times=FOREIGN_FILE_RETRIES)
        return scrapy.Request(
            target, callback=self.parse_file, errback=self.failed, priority=PRIO_FILE, meta=meta
        )

    # ------------------------------------------------------------------ callbacks

    def parse_home(self, response: Response) -> Iterator[Any]:
        yield ListingPage(raw_page(response), None, 0, self.scope.portal.name)  # as fetched (WARC)
        urls = parsers.parse_home(response.body, response.url)
        seen: set[int] = set()
        for href in urls:
            url = self.scope.onsite(href, response.url)
            category_id = parsers.category_id_from_url(url) if url else None
            if url is None or category_id is None or category_id in seen:
                continue
            seen.add(category_id)
            yield CategorySeen(category_id, None, url, self.scope.portal.name)
            yield self._listing_request(url, category_id, page=1, known_streak=0)
        if not seen:
            yield FetchFailure(
                response.url, "listing", "home page lists no category", response.status
            )
        else:
            yield FetchSuccess(response.url)  # resolves the home page's earlier failure
        logger.info("home page: %d categories", len(seen))

    def parse_listing(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        listing = parsers.parse_listing(response.body, response.url)
        category_id = meta.get("category_id")
        if listing is None:
            yield ListingPage(
                raw_page(response), category_id, meta.get("page", 0), self.scope.portal.name
            )
            asked = failed_url(meta, response.url)  # the listing page, not where it landed
            if asked != response.url:
                logger.warning("listing page %s: redirected to %s, no listing", asked, response.url)
            yield FetchFailure(asked, "listing", "not a listing page", response.status)
            return
        category_id = listing.category_id if listing.category_id is not None else category_id
        page = listing.page or meta.get("page") or 1
        yield ListingPage(raw_page(response), category_id, page, self.scope.portal.name)
        yield FetchSuccess(response.url)
        if category_id is not None:
            yield CategorySeen(
                category_id,
                listing.category,
                self._listing_base(response.url),
                self.scope.portal.name,
            )
        listed = self._listed_articles(category_id, page, listing.items, response.url)
        yield from listed.outputs
        all_known, item_ids = listed.all_known, listed.item_ids
        streak = meta.get("known_streak", 0) + 1 if all_known else 0
        stop = None
        if not listing.items:
            stop = "empty page"
        elif not listing.next_url:
            stop = "last page"
        elif self.stops_at_known_pages(meta, streak):
            stop = f"{streak} page(s) of archived articles"
        else:
            stop = self.paging.stop(category_id, page, item_ids)
        if stop:
            logger.info("category %s: stop at page %s (%s)", category_id, page, stop)
            return
        assert listing.next_url is not None
        next_url = self.scope.onsite(listing.next_url, response.url)
        if next_url:
            yield self._listing_request(
                next_url,
                category_id,
                page=page + 1,
                known_streak=streak,
                last_page=listing.last_page,
                to_the_end=bool(meta.get(TO_THE_END)),
            )

    def _listed_articles(
        self, category_id: int | None, page: int, items: Sequence[ListingItem], page_url: str
    ) -> Listed:
        """What a listing page's article links give, on either portal: the category links to
        record and the article requests to make (in the page's order), the page's ids (the
        pager's repeat check) and whether every article was known already, and linked to this
        category (the early stop)."""
        listed = Listed(all_known=bool(items))
        articles = 0
        for item in self.paging.take(category_id, page, items):
            found = self.scope.article_url(item.url, page_url)
            if found is None:
                listed.item_ids.append(item.url)
                continue
            articles += 1
            site_id, url = found
            listed.item_ids.append(site_id)
            unlinked = False
            if category_id is not None:
                cats = self.cats_of.setdefault(site_id, set())
                new_link = category_id not in cats
                cats.add(category_id)
                # archived without this listing's link (found by a feed or a sitemap while
                # this listing's page failed, or moved here): the page brings the link
                unlinked = new_link and (site_id, category_id) not in self.listed
                if new_link and (
                    site_id in self.done
                    or (site_id in self.known and site_id not in self.scheduled)
                ):
                    listed.outputs.append(
                        CategoryLink(site_id, category_id, url, self.scope.portal.name)
                    )
            if site_id not in self.walk_known or unlinked:  # queued by the frontier: known
                listed.all_known = False
            if site_id in self.known and self.incremental:
                continue  # archived: only re-checked when the schedule says so
            request = self._article_request(site_id, url, PRIO_ARTICLE)
            if request is not None:
                listed.outputs.append(request)
        if articles and self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"archive/{outcome.LISTING_PAGES_LISTING}")
        if page == 1:
            self._note_first_page(page_url, articles)
        return listed

    def _note_first_page(self, url: str, articles: int) -> None:
        """Count a category's first listing page, and whether it listed no article link: when
        none of a run's first pages lists one, the listing markup (or the article URLs) drifted
        (crawler.pipelines checks it at the end, with the article drift)."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"archive/{outcome.LISTING_FIRST_PAGES}")
        if not articles:
            stats.inc_value(f"archive/{outcome.LISTING_FIRST_PAGES_EMPTY}")
            if len(self.empty_first_pages) < LISTING_EXAMPLES:
                self.empty_first_pages.append(url)

    @staticmethod
    def _listing_base(url: str) -> str:
        return url.split("?", 1)[0]

    def parse_article(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        site_id: int = meta["site_id"]
        canonical: str = meta["canonical"]
        landed = self.scope.portal.article_id(response.url)
        if landed is not None and landed != site_id:
            # a redirect to another article's page: never file one article under another
            yield FetchFailure(
                canonical,
                "article",
                f"redirected to article {landed} ({response.url})",
                response.status,
            )
            return
        if site_id in self.known and meta.get("redirect_urls") and self.scope.is_home(response.url):
            # the site sends an article it no longer has to its home page: withdrawn
            logger.warning(
                "archived article %s is gone from the site (redirected to the home page)", canonical
            )
            status = (meta.get("redirect_reasons") or [302])[-1]
            yield ArticleGone(
                site_id,
                canonical,
                status if isinstance(status, int) else 302,
                self.scope.portal.name,
            )
            return
        yield FetchSuccess(canonical)
        if response.status == 304:
            self.done.add(site_id)
            yield NotModified(site_id, canonical, self.scope.portal.name)
            return
        article = parsers.parse_article(response.body, canonical)
        self.done.add(site_id)
        yield ArticlePage(
            site_id=site_id,
            url=canonical,
            raw=raw_page(response),
            article=article,
            categories=sorted(self.cats_of.get(site_id, ())),
            etag=header(response, b"ETag"),
            last_modified=header(response, b"Last-Modified"),
            portal=self.scope.portal.name,
        )
        if article is None or not self.fetch_files:
            return
        images, attachments = self._bounded_files(article)
        urls = [i.url for i in images] + [a.url for a in attachments]
        if self.fetch_displayed:  # the forms the page shows, for replay (docs/settings.md)
            urls += [i.display_url for i in images if i.display_url and i.display_url != i.url]
        for url in urls:
            if url in self.downloaded_files:
                continue
            request = self._file_request(url, site_id)
            if request is not None:
                yield request

    def _bounded_files(self, article: Article) -> tuple[list[Image], list[Attachment]]:
        """The images and attachments of ``article`` to fetch: at most
        ``ARCHIVE_MAX_FILES_PER_ARTICLE`` of each, the first in document order (the same rule
        bounds the missing files a later run fetches: ``crawlstate.missing_files``)."""
        cap = self.files_per_article
        images, attachments = article.images, article.attachments
        if not cap or (len(images) <= cap and len(attachments) <= cap):
            return images, attachments
        self.crawler.stats.inc_value("archive/article_files_capped")
        logger.warning(
            "%s lists %d images and %d attachments: only the first %d of each are fetched "
            "(ARCHIVE_MAX_FILES_PER_ARTICLE)",
            article.url,
            len(images),
            len(attachments),
            cap,
        )
        return images[:cap], attachments[:cap]

    def parse_file(self, response: Response) -> Iterator[Any]:
        url = response.meta["file_url"]
        if parsers.is_html_page(response.body):
            # an error or login page served with 200 (SITE.md 20): never archived as the file;
            # a failure like a 404, so the next run asks again
            reason = crawlstate.FILE_IS_HTML_PAGE
            yield from self._file_failed(url, reason, response.status, response.meta)
            return
        raw = raw_page(response)
        yield FileDownload(
            url,
            response.body,
            header(response, b"Content-Type"),
            response.meta.get("site_id"),
            raw.status,
            raw.headers,
        )
        yield FetchSuccess(url)

    def parse_rss(self, response: Response) -> Iterator[Any]:
        yield from self._discovered(parsers.parse_rss(response.body, response.url), "rss")

    def parse_webservice(self, response: Response) -> Iterator[Any]:
        urls = parsers.parse_webservice_posts(response.body, response.url)
        yield from self._discovered(urls, "web service")

    def _discovered(self, urls: Iterable[str], source: str) -> Iterator[Any]:
        count = 0
        for href in urls:
            found = self.scope.article_url(href)
            if found is None:
                continue
            site_id, url = found
            count += 1
            # A friendly URL is better than the legacy form; the first friendly one wins.
            legacy = self.scope.portal.is_legacy_article_url
            if site_id not in self.discovered or (
                legacy(self.discovered[site_id]) and not legacy(url)
            ):
                self.discovered[site_id] = url
        logger.info("%s: %d article links", source, count)
        return iter(())

    def failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        kind = meta.get("kind", "listing")
        reason, status = failure_reason(failure)
        if robots_forbade(failure):
            # the site asked not to be crawled there: respected, not a failure (a run that
            # fetched nothing else is "forbidden": crawler.outcome)
            logger.info("robots.txt forbids %s: not fetched", request.url)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(f"archive/{outcome.ROBOTS_FORBIDDEN}")
            return
        legacy = self.scope.legacy_article_url(meta["site_id"]) if kind == "article" else None
        if legacy and status == 500 and not meta.get("legacy"):
            # SITE.md §10.3: the friendly form can fail with 500 while the legacy form works.
            logger.info("article %s: HTTP 500, trying %s", meta["site_id"], legacy)
            fresh = {k: v for k, v in meta.items() if k not in PER_REQUEST_META}
            yield request.replace(url=legacy, dont_filter=True, meta={**fresh, "legacy": True})
            return
        first_url = (meta.get("redirect_urls") or [request.url])[0]
        url = failed_url(meta, request.url)
        if first_url == self.scope.home_url and is_connection_failure(failure):
            # the home page could not even be connected to: one clear line; if nothing else
            # answers either, the run is "unreachable" (crawler.outcome)
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"archive/{outcome.SITE_UNREACHABLE}")
            logger.warning("site %s is unreachable: %s", self.scope.base, reason)
            yield FetchFailure(url, kind, reason, status)
            return
        if kind == "listing":
            following = self._skip_failed_listing(request)
            if following is not None:
                yield following
        if kind == "discovery":
            logger.info("optional discovery source %s did not answer: %s", request.url, reason)
        elif kind == "file":
            yield from self._file_failed(url, reason, status, meta)
            return
        elif kind == "article" and status in (404, 410) and meta.get("site_id") in self.known:
            # an archived article the site no longer serves: its archived copy is kept
            logger.warning("archived article %s is gone from the site (HTTP %s)", url, status)
            yield ArticleGone(meta["site_id"], url, status, self.scope.portal.name)
            return
        else:
            logger.warning("failed %s %s: %s", kind, url, reason)
        yield FetchFailure(url, kind, reason, status)

    def _file_failed(
        self, url: str, reason: str, status: int | None, meta: dict[str, Any]
    ) -> Iterator[FetchFailure]:
        """An image or attachment that could not be fetched. A third party's: best effort, no
        error of the site or the archive (not recorded). The site's: a failure; one given up
        (``archive.crawlstate.given_up_files``) is recorded again without making the run
        partial."""
        if meta.get("foreign"):
            logger.info("third-party file %s not fetched: %s", url, reason)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("archive/requisites_unavailable")
            return
        if url in self.files_given_up:
            logger.info("file %s, given up, still not fetched: %s", url, reason)
            yield FetchFailure(url, "file", reason, status, counted=False)
            return
        logger.warning("failed file %s: %s", url, reason)
        yield FetchFailure(url, "file", reason, status)

    # ------------------------------------------------------------------ end of the walk

    def on_idle(self) -> None:
        """When the listings are walked, fetch the articles only the feeds know of; then, in a
        crawl of several sites (``scrapy crawl most`` without a site), go on with the next."""
        if self.discovery_flushed:
            if self.pending_sites:
                self._next_site_of_set()
                raise DontCloseSpider
            self.walk_finished = self._walk_taken_up()
            return
        added = 0
        for request in self.discoveries_left():
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(request)
            added += 1
        self.discovery_flushed = True
        if added:
            logger.info("%d articles found only by RSS / web service", added)
            raise DontCloseSpider
        if self.pending_sites:
            self._next_site_of_set()
            raise DontCloseSpider
        self.walk_finished = self._walk_taken_up()

    def _walk_taken_up(self) -> bool:
        """Whether the site's walk went on from the frontier an earlier run left (if any): not
        when the site never answered (unreachable), whose frontier is kept for the next run
        instead of being forgotten as a completed walk's."""
        return not self.resume

    def _next_site_of_set(self) -> None:
        """This site's walk is over: the next site of the set, with its own frontier."""
        if self._walk_taken_up():
            self.finished_sites.append(self.frontier_site)
        self.next_site()
        self.frontier_site = self.scope.base

    def discoveries_left(self) -> list[scrapy.Request]:
        """The requests of the articles the feeds and sitemap found that this run had not asked
        for yet (they are asked once the listings are walked, :meth:`on_idle`): what a run its
        time limit ended keeps with its frontier, for the next run to fetch."""
        if self.discovery_flushed:
            return []
        return [
            request
            for site_id, url in self.discovered.items()
            if not (site_id in self.scheduled or (site_id in self.known and self.incremental))
            and (request := self._article_request(site_id, url, PRIO_DISCOVERED)) is not None
        ]

    def frontier_meta(self, request: scrapy.Request) -> dict[str, Any]:
        """What a kept article request needs besides its own meta: the listings it was in."""
        site_id = request.meta.get("site_id")
        if request.meta.get("kind") != "article" or not isinstance(site_id, int):
            return {}
        return {"categories": sorted(self.cats_of.get(site_id, ()))}
