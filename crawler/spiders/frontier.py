"""The walk's frontier: the listing and article requests a run has queued but not fetched.

A run that its time limit ends (``--max-duration``) leaves them to the next run, which goes on
from there instead of walking every listing page again, so a backfill that takes days completes
over several cron runs. :class:`WalkFrontier` follows the requests through Scrapy's signals
(scheduled, dropped as duplicates, left the downloader), so whichever walk made them — the
SharePoint portal's categories or mst's zones — its listing pages and articles are covered
without each request-maker knowing. So are the sitemap shards it had not read (an incremental
run reads only the newest of its own) and the articles the feeds and sitemap found that it had
not asked for yet (the spider's ``discoveries_left``). Requests of other kinds are not kept: the
next run reads the feeds and the sitemap index again, re-checks what its schedule says, and
fetches missing files from the archive's own list. Conditional re-checks are not kept either
(the schedule remakes them).

Entries are JSON (``request_json``: callback, errback, priority, meta, headers, dont_filter),
stored by the archive as they are (``archive.runlog.save_frontier``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals

from archive.runlog import FrontierEntry
from crawler.spiders.state import PER_REQUEST_META, SHARD, TO_THE_END

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from scrapy.crawler import Crawler

RESUMABLE_KINDS = frozenset({"listing", "article"})
# The walk's start is made again by every run, never kept.
NOT_RESUMED = frozenset({"parse_home", "parse_root"})
CONDITIONAL = (b"If-None-Match", b"If-Modified-Since")


def _key(request: scrapy.Request) -> tuple[str, str]:
    return str(request.meta.get("kind")), request.url


def _resumable(request: scrapy.Request) -> bool:
    if request.method != "GET":
        return False
    if request.meta.get("kind") not in RESUMABLE_KINDS and not request.meta.get(SHARD):
        return False
    if getattr(request.callback, "__name__", None) in NOT_RESUMED:
        return False
    return not any(request.headers.get(h) for h in CONDITIONAL)


def _json_meta(meta: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    for key, value in meta.items():
        if key in PER_REQUEST_META or key.startswith("_"):
            continue
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            continue
        kept[key] = value
    return kept


def to_entry(request: scrapy.Request, extra_meta: dict[str, Any] | None = None) -> FrontierEntry:
    """A request as the archive keeps it."""
    callback = getattr(request.callback, "__name__", None)
    errback = getattr(request.errback, "__name__", None)
    headers = {
        k.decode("latin-1"): v[0].decode("latin-1")
        for k, v in request.headers.items()
        if v and k not in CONDITIONAL
    }
    meta = {**_json_meta(dict(request.meta)), **(extra_meta or {})}
    # the first URL asked (a redirect's target is found again by asking it)
    url = (request.meta.get("redirect_urls") or [request.url])[0]
    data = {
        "callback": callback,
        "errback": errback,
        "priority": request.priority,
        "meta": meta,
        "headers": headers,
        "dont_filter": request.dont_filter,
    }
    site_id = meta.get("site_id")
    return FrontierEntry(
        str(meta.get("kind")),
        url,
        json.dumps(data, ensure_ascii=False),
        site_id if isinstance(site_id, int) else None,
    )


def kept_to_the_end(meta: dict[str, Any]) -> bool:
    """Whether a kept listing page's walk goes to its category's end
    (``crawler.spiders.state.TO_THE_END``; kept by an earlier release without the mark: yes)."""
    return bool(meta.get(TO_THE_END, True))


def is_backfill(entry: FrontierEntry) -> bool:
    """Whether a kept entry is a listing page of a walk that goes to its category's end."""
    if entry.kind != "listing":
        return False
    try:
        meta = json.loads(entry.request_json).get("meta") or {}
    except (ValueError, AttributeError):
        return False
    return kept_to_the_end(meta) if isinstance(meta, dict) else False


def to_request(entry: FrontierEntry, spider: scrapy.Spider) -> scrapy.Request | None:
    """The request an entry stands for, bound to ``spider``'s callbacks (None if unknown)."""
    try:
        data = json.loads(entry.request_json)
    except ValueError:
        return None
    callback = getattr(spider, data.get("callback") or "", None)
    errback = getattr(spider, data.get("errback") or "", None)
    if not callable(callback):
        return None
    return scrapy.Request(
        entry.url,
        callback=callback,
        errback=errback if callable(errback) else None,
        priority=int(data.get("priority") or 0),
        meta=dict(data.get("meta") or {}),
        headers=data.get("headers") or None,
        dont_filter=bool(data.get("dont_filter")),
    )


class WalkFrontier:
    """The resumable requests scheduled and not yet through the downloader."""

    def __init__(self) -> None:
        self.pending: dict[tuple[str, str], scrapy.Request] = {}

    def connect(self, crawler: Crawler) -> None:
        crawler.signals.connect(self._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self._gone, signal=signals.request_dropped)
        crawler.signals.connect(self._answered, signal=signals.request_left_downloader)

    def _scheduled(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        # a duplicate of a pending request leaves the first in place (the scheduler drops it)
        if _resumable(request):
            self.pending.setdefault(_key(request), request)

    def _gone(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        if self.pending.get(_key(request)) is request:
            del self.pending[_key(request)]

    def _answered(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        # answered, or failed for good, or to be retried (then scheduled again)
        first = (request.meta.get("redirect_urls") or [request.url])[0]
        for url in {request.url, first}:
            self.pending.pop((str(request.meta.get("kind")), url), None)

    def entries(
        self, extra_meta: Callable[[scrapy.Request], dict[str, Any]] | None = None
    ) -> list[FrontierEntry]:
        """What is left, listings first (highest priority first within a kind)."""
        requests = sorted(
            self.pending.values(),
            key=lambda r: (r.meta.get("kind") != "listing", -r.priority),
        )
        return self.entries_of(requests, extra_meta)

    @staticmethod
    def entries_of(
        requests: Iterable[scrapy.Request],
        extra_meta: Callable[[scrapy.Request], dict[str, Any]] | None = None,
    ) -> list[FrontierEntry]:
        """Requests as the archive keeps them (also those a spider made and never scheduled)."""
        return [to_entry(r, extra_meta(r) if extra_meta else None) for r in requests]

    @staticmethod
    def restore(entries: Iterable[FrontierEntry], spider: scrapy.Spider) -> list[scrapy.Request]:
        """The requests of a saved frontier, for ``spider`` to yield first."""
        return [r for r in (to_request(e, spider) for e in entries) if r is not None]
