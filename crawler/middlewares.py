"""Downloader middlewares and the progress extension of the crawl.

- :class:`SiteGuardMiddleware`: every request, links and redirects alike, is either moved onto the
  site's base scheme+host or dropped; it also sets the response-size limit.
- :class:`RobotsRulesMiddleware`: Scrapy's robots.txt middleware, but an error page (a 404 or a
  200 HTML "page not found", as SharePoint answers, SITE.md §10.20) means "no rules", and a
  ``Crawl-delay`` is honoured.
- :class:`BackoffRetryMiddleware`: retries 429/5xx and network errors with exponential backoff,
  waiting as long as a ``Retry-After`` header asks (capped).
- :class:`ProgressLog`: a progress line every few seconds.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet import task

from crawler.urls import SiteScope

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def _scope(crawler: Crawler) -> SiteScope:
    spider_scope = getattr(crawler.spider, "scope", None)
    if isinstance(spider_scope, SiteScope):
        return spider_scope
    return SiteScope.of(crawler.settings.get("ARCHIVE_SITE"))


async def sleep(seconds: float) -> None:
    """Wait without blocking the reactor (works with the asyncio and the default reactor)."""
    from twisted.internet import reactor

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))  # type: ignore[arg-type]


class SiteGuardMiddleware:
    """Keep the crawl on the site: rewrite on-site URLs onto the base, drop everything else."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.max_bytes = crawler.settings.getint("ARCHIVE_MAX_RESPONSE_BYTES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        scope = _scope(self.crawler)
        target = scope.onsite(request.url)
        stats = self.crawler.stats
        assert stats is not None
        if target is None:
            redirected = bool(request.meta.get("redirect_urls"))
            what = "offsite redirect" if redirected else "offsite request"
            stats.inc_value("archive/offsite_dropped")
            logger.info("dropped %s to %s", what, request.url)
            raise IgnoreRequest(f"{what} dropped: {request.url}")
        if self.max_bytes and "download_maxsize" not in request.meta:
            request.meta["download_maxsize"] = self.max_bytes
        if target != request.url.split("#", 1)[0]:
            stats.inc_value("archive/rewritten_onto_site")
            return request.replace(url=target, dont_filter=True)
        return None


class RobotsRulesMiddleware(RobotsTxtMiddleware):
    """robots.txt obeyed; an error page is no rules; ``Crawl-delay`` sets the host's delay."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._crawl_delays: dict[str, float] = {}

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        head = response.body[:512].lstrip().lower()
        if response.status != 200 or "html" in ctype or head.startswith((b"<!doctype", b"<html")):
            logger.info("robots.txt of %s is an error page (HTTP %s): no rules", netloc,
                        response.status)  # fmt: skip
            response = response.replace(body=b"")
        await super()._parse_robots(response, netloc, request)
        parser = self._parsers.get(netloc)
        protego = getattr(parser, "rp", None)
        delay = None
        if protego is not None and hasattr(protego, "crawl_delay"):
            agent = self._robotstxt_useragent or self._default_useragent
            delay = protego.crawl_delay(agent)
        if delay:
            logger.info("robots.txt of %s asks Crawl-delay %s s: honoured", netloc, delay)
            self._crawl_delays[netloc] = float(delay)

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        await super().process_request(request)
        delay = self._crawl_delays.get(urlparse_cached(request).netloc)
        if delay and self.crawler.engine is not None:
            downloader = self.crawler.engine.downloader
            slot = downloader.slots.get(downloader.get_slot_key(request))
            if slot is not None and slot.delay < delay:
                slot.delay = delay


def retry_after_seconds(value: bytes | None) -> float | None:
    """Seconds asked by a ``Retry-After`` header (a number of seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware with a wait before each retry.

    The wait is ``Retry-After`` when the server sends one, else ``ARCHIVE_RETRY_BACKOFF`` ×
    2^(attempt − 1); never more than ``ARCHIVE_RETRY_MAX_WAIT``. Only the retried request waits.
    """

    backoff: float
    max_wait: float

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = super().from_crawler(crawler)
        o.backoff = crawler.settings.getfloat("ARCHIVE_RETRY_BACKOFF")
        o.max_wait = crawler.settings.getfloat("ARCHIVE_RETRY_MAX_WAIT")
        return o

    def _wait(self, request: Request, retry_after: float | None) -> float:
        attempt = int(request.meta.get("retry_times", 0)) + 1
        wait = retry_after if retry_after is not None else self.backoff * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_wait))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self._wait(request, retry_after_seconds(response.headers.get(b"Retry-After")))
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            await sleep(wait)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        wait = self._wait(request, None)
        retry = self._retry(request, exception)
        if retry is not None and wait:
            await sleep(wait)
        return retry


class ProgressLog:
    """Logs pages, articles (new/updated/unchanged), files and errors every few seconds."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        interval = crawler.settings.getfloat("ARCHIVE_PROGRESS_INTERVAL")
        if not interval:
            raise NotConfigured
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def log(self) -> None:
        stats: dict[str, Any] = self.crawler.stats.get_stats() if self.crawler.stats else {}
        logger.info(
            "progress: %d pages, articles %d new / %d updated / %d unchanged, %d files, %d errors",
            stats.get("downloader/response_count", 0),
            stats.get("archive/articles_new", 0),
            stats.get("archive/articles_updated", 0),
            stats.get("archive/articles_unchanged", 0) + stats.get("archive/not_modified", 0),
            stats.get("archive/files", 0),
            stats.get("archive/errors", 0),
        )
