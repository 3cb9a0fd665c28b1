"""Running the ``most`` spider in-process: lock, run record, Scrapy, summary.

``most-archive crawl`` calls :func:`run_crawl`; it holds this database's crawl lock for the whole
run (:class:`archive.lock.LockHeld` when another crawl has it), marks runs that died as such,
records this run from start to finish, and returns a :class:`CrawlSummary` whose
``exit_code`` is the command's (outcome and exit code: :mod:`crawler.outcome`).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from archive import store
from archive.db import open_archive
from archive.lock import crawl_lock
from crawler import outcome as outcomes
from crawler.outcome import EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE
from crawler.pipelines import DaemonThread, run_counts, run_mode
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
    "run_crawl",
]

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    """What ``most-archive crawl`` was asked to do."""

    site: str
    db: Path
    delay: float | None = None  # seconds between requests; None = the settings' default
    max_pages: int | None = None  # listing pages per category; None/0 = no limit
    full: bool = False
    log_file: Path | None = None
    verbose: bool = False
    settings: dict[str, Any] = field(default_factory=dict)  # extra Scrapy settings


@dataclass
class CrawlSummary:
    run_id: int
    outcome: str
    counts: dict[str, Any]
    seconds: float
    dead_runs: int
    forced: bool = False  # a second signal stopped the crawl at once

    @property
    def exit_code(self) -> int:
        return outcomes.exit_code(self.outcome, self.counts)

    def lines(self) -> list[str]:
        c = self.counts
        return [
            f"run {self.run_id}: {self.outcome} in {self.seconds:.1f} s",
            f"  pages fetched:      {c.get('pages_fetched', 0)}",
            f"  articles new:       {c.get('articles_new', 0)}",
            f"  articles updated:   {c.get('articles_updated', 0)}",
            f"  articles unchanged: {c.get('articles_unchanged', 0)}",
            f"  files:              {c.get('files', 0)}",
            f"  errors:             {c.get('errors', 0)}"
            + ("  (see `most-archive stats`)" if c.get("errors") else ""),
        ] + (
            [f"  storage errors:     {c[outcomes.STORAGE_ERRORS]}  (the archive could not "
             "store what was fetched: disk full? see the log)"]
            if c.get(outcomes.STORAGE_ERRORS) else []
        )  # fmt: skip


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
    if opts.delay is not None:
        values["DOWNLOAD_DELAY"] = opts.delay
        values["AUTOTHROTTLE_START_DELAY"] = max(opts.delay, 0.1)
        # a delay shorter than the retry backoff also shortens the backoff (Retry-After still wins)
        backoff = settings.getfloat("ARCHIVE_RETRY_BACKOFF")
        values["ARCHIVE_RETRY_BACKOFF"] = min(backoff, opts.delay)
        if opts.delay == 0:
            values["AUTOTHROTTLE_ENABLED"] = False
            values["DOWNLOAD_DELAY_JITTER"] = 0.0
    values.update(opts.settings)
    settings.setdict(values, priority="cmdline")
    return settings


class _QuietScrapy(logging.Filter):
    """Scrapy's own INFO chatter (banner, settings, middleware lists) is left out unless -v."""

    def filter(self, record: logging.LogRecord) -> bool:
        noisy = record.name.startswith(("scrapy", "py.warnings", "protego", "twisted"))
        return record.levelno >= logging.WARNING or not noisy


def _install_log_handler(opts: CrawlOptions) -> logging.Handler:
    """One root handler: the log file if given, else stderr; progress lines included."""
    handler: logging.Handler
    if opts.log_file is not None:
        opts.log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(opts.log_file, encoding="utf-8")
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


def run_crawl(opts: CrawlOptions) -> CrawlSummary:
    """Crawl ``opts.site`` into ``opts.db``; raises ``LockHeld`` if another crawl holds the db."""
    site = SiteScope.of(opts.site).base
    opts.site = site
    started = time.monotonic()
    with crawl_lock(opts.db):
        # the mode names a page limit however it is set (--max-pages or -s ARCHIVE_MAX_PAGES)
        mode = run_mode(build_settings(opts, 0))
        db = open_archive(opts.db)
        try:
            dead = store.mark_dead_runs(db, assume_dead=True)
            run_id = store.start_run(db, site=site, mode=mode)
        finally:
            db.close()
        settings = build_settings(opts, run_id)
        process = CrawlerProcess(settings)
        _install_log_handler(opts)
        if dead:
            logger.warning("%d earlier run(s) had died; marked as such", dead)
        crawler = process.create_crawler(MostSpider)
        stats: dict[str, Any] = {}
        outcome = "failed"
        signals = StopSignals(process)
        signals.install()
        try:
            # The archive's state, read once, read-only, before the crawl: the spider never
            # reads the database while it runs.
            snapshot = read_snapshot(settings)
            process.crawl(crawler, site=site, snapshot=snapshot)
            daemon_threads()
            process.start(install_signal_handlers=False)  # StopSignals handles them
            stats = crawler.stats.get_stats() if crawler.stats else {}
            if signals.received and stats.get("finish_reason") is None:
                stats["finish_reason"] = outcomes.SHUTDOWN  # stopped before Scrapy closed
            outcome = outcomes.decide_from_stats(stats)
        finally:
            signals.restore()
            counts = run_counts(stats)
            _record_outcome(opts.db, run_id, outcome, counts)
    return CrawlSummary(run_id, outcome, counts, time.monotonic() - started, dead,
                        forced=signals.forced)  # fmt: skip


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
