"""What the ``most`` spider knows before its first request, and how it reads responses.

:class:`ArchiveView` is made from the archive's :class:`archive.crawlstate.Snapshot`, read
once, read-only, before the crawl starts (never SQL here, never a database read while the crawl
runs): which articles are archived, which are due for a re-check, which files are missing or
downloaded, which fetches failed before, and whether the last run finished its walk. The
helpers below turn Scrapy responses and failures into the plain records of
:mod:`crawler.records`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DownloadCancelledError
from scrapy.spidermiddlewares.httperror import HttpError

from archive import crawlstate
from archive.runlog import FrontierEntry
from crawler import outcome
from crawler.cookiecheck import CHECKED as COOKIE_CHECKED
from crawler.records import RawPage

if TYPE_CHECKING:
    from collections.abc import Mapping

    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

    from crawler.urls import SiteScope

# Meta keys Scrapy's middlewares keep per request (retries, redirects, timing): a new request
# made from a failed one must not inherit them.
PER_REQUEST_META = frozenset(
    {
        "retry_times",
        "redirect_times",
        "redirect_ttl",
        "redirect_urls",
        "redirect_reasons",
        "download_latency",
        "download_slot",
        "depth",
        COOKIE_CHECKED,  # made again with its host's cookies (crawler.cookiecheck)
    }
)


# Listing-request meta: the walk goes to its category's end, whatever its pages hold. Set on the
# listing requests of a run that does not stop its walks early (a first run, a backfill): a
# time-limited run's frontier keeps it, and the run that takes the frontier up walks those
# categories on to their end, even where the pages it meets first hold only archived articles
# (news pushed them down since); its own walks from the first pages still stop early.
TO_THE_END = "to_the_end"
# Request meta: a shard the sitemap index listed (read as a URL list). A time-limited run's
# frontier keeps the shards it had not read (the next run reads them: an incremental run reads
# only the newest of its own).
SHARD = "sitemap_shard"

# An article that failed at most this many times makes the next run walk every listing page
# (its categories are only known from the listings); after that it is retried on its own.
RECENT_ERROR_ATTEMPTS = 3


@dataclass
class Listed:
    """What a listing page's article links gave (``MostSpider._listed_articles``)."""

    # every article on the page was known already, and linked to its category (the early
    # stop's streak)
    all_known: bool
    item_ids: list[int | str] = field(default_factory=list)  # ids, or URLs that are no article
    outputs: list[Any] = field(default_factory=list)  # category links and article requests


@dataclass
class ArchiveView:
    """The archive as the spider sees it at the start of a run."""

    known: frozenset[int] = frozenset()  # archived article ids
    listed: frozenset[tuple[int, int]] = frozenset()  # (article id, category id) links archived
    rechecks: tuple[crawlstate.Recheck, ...] = ()  # due, most overdue first
    validators: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # --full
    # files not downloaded yet, of every portal (the spider fetches its own site's once it knows
    # the portal: MostSpider._own_file)
    missing_files: list[str] = field(default_factory=list)
    downloaded_files: frozenset[str] = frozenset()  # files already downloaded
    open_errors: tuple[crawlstate.OpenError, ...] = ()
    # files given up (archive.crawlstate.given_up_files): failures that do not count, and
    # those not asked for at all this run
    files_given_up: frozenset[str] = frozenset()
    files_resting: frozenset[str] = frozenset()
    walk_complete_before: bool = False  # the last finished run walked every category
    # URLs of articles that failed recently, of every portal (the spider keeps its own site's
    # once it knows the portal): their listings must be walked again to know their categories
    recent_article_errors: tuple[str, ...] = ()
    # the requests a time-limited run of this site left: the walk goes on from them
    frontier: tuple[FrontierEntry, ...] = ()

    @classmethod
    def of(
        cls, snapshot: crawlstate.Snapshot, scope: SiteScope, *, site: str | None = None
    ) -> ArchiveView:
        """The crawl's view of a :class:`archive.crawlstate.Snapshot` (no database access).

        ``site``: a later site of a crawl of several (``scrapy crawl most`` without a site),
        judged by its own last run; without it, the run the snapshot was read for."""
        last = snapshot.last_run if site is None else snapshot.last_runs.get(site)
        return cls(
            known=snapshot.known,
            listed=snapshot.listed,
            rechecks=snapshot.rechecks,
            validators=snapshot.validators,
            missing_files=list(snapshot.missing_files),
            downloaded_files=snapshot.downloaded_files,
            open_errors=snapshot.open_errors,
            files_given_up=snapshot.files_given_up,
            files_resting=snapshot.files_resting,
            walk_complete_before=walk_was_complete(last),
            frontier=snapshot.frontier.get(scope.base, ()),
            recent_article_errors=tuple(
                e.url
                for e in snapshot.open_errors
                if e.kind == "article" and e.attempts <= RECENT_ERROR_ATTEMPTS
            ),
        )


def walk_was_complete(last: dict[str, object] | None) -> bool:
    """Whether the last finished run walked every category to its stop point, so stopping a
    walk early is safe now: not after one that died, was interrupted or failed, nor after one
    a page limit cut short (its mode says ``-limited``, or a limit or the safety bound stopped
    a category while something worse made it ``partial`` or ``drift``): the outcomes are
    :data:`crawler.outcome.WALKED_TO_THE_END`, and ``limited`` by a time limit that came after
    the walk (:func:`crawler.outcome.listings_walked_in_time`: no listing page left)."""
    if not last or "limited" in str(last.get("mode") or ""):
        return False
    counts = last.get("counts")
    counts = counts if isinstance(counts, dict) else {}
    if outcome.walk_was_cut(counts):
        return False
    if last.get("outcome") in outcome.WALKED_TO_THE_END:
        return True
    # its time limit ended it after the walk (nothing of the walk left to go on from)
    return last.get("outcome") == "limited" and outcome.listings_walked_in_time(counts)


def read_snapshot(settings: BaseSettings, site: str | None = None) -> crawlstate.Snapshot:
    """The archive's snapshot for a crawl configured by ``settings`` (read-only, blocking).

    ``crawler.run`` calls it before the crawl starts; a spider started by ``scrapy crawl``
    calls it on a worker thread before its first request.
    """
    incremental = settings.getbool("ARCHIVE_INCREMENTAL")
    return crawlstate.read_snapshot(
        settings.get("ARCHIVE_DB"),
        incremental=incremental,
        recheck_limit=settings.getint("ARCHIVE_RECHECK_LIMIT"),
        recheck_at=settings.get("ARCHIVE_RECHECK_AT") or None,
        fetch_files=settings.getbool("ARCHIVE_FETCH_FILES"),
        files_per_article=settings.getint("ARCHIVE_MAX_FILES_PER_ARTICLE"),
        except_run=settings.getint("ARCHIVE_RUN_ID") or None,
        site=site or settings.get("ARCHIVE_SITE") or None,
    )


def raw_page(response: Response) -> RawPage:
    """The response as the archive keeps it."""
    headers = {
        k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()
    }
    ctype = response.headers.get(b"Content-Type")
    return RawPage(
        url=response.url,
        status=response.status,
        headers=headers,
        body=response.body,
        content_type=ctype.decode("latin-1") if ctype else None,
    )


def header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def is_connection_failure(failure: Failure) -> bool:
    """True when the request never reached a server: connection refused, no such host, or no
    answer to the connection attempt (not a timeout of a connected request)."""
    from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError
    from twisted.internet.error import ConnectError, DNSLookupError

    return isinstance(
        failure.value,
        CannotResolveHostError | DownloadConnectionRefusedError | ConnectError | DNSLookupError,
    )


def failed_url(meta: Mapping[str, Any], url: str) -> str:
    """The URL a failed page is recorded under: the article's canonical URL, the file's URL as
    the page wrote it, else the URL first asked for (before any redirect)."""
    first = (meta.get("redirect_urls") or [url])[0]
    return str(meta.get("canonical") or meta.get("file_url") or first)


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short reason and HTTP status (if any) for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}", int(exc.response.status)
    text = str(exc) or type(exc).__name__
    if (
        isinstance(exc, DownloadCancelledError)
        or "larger than" in text
        or (
            "maxsize" in text.lower()  # also a decompression bomb: "exceeded DOWNLOAD_MAXSIZE"
        )
    ):
        # Scrapy cancels a download only when it passes the size limit (download_maxsize)
        return f"response too large, cut off at the size limit: {text}"[:300], None
    return f"{type(exc).__name__}: {text}"[:300], None
