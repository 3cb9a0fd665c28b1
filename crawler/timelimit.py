"""``--max-duration`` / ``ARCHIVE_MAX_DURATION``: end a crawl cleanly after a given time.

A Scrapy extension in the manner of Scrapy's own ``CloseSpider``: when the time is up it counts
``archive/time_limited`` and closes the spider with the finish reason
:data:`crawler.outcome.TIME_LIMIT`. Requests under way finish and are stored; what was still
queued is kept as the walk's frontier (``crawler.spiders.frontier``), so the next run goes on
from there. The run's outcome is ``limited`` (:mod:`crawler.outcome`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawler.durations import format_duration, parse_duration
from crawler.outcome import TIME_LIMIT, TIME_LIMITED

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from twisted.internet.base import DelayedCall

logger = logging.getLogger(__name__)


class TimeLimit:
    """Closes the spider ``ARCHIVE_MAX_DURATION`` after it opened (off when 0 or empty)."""

    def __init__(self, crawler: Crawler, seconds: float) -> None:
        self.crawler = crawler
        self.seconds = seconds
        self.call: DelayedCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        raw = crawler.settings.get("ARCHIVE_MAX_DURATION")
        try:
            seconds = parse_duration(raw)
        except ValueError as exc:
            raise NotConfigured(f"ARCHIVE_MAX_DURATION: {exc}") from None
        if seconds <= 0:
            raise NotConfigured  # no limit: off without a word (Scrapy logs a message)
        ext = cls(crawler, seconds)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet import reactor

        self.call = reactor.callLater(self.seconds, self.time_up)  # type: ignore[attr-defined,arg-type]

    def time_up(self) -> None:
        self.call = None
        engine = self.crawler.engine
        if engine is None or engine.spider is None:
            return
        logger.warning(
            "time limit of %s reached: the run stops here and the next one goes on from "
            "where this one stopped",
            format_duration(self.seconds),
        )
        if self.crawler.stats is not None:
            self.crawler.stats.set_value(f"archive/{TIME_LIMITED}", 1)
        deferred_from_coro(engine.close_spider_async(reason=TIME_LIMIT))

    def spider_closed(self, spider: Spider) -> None:
        if self.call is not None and self.call.active():
            self.call.cancel()
        self.call = None
