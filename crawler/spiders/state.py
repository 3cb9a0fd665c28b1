"""What the ``most`` spider knows before its first request, and how it reads responses.

:class:`ArchiveView` is read from the archive once, at the start of a run (through
``archive.crawlstate``, never SQL): which articles are archived, which
are due for a re-check, which files are missing, which fetches failed before, and whether the
last run finished its walk. The helpers below turn Scrapy responses and failures into the
plain records of :mod:`crawler.records`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from scrapy.exceptions import DownloadCancelledError
from scrapy.spidermiddlewares.httperror import HttpError

from archive import crawlstate
from archive.db import open_archive
from crawler.records import RawPage

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from crawler.urls import SiteScope

# Meta keys Scrapy's middlewares keep per request (retries, redirects, timing): a new request
# made from a failed one must not inherit them.
PER_REQUEST_META = frozenset({
    "retry_times", "redirect_times", "redirect_ttl", "redirect_urls", "redirect_reasons",
    "download_latency", "download_slot", "depth",
})  # fmt: skip


# An article that failed at most this many times makes the next run walk every listing page
# (its categories are only known from the listings); after that it is retried on its own.
RECENT_ERROR_ATTEMPTS = 3


@dataclass
class ArchiveView:
    """The archive as the spider sees it at the start of a run."""

    known: set[int] = field(default_factory=set)  # archived article ids
    rechecks: list[crawlstate.Recheck] = field(default_factory=list)  # due, most overdue first
    validators: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)  # --full
    missing_files: list[str] = field(default_factory=list)  # on-site files not downloaded yet
    open_errors: list[crawlstate.OpenError] = field(default_factory=list)
    walk_complete_before: bool = False  # the last finished run walked every category
    # articles that failed recently: their listings must be walked again to know their categories
    recent_article_errors: int = 0

    @classmethod
    def load(
        cls,
        db_path: str,
        scope: SiteScope,
        *,
        incremental: bool,
        recheck_limit: int,
        recheck_at: str,
        fetch_files: bool,
        run_id: int | None,
    ) -> ArchiveView:
        db = open_archive(db_path)
        try:
            view = cls(known=crawlstate.known_article_ids(db))
            if incremental and recheck_limit > 0:
                now = recheck_at or dt.datetime.now(dt.UTC)
                view.rechecks = crawlstate.due_for_recheck(db, now=now, limit=recheck_limit)
            if not incremental:
                for sid in view.known:
                    state = crawlstate.article_state(db, sid)
                    if state is not None:
                        view.validators[sid] = (state.etag, state.last_modified)
            if fetch_files:
                view.missing_files = [u for u in crawlstate.missing_files(db) if scope.contains(u)]
            view.open_errors = crawlstate.open_errors(db)
            view.recent_article_errors = sum(
                1 for e in view.open_errors
                if e.kind == "article" and e.attempts <= RECENT_ERROR_ATTEMPTS
            )  # fmt: skip
            last = crawlstate.last_finished_run(db, except_run=run_id)
        finally:
            db.close()
        # Stopping a walk early is only safe after a run that walked every category to its
        # stop point: not after one that died, was interrupted, or was limited by --max-pages.
        view.walk_complete_before = bool(
            last
            and last.get("outcome") in ("ok", "partial")
            and "limited" not in str(last.get("mode") or "")
        )
        return view


def stored_files(db_path: str, site_id: int) -> set[str]:
    """URLs of the files an archived article already has downloaded."""
    db = open_archive(db_path, readonly=True)
    try:
        return crawlstate.stored_file_urls(db, site_id)
    finally:
        db.close()


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


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short reason and HTTP status (if any) for a failed request."""
    exc = failure.value
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status}", int(exc.response.status)
    text = str(exc) or type(exc).__name__
    if isinstance(exc, DownloadCancelledError) or "larger than" in text or "maxsize" in text:
        # Scrapy cancels a download only when it passes the size limit (download_maxsize)
        return f"response too large, cut off at the size limit: {text}"[:300], None
    return f"{type(exc).__name__}: {text}"[:300], None
