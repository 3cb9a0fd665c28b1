"""The one item pipeline: validate what the spider yields and hand it to ``archive.store``.

No SQL and no parsing here. An article needs a title, a date and a body; a page that yields
less is kept as a raw page and recorded as a fetch error, never stored as an article.
Counts go to the crawl's stats (``archive/*`` keys), from which the run's summary is made.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from archive import drift, store
from archive.batch import BatchWriter, WriteAbandoned
from archive.db import open_archive
from archive.files import files_dir_for, sweep_temporaries
from archive.lock import crawl_lock
from crawler import outcome as outcomes
from crawler.records import (
    NEXT_SITE,
    ArticleGone,
    ArticlePage,
    CategoryLink,
    CategorySeen,
    FetchFailure,
    FetchSuccess,
    FileDownload,
    ListingPage,
    NotModified,
    RawPage,
)
from crawler.urls import SiteScope

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Self

    import sqlite_utils
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector
    from twisted.internet.defer import Deferred

    from crawler.items import Article

logger = logging.getLogger(__name__)

# The drift alarms' details (portal, share, example URLs) in the stats; the run's counts keep
# them under "drift".
DRIFT_REPORT = "archive/drift_report"


def drift_rule(settings: BaseSettings) -> drift.DriftRule:
    """The drift alarm's rule from ``ARCHIVE_DRIFT_*`` (defaults: :mod:`archive.drift`)."""
    return drift.DriftRule(
        window=settings.getint("ARCHIVE_DRIFT_WINDOW"),
        threshold=settings.getfloat("ARCHIVE_DRIFT_THRESHOLD"),
        min_samples=settings.getint("ARCHIVE_DRIFT_MIN_SAMPLES"),
    )


# Fetch errors of these kinds make a run "partial" (crawler.outcome); discovery sources are
# optional.
COUNTED_ERROR_KINDS = frozenset({"listing", "article", "file"})


def missing_fields(article: Article) -> list[str]:
    """The required fields an article lacks: a title, a date and a body."""
    missing = []
    if not article.title.strip():
        missing.append("title")
    if not article.published_at:
        missing.append("date")
    if not any(p.strip() for p in article.body):
        missing.append("body")
    return missing


def _reactor() -> Any:
    """The installed reactor (its system-event triggers are untyped in Twisted's stubs)."""
    from twisted.internet import reactor

    return reactor


class DaemonThread(threading.Thread):
    """A thread that never keeps the process alive (for Twisted's ``ThreadPool.threadFactory``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.daemon = True


class WriterThread:
    """One thread that does every archive write, in the order the items arrive, many items per
    transaction (:class:`archive.batch.BatchWriter`; its limits: ``ARCHIVE_BATCH_*``).

    Writes block on disk (SQLite commits, fsync of each stored file); on the reactor thread they
    would stall the downloads. One thread keeps the archive's single connection to one user at
    a time and keeps the spider's order (an article is stored before its later category links,
    a fetch error is resolved in the same transaction as the page that resolved it or a later
    one): whatever a kill takes with the open transaction, nothing committed says it was done.
    An item's Deferred fires once it is written; a commit that fails calls ``lost`` (on the
    reactor thread) with the exception and the number of items it lost.
    """

    # How long a stop waits for the write in progress (a second Ctrl-C must end the process at
    # once, and the run's outcome is written after it).
    ABANDON_SECONDS = 5.0

    def __init__(
        self,
        db: sqlite_utils.Database,
        settings: BaseSettings,
        lost: Callable[[BaseException, int], None],
    ) -> None:
        self.lost = lost
        self.closing = False
        self._lost_at_close: list[tuple[BaseException, int]] = []

        def on_lost(exc: BaseException, writes: int) -> None:  # on the writer thread
            if self.closing:  # the reactor thread waits in stop(): told there, in order
                self._lost_at_close.append((exc, writes))
            else:
                _reactor().callFromThread(lost, exc, writes)

        self.writer = BatchWriter(
            db,
            max_items=settings.getint("ARCHIVE_BATCH_ITEMS"),
            max_seconds=settings.getfloat("ARCHIVE_BATCH_SECONDS"),
            idle_seconds=settings.getfloat("ARCHIVE_BATCH_IDLE_SECONDS"),
            lost=on_lost,
        )

    def run(self, func: Callable[..., Any], *args: Any) -> Deferred[Any]:
        from twisted.internet.defer import Deferred

        deferred: Deferred[Any] = Deferred()
        reactor = _reactor()

        def done(result: Any, exc: BaseException | None) -> None:  # on the writer thread
            if exc is None:
                reactor.callFromThread(deferred.callback, result)
            else:
                reactor.callFromThread(deferred.errback, exc)

        self.writer.submit(func, *args, done=done)
        return deferred

    def stop(self, last: Callable[[], None] | None = None) -> None:
        """Write what is queued, then ``last`` (the closing write, if any), commit, and stop
        (the crawl is closing). A write or commit that fails now is reported before this
        returns, so the run's outcome counts it."""
        self.closing = True
        if last is not None:

            def done(_result: object, exc: BaseException | None) -> None:  # writer thread
                if exc is not None:
                    self._lost_at_close.append((exc, 1))

            self.writer.submit(last, done=done)
        self.writer.close()
        for exc, writes in self._lost_at_close:
            self.lost(exc, writes)
        self._lost_at_close.clear()

    def abandon(self) -> None:
        """The process is ending at once: commit what is written (after the write in progress)
        and stop, so that the run's outcome, written next on another connection, never waits
        for this one's lock. Queued items are dropped: nothing records them as done."""
        if not self.writer.abandon(self.ABANDON_SECONDS):
            logger.error("the archive writer is still busy; the run's record may wait for it")


class ArchivePipeline:
    """Writes every crawl record into the SQLite archive through :mod:`archive.store`."""

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats  # type: ignore[assignment]
        self.db_path = Path(s.get("ARCHIVE_DB"))
        self.files_dir = Path(s.get("ARCHIVE_FILES") or files_dir_for(self.db_path))
        self.run_id: int | None = s.getint("ARCHIVE_RUN_ID") or None
        self.site = s.get("ARCHIVE_SITE")
        self.mode = run_mode(s)
        self.own_run = self.run_id is None
        self.stopping = False  # a storage failure has asked the crawl to stop
        self.drift_rule = drift_rule(s)
        self._lock: contextlib.AbstractContextManager[Path] | None = None
        self._stats_before: dict[str, Any] = {}  # the stats when the current site's run began
        # articles the current site's run found gone, withdrawn when the run ends if the site
        # served its pages (crawler.outcome.site_served_pages); writer thread only
        self._gone: list[ArticleGone] = []
        self.db: sqlite_utils.Database
        self._writer: WriterThread
        self._shutdown_trigger: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler)
        if pipeline.own_run:
            # The run's outcome needs Scrapy's finish reason, known only once the spider closed
            # (after the pipelines): the run is finished then.
            crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
            crawler.signals.connect(pipeline.next_site, signal=NEXT_SITE)
        return pipeline

    # ------------------------------------------------------------------ lifecycle

    def open_spider(self, spider: Spider | None = None) -> None:
        if self.own_run:
            # ``scrapy crawl most`` used directly: take the lock and record the run here.
            self._lock = crawl_lock(self.db_path)
            self._lock.__enter__()
        self.db = open_archive(self.db_path)
        # The crawl lock is held (by us or by crawler.run): no other writer of files is alive.
        swept = sweep_temporaries(self.files_dir)
        if swept:
            logger.warning("removed %d half-written file(s) left by a killed crawl", swept)
        if self.own_run:
            scope = getattr(self.crawler.spider, "scope", None)
            site = getattr(scope, "base", self.site)
            self.run_id = store.start_run(self.db, site=site, mode=self.mode)
        self._writer = WriterThread(self.db, self.crawler.settings, self._commit_failed)
        # A process stopped at once (a second Ctrl-C) never closes the spider: its open batch
        # is committed before the reactor stops, before anything else writes the archive.
        self._shutdown_trigger = _reactor().addSystemEventTrigger(
            "before", "shutdown", self._writer.abandon
        )

    def close_spider(self, spider: Spider | None = None) -> None:
        with contextlib.suppress(ValueError, KeyError):  # gone if it has fired
            _reactor().removeSystemEventTrigger(self._shutdown_trigger)
        # the last site's articles gone from it, written and committed with the last batch
        self._writer.stop(last=self._settle_gone)
        try:
            self._check_drift()
            self._keep_frontier()
        except (sqlite3.Error, OSError) as exc:  # e.g. the disk that stopped the crawl
            logger.error("could not check the markup drift or keep the walk's frontier: %s", exc)
        finally:
            if not self.own_run:
                self.db.close()

    def _keep_frontier(self) -> None:
        """A run its time limit ended keeps its walk's frontier for the next run; a run that
        completed its walk forgets any earlier one (``crawler.spiders.frontier``)."""
        spider = self.crawler.spider
        frontier = getattr(spider, "frontier", None)
        site = getattr(spider, "frontier_site", None)
        if frontier is None or not isinstance(site, str):
            return
        if self.stats.get_value(f"archive/{outcomes.TIME_LIMITED}"):
            extra_meta = getattr(spider, "frontier_meta", None)
            entries = frontier.entries(extra_meta)
            # the articles the feeds and sitemap found, not asked for yet
            left: list[Any] = getattr(spider, "discoveries_left", list)()
            entries += frontier.entries_of(left, extra_meta)
            # a frontier this run had not taken up yet (the time ran out first) is kept too
            entries += list(getattr(spider, "resume", ()))
            store.save_frontier(self.db, site, entries, run_id=self.run_id)
            kinds = Counter(e.kind for e in entries)
            self.stats.set_value(f"archive/{outcomes.FRONTIER_LISTINGS}", kinds["listing"])
            self.stats.set_value("archive/frontier_articles", kinds["article"])
            # (the only discovery requests a frontier keeps are sitemap shards)
            self.stats.set_value("archive/frontier_shards", kinds["discovery"])
            logger.info(
                "walk frontier kept for the next run: %d listing pages, %d articles, "
                "%d sitemap shards",
                kinds["listing"],
                kinds["article"],
                kinds["discovery"],
            )
        else:
            done = list(getattr(spider, "finished_sites", []))
            if getattr(spider, "walk_finished", False):
                done.append(site)
            for finished in done:
                if store.clear_frontier(self.db, finished):
                    logger.info("the walk an earlier run left of %s is complete", finished)

    def _check_drift(self, served: dict[str, Any] | None = None) -> None:
        """The markup-drift alarm (:mod:`archive.drift`) for the portals this run crawled:
        logged, and counted in the stats (``archive/drift_alarms``) for the run's outcome.
        ``served``: the site's portal and first listing pages without an article link, taken
        when a crawl of several sites moved on (the spider is on the next site by now)."""
        portals = drift.portals_sampled_by(self.db, self.run_id) if self.run_id else set()
        if served is None:
            served = {**served_by(self.crawler.spider), **listing_examples(self.crawler.spider)}
        portal = served.get("portal")
        if isinstance(portal, str):
            portals.add(portal)
        alarms = drift.drifted_portals(self.db, self.drift_rule, portals=portals)
        for alarm in alarms:
            logger.warning("%s", alarm.message(self.drift_rule))
        report = [a.to_dict() for a in alarms]
        listings = self._listing_drift(portal, list(served.get(EMPTY_FIRST_PAGES, [])))
        if listings is not None:
            report.append(listings)
        if report:
            self.stats.set_value(f"archive/{outcomes.DRIFT_ALARMS}", len(report))
            self.stats.set_value(DRIFT_REPORT, report)

    def _listing_drift(self, portal: str | None, examples: list[str]) -> dict[str, Any] | None:
        """The listing drift of this site's run (:func:`crawler.outcome.listings_drifted`):
        logged, and its entry of the run's drift report (``kind`` "listings"), or None."""
        run = stats_since(dict(self.stats.get_stats()), self._stats_before)
        if not outcomes.listings_drifted(run):
            return None
        first = int(run.get(f"archive/{outcomes.LISTING_FIRST_PAGES}", 0))
        name = portal or "?"
        logger.warning(
            "markup drift on portal %s: %s; e.g. %s",
            name,
            outcomes.listing_drift_text(first),
            ", ".join(examples),
        )
        at = store.now_iso()
        return {
            "portal": name,
            "kind": "listings",
            "samples": first,
            "degraded": first,
            "fallback": 0,
            "share": 1.0,
            "drifted": True,
            "examples": [
                {"url": url, "reason": "no article link", "parsed_at": at} for url in examples
            ],
        }

    def next_site(self, site: str) -> None:
        """``scrapy crawl most`` over a set of sites: the site just done gets its run recorded,
        and ``site`` its own run, as ``most-archive crawl`` records one run per site."""
        if self.run_id is None:
            return
        # On the writer thread, after the items before it: the connection is its alone. The
        # host that served the site (and its portal, its listings) is the spider's now, before
        # it moves on.
        spider = self.crawler.spider
        self._writer.run(self._next_run, site, {**served_by(spider), **listing_examples(spider)})

    def _next_run(self, site: str, served: dict[str, Any]) -> None:
        self._settle_gone()
        try:  # the site's drift is its own run's alarm, as when a crawl ends
            self._check_drift(served)
        except (sqlite3.Error, OSError) as exc:
            logger.error("could not check the markup drift: %s", exc)
        self._finish_run("finished", {k: v for k, v in served.items() if k != EMPTY_FIRST_PAGES})
        # the next site's run starts with no alarm of this one's
        self.stats.set_value(f"archive/{outcomes.DRIFT_ALARMS}", 0)
        self.stats.set_value(DRIFT_REPORT, [])
        self.run_id = store.start_run(self.db, site=site, mode=self.mode)
        self._stats_before = dict(self.stats.get_stats())

    def _finish_run(self, reason: str, served: dict[str, Any] | None = None) -> None:
        """Record the outcome and counts of the current site's run (its share of the stats)."""
        assert self.run_id is not None
        now = dict(self.stats.get_stats())
        stats = {**stats_since(now, self._stats_before), "finish_reason": reason}
        outcome = outcomes.decide_from_stats(stats)
        if outcomes.failed_for_nothing_fetched(stats):
            logger.error("run %s failed: %s", self.run_id, outcomes.NOTHING_FETCHED_TEXT)
        if served is None:
            served = served_by(self.crawler.spider)
        counts = {**run_counts(stats), **served}
        try:
            store.finish_run(self.db, self.run_id, outcome=outcome, counts=counts)
        except (sqlite3.Error, OSError) as exc:  # a full disk: the next run says died
            logger.error("could not record run %s as %s: %s", self.run_id, outcome, exc)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """``scrapy crawl most`` only: record the run's outcome, then let the archive go."""
        try:
            if self.run_id is not None:
                self._finish_run(reason)
        finally:
            self.db.close()
            if self._lock is not None:
                self._lock.__exit__(None, None, None)

    # ------------------------------------------------------------------ items

    async def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        """Store the item on the writer thread; the crawl goes on downloading meanwhile.

        Any failure to store (disk full, an I/O error, a database gone read-only) is counted
        (``archive/storage_errors``) and stops the crawl at once: the run is ``failed``
        (:mod:`crawler.outcome`), never reported as a success with half an archive.
        """
        handler = getattr(self, f"_on_{type(item).__name__}", None)
        if handler is None:
            raise TypeError(f"unexpected item {type(item).__name__}")
        try:
            await maybe_deferred_to_future(self._writer.run(handler, item))
        except WriteAbandoned:  # the process is ending at once: the item is simply not stored
            logger.debug("not stored, the crawl was stopped at once: %s", type(item).__name__)
        except Exception as exc:  # whatever the store raised, the run has failed
            self._storage_failed(f"while storing a {type(item).__name__}", exc)
        return item

    def _commit_failed(self, exc: BaseException, writes: int) -> None:
        """A transaction of the writer failed to commit (or a failed write ended it): the
        items written in it are lost, and the crawl stops as for any storage failure."""
        self._storage_failed(f"{writes} stored items lost with their transaction", exc, writes)

    def _storage_failed(self, what: str, exc: BaseException, items: int = 1) -> None:
        self.stats.inc_value(f"archive/{outcomes.STORAGE_ERRORS}", items)
        if self.stopping:
            logger.debug("storage failed again (%s): %s", what, exc)
            return
        self.stopping = True
        logger.error(
            "storage failed, stopping the crawl: %s: %s (%s)", type(exc).__name__, exc, what
        )
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None and not self._writer.closing:
            from twisted.internet import reactor

            def close() -> None:
                deferred_from_coro(engine.close_spider_async(reason=outcomes.STORAGE_FAILED))

            # on the next turn of the reactor: closing waits for this very item to finish
            reactor.callLater(0, close)  # type: ignore[attr-defined,arg-type]

    def _save_raw(self, raw: RawPage, portal: str | None = None) -> int:
        return store.save_page(
            self.db,
            url=raw.url,
            status=raw.status,
            headers=raw.headers,
            body=raw.body,
            fetched_at=store.now_iso(),
            run_id=self.run_id,
            content_type=raw.content_type,
            portal=portal,
        )

    def _on_CategorySeen(self, item: CategorySeen) -> None:
        store.save_category(self.db, item.category_id, item.name, item.url, portal=item.portal)

    def _on_ListingPage(self, item: ListingPage) -> None:
        self._save_raw(item.raw, item.portal)
        self.stats.inc_value("archive/listing_pages")

    def _on_ArticlePage(self, item: ArticlePage) -> None:
        page_id = self._save_raw(item.raw)
        article = item.article
        if article is None:
            self._reject(
                item, None, ("title", "date", "body"), "not an article page (no parser matched)"
            )
            return
        missing = missing_fields(article)
        if missing:
            self._reject(item, article, missing, "article without " + ", ".join(missing))
            return
        kept = store.kept_version_parser(self.db, article)
        if kept is not None:
            self._reject(
                item,
                article,
                (),
                f"read by {article.parser} only (not the portal's article markup: a notice, an "
                f"error page, or markup drift): the version read by {kept} is kept",
            )
            return
        article.url = item.url
        outcome = store.save_article(
            self.db,
            article,
            page_id=page_id,
            listed_in=[store.Listed(c) for c in item.categories],
            fetched_at=store.now_iso(),
            etag=item.etag,
            last_modified=item.last_modified,
            run_id=self.run_id,
        )
        self.stats.inc_value(f"archive/articles_{outcome}")

    def _on_CategoryLink(self, item: CategoryLink) -> None:
        store.add_listing(
            self.db,
            item.site_id,
            item.category_id,
            None,
            None,
            article_url=item.url,
            portal=item.portal,
        )

    def _on_NotModified(self, item: NotModified) -> None:
        store.mark_checked(
            self.db,
            item.site_id,
            fetched_at=store.now_iso(),
            portal=item.portal,
            url=item.url,
            run_id=self.run_id,
        )
        self.stats.inc_value("archive/not_modified")

    def _on_ArticleGone(self, item: ArticleGone) -> None:
        self._gone.append(item)  # settled when the site's run ends: _settle_gone

    def _settle_gone(self) -> None:
        """The articles this site's run found gone: withdrawn when the site served its
        pages in this run, else failed re-checks (:func:`crawler.outcome.site_served_pages`)."""
        gone, self._gone = self._gone, []
        if not gone:
            return
        run = stats_since(dict(self.stats.get_stats()), self._stats_before)
        if outcomes.site_served_pages(run):
            for item in gone:
                store.mark_withdrawn(
                    self.db,
                    item.site_id,
                    at=store.now_iso(),
                    url=item.url,
                    status=item.status,
                    portal=item.portal,
                )
                self.stats.inc_value("archive/article_gone")
            return
        logger.warning("%s", outcomes.gone_unconfirmed_text(len(gone)))
        for item in gone:
            self._error(
                item.url,
                "article",
                f"answered HTTP {item.status} as if gone (404/410, or a redirect to the home "
                "page) while the site served no listing or article page: not taken as withdrawn",
                item.status,
            )

    def _on_FileDownload(self, item: FileDownload) -> None:
        store.save_file(
            self.db,
            self.files_dir,
            url=item.url,
            body=item.body,
            content_type=item.content_type,
            fetched_at=store.now_iso(),
            status=item.status,
            headers=item.headers,
            run_id=self.run_id,
        )
        self.stats.inc_value("archive/files")
        self.stats.inc_value("archive/file_bytes", len(item.body))

    def _on_FetchSuccess(self, item: FetchSuccess) -> None:
        if store.resolve_error(self.db, item.url):
            self.stats.inc_value("archive/errors_resolved")

    def _on_FetchFailure(self, item: FetchFailure) -> None:
        self._error(item.url, item.kind, item.reason, item.status, counted=item.counted)

    def _reject(
        self, item: ArticlePage, article: Article | None, missing: Sequence[str], reason: str
    ) -> None:
        """An article page without a storable article: its error and its parse sample."""
        store.reject_article(
            self.db,
            url=item.url,
            site_id=item.site_id,
            portal=getattr(article, "portal", None) or getattr(item, "portal", None),
            parser=article.parser if article else None,
            missing=missing,
            status=item.raw.status,
            reason=reason,
            run_id=self.run_id,
            content_type=item.raw.content_type,
        )
        self._count_error("article", counted=True)

    def _error(
        self, url: str, kind: str, reason: str, status: int | None, *, counted: bool = True
    ) -> None:
        store.record_error(
            self.db, url=url, kind=kind, status=status, reason=reason, run_id=self.run_id
        )
        self._count_error(kind, counted=counted)

    def _count_error(self, kind: str, *, counted: bool) -> None:
        if not counted:
            self.stats.inc_value(f"archive/{kind}_gone")
        elif kind in COUNTED_ERROR_KINDS:
            self.stats.inc_value("archive/errors")
            self.stats.inc_value(f"archive/errors_{kind}")
        else:
            self.stats.inc_value(f"archive/{kind}_unavailable")


def run_mode(settings: BaseSettings) -> str:
    """The ``runs.mode`` of a crawl: ``full`` or ``incremental``, ``-limited`` when a page
    limit is set, however it was set (``--max-pages``, ``-s ARCHIVE_MAX_PAGES``)."""
    mode = "incremental" if settings.getbool("ARCHIVE_INCREMENTAL") else "full"
    return mode + ("-limited" if settings.getint("ARCHIVE_MAX_PAGES") > 0 else "")


def stats_since(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """The stats of one site of a crawl of several: the numbers counted since ``before``;
    the other values (finish reason, portal, times) as they are now."""
    since: dict[str, Any] = {}
    for key, value in now.items():
        old = before.get(key)
        numbers = (int, float)
        if isinstance(value, numbers) and isinstance(old, numbers) and not isinstance(value, bool):
            since[key] = value - old
        else:
            since[key] = value
    return since


EMPTY_FIRST_PAGES = "empty_first_pages"


def listing_examples(spider: Any) -> dict[str, Any]:
    """The first listing pages without an article link the site's walk met (the listing drift's
    examples), under :data:`EMPTY_FIRST_PAGES`."""
    return {EMPTY_FIRST_PAGES: list(getattr(spider, "empty_first_pages", []))}


def served_by(spider: Any) -> dict[str, Any]:
    """Which host served the site (after fallbacks and moves within its family) and which
    portal it is: part of a run's counts."""
    scope = getattr(spider, "scope", None)
    if not isinstance(scope, SiteScope):
        return {}
    return {"site_served": scope.base, "portal": scope.portal.name}


def run_counts(stats: dict[str, Any]) -> dict[str, Any]:
    """The run's counts (``runs`` columns plus details) from the crawl's stats."""
    counts: dict[str, Any] = {
        "pages_fetched": int(stats.get("downloader/response_count", 0)),
        "articles_new": int(stats.get("archive/articles_new", 0)),
        "articles_updated": int(stats.get("archive/articles_updated", 0)),
        "articles_unchanged": int(stats.get("archive/articles_unchanged", 0))
        + int(stats.get("archive/not_modified", 0)),
        "files": int(stats.get("archive/files", 0)),
        "errors": int(stats.get("archive/errors", 0)),
    }
    for key, value in stats.items():
        if key.startswith("archive/") and isinstance(value, int | float):
            counts.setdefault(key.removeprefix("archive/"), value)
    if stats.get(DRIFT_REPORT):
        counts["drift"] = stats[DRIFT_REPORT]
    counts["finish_reason"] = stats.get("finish_reason")
    return counts
