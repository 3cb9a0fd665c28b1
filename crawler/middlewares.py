"""Downloader middlewares and the progress extension of the crawl.

- :class:`SiteGuardMiddleware`: every request, links and redirects alike, is either moved onto the
  site's base scheme+host or dropped (page requisites excepted: an image or attachment comes from
  whichever http(s) host serves it, :mod:`crawler.requisites` guards those); it also sets the
  response-size limit.
- :class:`RobotsRulesMiddleware`: Scrapy's robots.txt middleware, but an error page (a 404 or a
  200 HTML "page not found", as SharePoint answers, SITE.md §10.20) means "no rules", and a
  ``Crawl-delay`` is honoured (:class:`HostPacer`), up to ``ARCHIVE_MAX_CRAWL_DELAY``.
- :class:`BackoffRetryMiddleware`: retries 429/5xx, network errors and bodies that did not
  arrive whole (a document cut before ``</html>``, XML before its root's end:
  :mod:`crawler.parsers.completeness`; a ``206`` part of one) with exponential backoff, waiting
  as long as a ``Retry-After`` header asks (capped); a body still cut after the retries fails
  the request.
- :class:`CallbackErrorsMiddleware` (a spider middleware): an exception a callback raises
  becomes a recorded failure of that page, never a page lost while the run says ``ok``.
- :class:`ProgressLog`: a progress line every few seconds.

Public Scrapy API only (middleware hooks, signals, ``get_retry_request``, settings); no
``_``-prefixed Scrapy attribute, no reach into the downloader's slots.
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware, get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message
from twisted.internet import task

from crawler import outcome
from crawler.parsers.challenge import bot_challenge
from crawler.parsers.completeness import incomplete
from crawler.parsers.document import is_html_page
from crawler.parsers.urls import is_web_url
from crawler.records import FetchFailure
from crawler.spiders.state import failed_url
from crawler.urls import SiteScope

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


# Request kinds (the spider's ``kind`` meta) that are HTML pages, held to ARCHIVE_MAX_PAGE_BYTES.
PAGE_KINDS = frozenset({"listing", "article"})
# Meta key: bytes received so far by the request's current try (the ``bytes_received`` signal).
BYTES_RECEIVED = "archive_bytes_received"


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
        page_bytes = crawler.settings.getint("ARCHIVE_MAX_PAGE_BYTES")
        self.max_page_bytes = min(page_bytes, self.max_bytes) if page_bytes else self.max_bytes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> Request | None:
        scope = _scope(self.crawler)
        stats = self.crawler.stats
        assert stats is not None
        spider = self.crawler.spider
        if (
            request.meta.get("redirect_urls")
            and request.meta.get("kind") != "file"
            and hasattr(spider, "scope")
            and scope.redirect_kind(request.url) == "family"
        ):
            # the site moved to another host of its portal: the crawl goes on there
            moved = scope.moved_to(request.url)
            logger.warning(
                "%s redirects to %s, a host of the same portal: the crawl goes on at %s",
                scope.base,
                request.url,
                moved.base,
            )
            stats.inc_value("archive/moved_within_family")
            spider.scope = scope = moved  # type: ignore[union-attr]
        target = scope.onsite(request.url)
        if target is None and request.meta.get("kind") == "file" and is_web_url(request.url):
            # a page requisite: fetched from whichever host serves it (crawler.requisites)
            target = request.url.split("#", 1)[0]
        if target is None and is_robots_request(request):
            # the robots.txt of a host outside the site's family: only images and attachments
            # come from there, fetched as the page shows them (docs/crawling.md), so its rules
            # are not asked for (Scrapy's robots middleware then lets that host's requests by)
            logger.debug(
                "robots.txt of %s not asked for: a host of page requisites",
                urlparse_cached(request).netloc,
            )
            raise IgnoreRequest(f"robots.txt of a host of page requisites: {request.url}")
        if target is None:
            redirected = bool(request.meta.get("redirect_urls"))
            what = "offsite redirect" if redirected else "offsite request"
            stats.inc_value("archive/offsite_dropped")
            logger.info("dropped %s to %s", what, request.url)
            raise IgnoreRequest(f"{what} dropped: {request.url}")
        if self.max_bytes and "download_maxsize" not in request.meta:
            page = request.meta.get("kind") in PAGE_KINDS
            request.meta["download_maxsize"] = self.max_page_bytes if page else self.max_bytes
        if target != request.url.split("#", 1)[0]:
            stats.inc_value("archive/rewritten_onto_site")
            return request.replace(url=target, dont_filter=True)
        return None


def is_robots_request(request: Request) -> bool:
    """True for the ``/robots.txt`` request Scrapy's robots middleware makes for a host."""
    return bool(request.meta.get("dont_obey_robotstxt")) and (
        urlparse_cached(request).path == "/robots.txt"
    )


# robots.txt statuses RFC 9309 (§2.3.1.4) calls "unreachable": the crawler must assume complete
# disallow. Other errors (4xx, an HTML error page) mean "no rules" (§2.3.1.3, SITE.md §10.20).
SERVER_ERRORS = range(500, 600)
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def is_error_page(response: Response) -> bool:
    """True when a robots.txt answer is an error page: not 200, or HTML (SITE.md §10.20)."""
    ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    return response.status != 200 or "html" in ctype or is_html_page(response.body)


class HostPacer:
    """Spaces the requests to each host by at least a given delay (a robots.txt Crawl-delay).

    Scrapy has no public API to change a download slot's delay once the crawl runs, so the
    pacing is done here: each request reserves the next free start time of its host and waits
    until then. With one request at a time per host (``CONCURRENT_REQUESTS_PER_DOMAIN = 1``)
    downloads then start at least ``delay`` apart; Scrapy's own delay (``DOWNLOAD_DELAY``,
    AutoThrottle) still applies on top.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.delays: dict[str, float] = {}
        self.next_start: dict[str, float] = {}

    def set_delay(self, host: str, seconds: float) -> None:
        self.delays[host] = seconds

    def reserve(self, host: str) -> float:
        """Reserve the host's next start time; return how many seconds to wait for it."""
        delay = self.delays.get(host)
        if not delay:
            return 0.0
        now = self.clock()
        start = max(now, self.next_start.get(host, now))
        self.next_start[host] = start + delay
        return start - now


class RobotsErrorLine(logging.Filter):
    """Scrapy's robots.txt middleware logs a failed robots.txt download as an ERROR with a
    traceback. For this crawl a robots.txt that does not answer means "no rules" and the page
    the robots.txt was asked for fails (and is reported) on its own, so the record becomes one
    INFO line, without the traceback. Installed on that middleware's logger (logging config,
    public API), once per process."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.exc_info:
            exc = record.exc_info[1]
            record.msg = "robots.txt did not answer (%s: %s): no rules"
            record.args = (type(exc).__name__, exc)
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def _quiet_robots_errors() -> None:
    robots_logger = logging.getLogger(RobotsTxtMiddleware.__module__)
    if not any(isinstance(f, RobotsErrorLine) for f in robots_logger.filters):
        robots_logger.addFilter(RobotsErrorLine())


class RobotsRulesMiddleware(RobotsTxtMiddleware):
    """robots.txt obeyed; an error page is no rules, a server error (5xx) forbids everything;
    ``Crawl-delay`` spaces the host's requests.

    Public Scrapy API only: the robots.txt response passes through :meth:`process_response`
    like any other (an error page's body is emptied there, so the stock parser reads no rules),
    and the parsed rules arrive through the ``robots_parsed`` signal, whose parser gives the
    ``Crawl-delay`` (``RobotParser.crawl_delay``, Scrapy ≥ 2.18).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        _quiet_robots_errors()
        # hosts whose robots.txt answered a server error in this run -> that status
        self.unreadable: dict[str, int] = {}
        settings = crawler.settings
        self.agent: str = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        self.max_delay = settings.getfloat("ARCHIVE_MAX_CRAWL_DELAY")
        self.pacer = HostPacer()
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if not is_robots_request(request):
            return response
        stats = self.crawler.stats
        if stats is not None:
            # (a run that fetched nothing else, robots.txt forbidding the rest, is "forbidden")
            stats.inc_value(f"archive/{outcome.ROBOTS_ANSWERS}")
        netloc = urlparse_cached(request).netloc
        if response.status in SERVER_ERRORS:
            # RFC 9309 §2.3.1.4: a robots.txt the server fails to give (5xx) means "complete
            # disallow" until it can be read; the stock parser then reads rules that say so
            if stats is not None:
                stats.inc_value(f"archive/{outcome.ROBOTS_SERVER_ERRORS}")
            self.unreadable[netloc] = response.status
            logger.warning(
                "robots.txt of %s answered HTTP %s (retries spent): RFC 9309 reads a robots.txt "
                "the server fails to give as 'disallow all', so nothing more is fetched from %s "
                "in this run; what was refused is recorded as failed, and the next run asks again",
                netloc,
                response.status,
                netloc,
            )
            return response.replace(body=DISALLOW_ALL)
        if is_error_page(response):
            challenge = bot_challenge(response.body) if response.status == 200 else None
            if challenge is not None and stats is not None:
                stats.inc_value(f"archive/{outcome.BOT_CHALLENGES}")
            logger.info(
                "robots.txt of %s is %s: no rules",
                netloc,
                challenge or f"an error page (HTTP {response.status})",
            )
            return response.replace(body=b"")
        return response

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        netloc = urlparse_cached(request).netloc
        delay = robotparser.crawl_delay(self.agent)
        if not delay:
            return
        if 0 < self.max_delay < float(delay):
            logger.warning(
                "robots.txt of %s asks Crawl-delay %s s: more than ARCHIVE_MAX_CRAWL_DELAY, "
                "waiting %s s",
                netloc,
                delay,
                self.max_delay,
            )
            self.pacer.set_delay(netloc, self.max_delay)
        else:
            logger.info("robots.txt of %s asks Crawl-delay %s s: honoured", netloc, delay)
            self.pacer.set_delay(netloc, float(delay))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        try:
            await super().process_request(request)
        except IgnoreRequest:
            netloc = urlparse_cached(request).netloc
            status = self.unreadable.get(netloc)
            if status is None:
                raise  # the site's own rules forbid it: obeyed, not a failure
            raise RobotsUnreadable(
                f"robots.txt of {netloc} answered HTTP {status}: read as 'disallow all' "
                "(RFC 9309), nothing fetched from there until it can be read"
            ) from None
        if is_robots_request(request):
            return
        wait = self.pacer.reserve(urlparse_cached(request).netloc)
        if wait > 0:
            await sleep(wait)


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


class IncompleteResponse(IgnoreRequest):
    """A response whose body did not arrive whole (crawler.parsers.completeness), retries spent."""

    def __init__(self, reason: str, response: Response) -> None:
        super().__init__(reason)
        self.response = response


class RobotsUnreadable(IgnoreRequest):
    """A request refused because its host's robots.txt answered a server error (5xx): RFC 9309
    reads that as "disallow all", so the request is not sent; but the site did not forbid it, it
    failed, so this is a failure (recorded, retried by a later run), not an obeyed rule."""


def robots_forbade(failure: Failure) -> bool:
    """Whether a request was refused by its host's robots.txt rules: obeyed, not a failure.
    One refused because that robots.txt could not be read (:class:`RobotsUnreadable`) failed."""
    exc = failure.value
    return (
        isinstance(exc, IgnoreRequest)
        and not isinstance(exc, RobotsUnreadable)
        and "robots.txt" in str(exc)
    )


class BotChallenge(IgnoreRequest):
    """An answer that is a bot challenge (crawler.parsers.challenge), not the page: a firewall
    in front of the site asks for a script to run; the retry spent, the request fails."""

    def __init__(self, reason: str, response: Response) -> None:
        super().__init__(reason)
        self.response = response


# Retries of a request answered with a bot challenge: one (a firewall that challenges bursts
# may let a later request through; one that challenges every client without its cookie never
# will, and each retry is one more request to a site that is already refusing).
CHALLENGE_RETRIES = 1


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware with a wait before each retry.

    The wait is ``Retry-After`` when the server sends one, else ``ARCHIVE_RETRY_BACKOFF`` ×
    2^(attempt − 1); never more than ``ARCHIVE_RETRY_MAX_WAIT``. Only the retried request waits.
    """

    backoff: float
    max_wait: float
    timeout_retries: int
    max_transfer: float
    timeout: float

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        o = super().from_crawler(crawler)
        s = crawler.settings
        o.backoff = s.getfloat("ARCHIVE_RETRY_BACKOFF")
        o.max_wait = s.getfloat("ARCHIVE_RETRY_MAX_WAIT")
        o.timeout_retries = max(0, s.getint("ARCHIVE_TIMEOUT_RETRIES"))
        o.max_transfer = s.getfloat("ARCHIVE_MAX_TRANSFER_SECONDS")
        o.timeout = s.getfloat("DOWNLOAD_TIMEOUT")
        crawler.signals.connect(o.bytes_received, signal=signals.bytes_received)
        return o

    @staticmethod
    def bytes_received(data: bytes, request: Request, spider: Spider | None = None) -> None:
        """Progress of the request's current try (read when it times out)."""
        request.meta[BYTES_RECEIVED] = request.meta.get(BYTES_RECEIVED, 0) + len(data)

    def _after_timeout(self, request: Request) -> Request | None:
        """A try that timed out while bytes kept arriving: the same request with a 4x longer
        timeout (up to ARCHIVE_MAX_TRANSFER_SECONDS), not counted as a failed try; None when
        nothing arrived (a hang) or the longest timeout is spent."""
        got = int(request.meta.get(BYTES_RECEIVED, 0))
        current = float(request.meta.get("download_timeout") or self.timeout)
        longer = min(current * 4, self.max_transfer)
        if got <= 0 or longer <= current:
            return None
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("archive/slow_transfers")
        logger.info(
            "slow transfer of %s (%d bytes in %.0f s): trying again with %.0f s",
            request.url,
            got,
            current,
            longer,
        )
        meta = {**request.meta, "download_timeout": longer, BYTES_RECEIVED: 0}
        return request.replace(meta=meta, dont_filter=True)

    def retry_request(
        self, request: Request, reason: str | Exception, *, max_times: int | None = None
    ) -> Request | None:
        """The retry of ``request`` (Scrapy's public ``get_retry_request``), None when spent.

        Honours the ``max_retry_times`` and ``priority_adjust`` meta keys as Scrapy's own
        middleware does; ``max_times`` lowers the number of retries further (timeouts).
        """
        spider = self.crawler.spider
        assert spider is not None
        most = int(request.meta.get("max_retry_times", self.max_retry_times))
        return get_retry_request(
            request,
            spider=spider,
            reason=reason,
            max_retry_times=most if max_times is None else min(most, max_times),
            priority_adjust=request.meta.get("priority_adjust", self.priority_adjust),
        )

    def _wait(self, request: Request, retry_after: float | None) -> float:
        attempt = int(request.meta.get("retry_times", 0)) + 1
        wait = retry_after if retry_after is not None else self.backoff * 2 ** (attempt - 1)
        return max(0.0, min(wait, self.max_wait))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if response.status == 200 and not is_robots_request(request):
            cut = incomplete(response.body, _content_type(response))
            if cut is not None:
                return await self._retry_incomplete(request, response, cut)
            challenge = bot_challenge(response.body)
            if challenge is not None:
                return await self._retry_challenge(request, response, challenge)
        elif response.status == 206 and not request.headers.get(b"Range"):
            # RFC 9110 §15.3.7: 206 answers a Range request. To a request for the whole (we
            # never send Range) it is a part of the page or file, never the thing itself.
            part = "HTTP 206 (partial content) to a request for the whole resource"
            return await self._retry_incomplete(request, response, part)
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        wait = self._wait(request, retry_after_seconds(response.headers.get(b"Retry-After")))
        retry = self.retry_request(request, response_status_message(response.status))
        if retry is None:
            return response
        if wait:
            await sleep(wait)
        return retry

    async def _retry_incomplete(self, request: Request, response: Response, cut: str) -> Request:
        """A body that did not arrive whole is retried like a lost connection; when the retries
        are spent the request fails (its errback records it; the next run tries again)."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("archive/incomplete_responses")
        if not request.meta.get("dont_retry", False):
            wait = self._wait(request, None)
            retry = self.retry_request(request, "incomplete response")
            if retry is not None:
                if wait:
                    await sleep(wait)
                return retry
        raise IncompleteResponse(f"{cut}: {len(response.body)} bytes received", response)

    async def _retry_challenge(
        self, request: Request, response: Response, challenge: str
    ) -> Request:
        """A bot challenge is retried once, after the backoff; then the request fails (its
        errback records it, naming the challenge; the next run tries again)."""
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"archive/{outcome.BOT_CHALLENGES}")
        if not request.meta.get("dont_retry", False):
            wait = self._wait(request, None)
            retry = self.retry_request(request, "bot challenge", max_times=CHALLENGE_RETRIES)
            if retry is not None:
                if wait:
                    await sleep(wait)
                return retry
        raise BotChallenge(f"the site answered with {challenge}", response)

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        max_times = None
        if isinstance(exception, DownloadTimeoutError):
            slow = self._after_timeout(request)
            if slow is not None:
                return slow
            # a hang: retried at most ARCHIVE_TIMEOUT_RETRIES times, so it costs about a minute
            max_times = self.timeout_retries
        request.meta[BYTES_RECEIVED] = 0
        wait = self._wait(request, None)
        retry = self.retry_request(request, exception, max_times=max_times)
        if retry is not None and wait:
            await sleep(wait)
        return retry


class CallbackErrorsMiddleware:
    """A spider middleware: an exception a callback raises (a parser bug met on a hostile page)
    becomes a recorded failure of that page, like one that did not download: the run is
    ``partial`` and the next run tries the page again. Scrapy's own handling logs the
    traceback and drops the page, so a crawl lost it and still said ``ok``.

    Public Scrapy API: the ``process_spider_exception`` hook, returning the failure as an item.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CallbackErrorsMiddleware:
        return cls(crawler)

    def process_spider_exception(
        self, response: Response, exception: Exception, spider: Spider | None = None
    ) -> list[Any] | None:
        if isinstance(exception, IgnoreRequest):  # HttpError and the like: the errback's
            return None
        meta = response.meta
        url = failed_url(meta, response.url)  # as the spider's errback records a failure
        kind = str(meta.get("kind") or "listing")
        reason = f"could not be read: {type(exception).__name__}: {exception}"[:300]
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value("archive/callback_errors")
        logger.error("failed %s %s: %s", kind, url, reason)
        logger.debug("the callback's exception", exc_info=exception)
        return [FetchFailure(url, kind, reason, response.status)]


class ProgressLog:
    """Logs pages, articles (new/updated/unchanged), files and errors every few seconds."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

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
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.log)
        self.loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def log(self) -> None:
        stats: dict[str, Any] = self.crawler.stats.get_stats() if self.crawler.stats else {}
        elapsed = time.monotonic() - self.started
        logger.info("%s", progress_line(stats, elapsed))


def progress_line(stats: dict[str, Any], elapsed: float) -> str:
    """One progress line: what was done, what is known to remain (requests scheduled and not
    yet taken, from Scrapy's ``scheduler/*`` stats) and, once a rate can be measured, about how
    long that takes. The walk discovers more as it goes, so the estimate grows with it."""
    pages = stats.get("downloader/response_count", 0)
    line = (
        f"progress: {pages} pages, articles {stats.get('archive/articles_new', 0)} new / "
        f"{stats.get('archive/articles_updated', 0)} updated / "
        f"{stats.get('archive/articles_unchanged', 0) + stats.get('archive/not_modified', 0)}"
        f" unchanged, {stats.get('archive/files', 0)} files, "
        f"{stats.get('archive/errors', 0)} errors"
    )
    remaining = stats.get("scheduler/enqueued", 0) - stats.get("scheduler/dequeued", 0)
    if remaining <= 0:
        return line
    line += f"; {remaining} requests known to remain"
    if pages >= PROGRESS_MIN_PAGES and elapsed > 0:
        left = remaining * elapsed / pages
        line += f", about {_duration(left)} left at this pace"
    return line


PROGRESS_MIN_PAGES = 20  # fewer answers than this give no estimate worth printing


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
