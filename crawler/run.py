"""Running the ``most`` spider in-process: lock, run record, Scrapy, summary.

``most-archive crawl`` calls :func:`run_crawls` with one or more sites (``--site`` repeated;
without it, every portal's default site: :func:`default_sites`). It holds this database's crawl
lock for the whole of it (:class:`archive.lock.LockHeld` when another crawl has it), marks runs
that died as such, crawls the sites one after the other in one Scrapy process, each recorded as
its own run from start to finish, and returns one :class:`CrawlSummary` per site; the command's
exit code is the worst of theirs (outcome and exit code: :mod:`crawler.outcome`).
:func:`run_crawl` is the one-site form.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

from archive import store
from archive.db import open_archive
from archive.lock import crawl_lock
from crawler import outcome as outcomes
from crawler.outcome import EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE
from crawler.pipelines import DaemonThread, run_counts, run_mode, served_by
from crawler.portals import default_sites, portal_of_host
from crawler.spiders.most import MostSpider
from crawler.spiders.state import read_snapshot
from crawler.urls import SiteScope

__all__ = [
    "EXIT_LOCKED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "CrawlOptions",
    "CrawlSummary",
    "build_settings",
    "default_sites",
    "exit_code_of",
    "run_crawl",
    "run_crawls",
]

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    """What ``most-archive crawl`` was asked to do."""

    site: str
    db: Path
    delay: float | None = None  # seconds between requests; None = the settings' default
    max_pages: int | None = None  # listing pages per category; None/0 = no limit
    max_duration: float | None = None  # seconds before the run ends itself; None = no limit
    full: bool = False
    log_file: Path | None = None
    verbose: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # extra Scrapy settings
    default_sites: bool = False  # no --site: each site may fall back on its portal's other hosts


@dataclass
class CrawlSummary:
    run_id: int
    outcome: str
    counts: dict[str, Any]
    seconds: float
    dead_runs: int
    forced: bool = False  # a second signal stopped the crawl at once
    site: str = ""  # named in the summary when the command crawled several sites
    fetched_nothing: bool = False  # failed because not one answer came back (the summary says)

    @property
    def exit_code(self) -> int:
        return outcomes.exit_code(self.outcome, self.counts)

    def lines(self) -> list[str]:
        c = self.counts
        on = f" ({self.site})" if self.site else ""
        return [
            f"run {self.run_id}{on}: {self.outcome} in {self.seconds:.1f} s",
            f"  pages fetched:      {c.get('pages_fetched', 0)}",
            f"  articles new:       {c.get('articles_new', 0)}",
            f"  articles updated:   {c.get('articles_updated', 0)}",
            f"  articles unchanged: {c.get('articles_unchanged', 0)}",
            f"  files:              {c.get('files', 0)}",
            f"  errors:             {c.get('errors', 0)}"
            + ("  (see `most-archive stats`)" if c.get("errors") else ""),
            *(
                [
                    f"  storage errors:     {c[outcomes.STORAGE_ERRORS]}  (the archive could not "
                    "store what was fetched: disk full? see the log)"
                ]
                if c.get(outcomes.STORAGE_ERRORS)
                else []
            ),
            *(
                [
                    "  robots.txt forbids every page this run asked for: obeyed, nothing was "
                    "crawled (see the log)"
                ]
                if self.outcome == "forbidden" and not c.get(outcomes.ROBOTS_SERVER_ERRORS)
                else []
            ),
            *(
                [
                    f"  robots.txt failed:  {c[outcomes.ROBOTS_SERVER_ERRORS]}  (answered with a "
                    "server error, HTTP 5xx: RFC 9309 reads that as 'disallow all', so nothing "
                    "was crawled from that host; the next run asks again; see the log)"
                ]
                if c.get(outcomes.ROBOTS_SERVER_ERRORS)
                else []
            ),
            *([f"  {outcomes.NOTHING_FETCHED_TEXT}"] if self.fetched_nothing else []),
            *(
                [
                    f"  bot challenges:     {c[outcomes.BOT_CHALLENGES]}  (answers that were a "
                    "firewall's script setting a cookie and reloading, not what was asked for: "
                    "the crawler runs no scripts; see the log)"
                ]
                if c.get(outcomes.BOT_CHALLENGES)
                else []
            ),
            *_drift_lines(c.get("drift")),
            *(
                [
                    f"  time limit reached: {c.get('frontier_listings', 0)} listing pages and "
                    f"{c.get('frontier_articles', 0)} articles"
                    + (f" (and {n} sitemap shards)" if (n := c.get("frontier_shards")) else "")
                    + " left for the next run"
                ]
                if c.get(outcomes.TIME_LIMITED)
                else []
            ),
        ]


def _drift_lines(report: object) -> list[str]:
    """The summary's lines for the drift alarms of a run (``counts["drift"]``)."""
    if not isinstance(report, list):
        return []
    lines = []
    for alarm in report:
        if alarm.get("kind") == "listings":
            lines.append(
                f"  MARKUP DRIFT on portal {alarm['portal']}: "
                f"{outcomes.listing_drift_text(alarm['samples'])}; e.g."
            )
        else:
            lines.append(
                f"  MARKUP DRIFT on portal {alarm['portal']}: {alarm['degraded']} of the last "
                f"{alarm['samples']} articles parsed by the fallback or missing a title, date "
                "or body (see `most-archive stats`); e.g."
            )
        lines += [f"    {e['url']}  ({e['reason']})" for e in alarm.get("examples", [])]
    return lines


def build_settings(opts: CrawlOptions, run_id: int) -> Settings:
    """The project's settings (``crawler.settings``) with the command's options applied."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    values: dict[str, Any] = {
        "ARCHIVE_SITE": opts.site,
        "ARCHIVE_DB": str(opts.db),
        "ARCHIVE_RUN_ID": run_id,
        "ARCHIVE_INCREMENTAL": not opts.full,
        "STATS_DUMP": False,
        "LOG_INSTALL_ROOT_HANDLER": False,  # run_crawl installs its own (stderr or --log-file)
    }
    if opts.max_pages:
        values["ARCHIVE_MAX_PAGES"] = opts.max_pages
    if opts.max_duration:
        values["ARCHIVE_MAX_DURATION"] = opts.max_duration
    if opts.delay is not None:
        values["DOWNLOAD_DELAY"] = opts.delay
        values["AUTOTHROTTLE_START_DELAY"] = max(opts.delay, 0.1)
        # AutoThrottle never goes above its ceiling: a longer --delay raises it, else it was cut
        ceiling = settings.getfloat("AUTOTHROTTLE_MAX_DELAY")
        values["AUTOTHROTTLE_MAX_DELAY"] = max(ceiling, opts.delay)
        # a delay shorter than the retry backoff also shortens the backoff (Retry-After still wins)
        backoff = settings.getfloat("ARCHIVE_RETRY_BACKOFF")
        values["ARCHIVE_RETRY_BACKOFF"] = min(backoff, opts.delay)
        if opts.delay == 0:
            values["AUTOTHROTTLE_ENABLED"] = False
            values["DOWNLOAD_DELAY_JITTER"] = 0.0
    values.update(opts.settings)
    settings.setdict(values, priority="cmdline")
    return settings


def process_settings(opts: CrawlOptions) -> Settings:
    """The settings of the process that runs the sites' crawlers: the project's, with the
    user's ``-s`` of Scrapy's own settings. The process reads a few of them once for all its
    crawlers (the DNS resolver, its timeout and cache, the reactor's thread pool), which a
    crawler's own settings cannot change. Scrapy also copies them into each crawler it runs
    (``CrawlerRunner.crawl``): the archive's settings (``ARCHIVE_*``: a site's run id, its
    fallback hosts) are each crawler's alone and stay out."""
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    given = {k: v for k, v in opts.settings.items() if not k.startswith("ARCHIVE_")}
    settings.setdict({**given, "LOG_INSTALL_ROOT_HANDLER": False}, priority="cmdline")
    return settings


class _QuietScrapy(logging.Filter):
    """Scrapy's own INFO chatter (banner, settings, middleware lists) is left out unless -v."""

    def filter(self, record: logging.LogRecord) -> bool:
        noisy = record.name.startswith(("scrapy", "py.warnings", "protego", "twisted"))
        return record.levelno >= logging.WARNING or not noisy


class _LogFile(logging.FileHandler):
    """``--log-file``: a file that refuses a write (a full disk, ``/dev/full``) is said once, in
    one line on stderr, and the log goes on there, instead of a traceback per log line."""

    fallback: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self.fallback is not None:
            self.fallback.emit(record)
        else:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.fallback is not None:
            return
        problem = sys.exc_info()[1]
        sys.stderr.write(
            f"most-archive crawl: cannot write the log to {self.baseFilename} ({problem}); "
            "the log goes to stderr from here\n"
        )
        stream, self.stream = self.stream, None  # type: ignore[assignment]
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
        self.fallback = logging.StreamHandler(sys.stderr)
        self.fallback.setFormatter(self.formatter)
        self.fallback.emit(record)


def _install_log_handler(opts: CrawlOptions) -> logging.Handler:
    """One root handler: the log file if given, else stderr; progress lines included."""
    handler: logging.Handler
    if opts.log_file is not None:
        opts.log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = _LogFile(opts.log_file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(asctime)s [%(name)s] %(levelname)s: %(message)s", "%Y-%m-%d %H:%M:%S")
    )
    if not opts.verbose:
        handler.addFilter(_QuietScrapy())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if opts.verbose else logging.INFO)
    return handler


class StopSignals:
    """SIGINT and SIGTERM during a crawl: the first stops it cleanly (requests in flight finish,
    Scrapy's finish reason "shutdown"); a second one stops the reactor at once. Either way the
    run is recorded as ``interrupted`` and the process ends (no thread keeps it alive:
    :func:`daemon_threads`)."""

    def __init__(self, process: CrawlerProcess) -> None:
        self.process = process
        self.received = 0
        self.previous: dict[int, Any] = {}

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self.previous[signum] = signal.signal(signum, self.handle)

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def handle(self, signum: int, frame: object) -> None:
        from twisted.internet import reactor

        self.received += 1
        # nothing but scheduling here: the interrupted code may be writing to the same stream
        stop = self._graceful if self.received == 1 else self._force
        reactor.callFromThread(stop, signal.Signals(signum).name)  # type: ignore[attr-defined]

    @property
    def forced(self) -> bool:
        return self.received > 1

    def _graceful(self, name: str) -> None:
        logger.warning("received %s: stopping cleanly (send it again to stop at once)", name)
        self.process.stop()  # the crawl closes ("shutdown"); the reactor stops after it

    def _force(self, name: str) -> None:
        from twisted.internet import reactor

        logger.warning("received %s again: stopping at once", name)
        with contextlib.suppress(RuntimeError):  # already stopping
            reactor.stop()  # type: ignore[attr-defined,misc]


def daemon_threads() -> None:
    """The reactor's thread pool (DNS lookups, reads before the crawl) makes daemon threads:
    a worker blocked in a lookup never keeps a stopped crawl's process alive. Twisted's public
    ``ThreadPool.threadFactory``."""
    from twisted.internet import reactor

    reactor.getThreadPool().threadFactory = DaemonThread  # type: ignore[attr-defined]


def exit_code_of(summaries: list[CrawlSummary]) -> int:
    """The command's exit code: the worst of the sites' (0 when every site is well)."""
    return max((s.exit_code for s in summaries), default=EXIT_OK)


# A site started after --max-duration ran out still gets this long (seconds): its run is
# recorded ``limited`` and keeps the walk's frontier it started from.
MIN_SITE_TIME = 1.0


def run_crawl(opts: CrawlOptions) -> CrawlSummary:
    """Crawl ``opts.site`` into ``opts.db``; raises ``LockHeld`` if another crawl holds the db."""
    return run_crawls(opts, [opts.site])[0]


def run_crawls(opts: CrawlOptions, sites: list[str]) -> list[CrawlSummary]:
    """Crawl each of ``sites`` in turn into ``opts.db``, one run (one ``runs`` row) per site.

    Raises ``LockHeld`` if another crawl holds the database. A signal (Ctrl-C, SIGTERM) ends the
    whole command: the site being crawled is recorded ``interrupted``, the sites after it are
    not started.
    """
    bases = [SiteScope.of(site).base for site in sites]
    summaries: list[CrawlSummary] = []
    with crawl_lock(opts.db):
        db = open_archive(opts.db)
        try:
            dead = store.mark_dead_runs(db, assume_dead=True)
        finally:
            db.close()
        process = CrawlerProcess(process_settings(opts))
        _install_log_handler(opts)
        if dead:
            logger.warning("%d earlier run(s) had died; marked as such", dead)
        signals = StopSignals(process)
        pending = list(bases)
        # --max-duration is the whole command's: each site gets what the sites before it left
        deadline = time.monotonic() + opts.max_duration if opts.max_duration else None
        unfinished: dict[int, Callable[..., None]] = {}  # run id -> how to record it finished

        def crawl_next(_: object = None) -> Any:
            if not pending or signals.received:
                return None
            site = pending.pop(0)
            first = len(pending) == len(bases) - 1  # the first crawler installs the reactor
            left = None if deadline is None else max(deadline - time.monotonic(), MIN_SITE_TIME)
            crawler, run_id, started = _start_site(opts, site, init_reactor=first, time_left=left)
            # The archive's state, read once, read-only, before the site's crawl: the spider
            # never reads the database while it runs.
            done = process.crawl(crawler, site=site, snapshot=read_snapshot(crawler.settings))
            named = site if len(bases) > 1 else ""  # a summary names its site when several

            def finish(result: object = None) -> None:
                if unfinished.pop(run_id, None) is not None:
                    _finish_site(
                        result,
                        opts,
                        crawler,
                        run_id,
                        started,
                        named,
                        summaries,
                        dead if not summaries else 0,
                        signals,
                    )

            unfinished[run_id] = finish
            done.addBoth(finish)
            done.addBoth(crawl_next)
            return done

        signals.install()
        try:
            crawl_next()
            daemon_threads()
            process.start(install_signal_handlers=False)  # StopSignals handles them
        finally:
            signals.restore()
            # A second signal stops the reactor before the crawl's own end: its run is still
            # recorded (interrupted) and summarised.
            for finish in list(unfinished.values()):
                finish()
    return summaries


def _start_site(
    opts: CrawlOptions, site: str, *, init_reactor: bool, time_left: float | None = None
) -> tuple[Crawler, int, float]:
    """The run row and the Scrapy crawler of one site (``time_left``: of --max-duration)."""
    site_opts = replace(opts, site=site, max_duration=time_left)
    owner = portal_of_host(site)
    if opts.default_sites and owner is not None:  # the portal's other hosts, in order
        others = [b for b in (SiteScope.of(d).base for d in owner.default_sites) if b != site]
        site_opts.settings = {**opts.settings, "ARCHIVE_FALLBACK_SITES": ",".join(others)}
    # the mode names a page limit however it is set (--max-pages or -s ARCHIVE_MAX_PAGES)
    mode = run_mode(build_settings(site_opts, 0))
    db = open_archive(opts.db)
    try:
        run_id = store.start_run(db, site=site, mode=mode)
    finally:
        db.close()
    logger.info("crawling %s (run %d)", site, run_id)
    settings = build_settings(site_opts, run_id)
    crawler = Crawler(MostSpider, settings, init_reactor=init_reactor)
    return crawler, run_id, time.monotonic()


def _finish_site(
    result: object,
    opts: CrawlOptions,
    crawler: Crawler,
    run_id: int,
    started: float,
    site: str,
    summaries: list[CrawlSummary],
    dead: int,
    signals: StopSignals,
) -> None:
    """Record a site's run as finished (whatever happened) and keep its summary."""
    stats: dict[str, Any] = dict(crawler.stats.get_stats()) if crawler.stats else {}
    if signals.received and stats.get("finish_reason") is None:
        stats["finish_reason"] = outcomes.SHUTDOWN  # stopped before Scrapy closed
    outcome = outcomes.decide_from_stats(stats)
    fetched_nothing = outcomes.failed_for_nothing_fetched(stats)
    if fetched_nothing:
        logger.error("crawl of %s failed: %s", site or opts.site, outcomes.NOTHING_FETCHED_TEXT)
    if result is not None and hasattr(result, "getErrorMessage"):
        logger.error("crawl of %s failed: %s", site or opts.site, result.getErrorMessage())
        outcome = "failed"
    counts = {**run_counts(stats), **served_by(crawler.spider)}
    _record_outcome(opts.db, run_id, outcome, counts)
    summaries.append(
        CrawlSummary(
            run_id,
            outcome,
            counts,
            time.monotonic() - started,
            dead,
            forced=signals.forced,
            site=site,
            fetched_nothing=fetched_nothing,
        )
    )


def _record_outcome(db_path: Path, run_id: int, outcome: str, counts: dict[str, Any]) -> None:
    """Close the run's record; on a disk that refuses even that, say so (the next run marks
    the run ``died``) instead of a traceback: the exit code still tells the outcome."""
    try:
        db = open_archive(db_path)
        try:
            store.finish_run(db, run_id, outcome=outcome, counts=counts)
        finally:
            db.close()
    except (sqlite3.Error, OSError) as exc:
        logger.error("could not record run %d as %s: %s", run_id, outcome, exc)
