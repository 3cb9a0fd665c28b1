"""What the crawler needs to know of the archive to decide what to fetch (read-only helpers).

The re-check schedule (docs/schema.md, "Re-check schedule"): an article is due again when

    now - last_checked >= clamp(age / 10, 1 hour, 30 days)

where ``age = now - published_at`` (``first_seen`` when the date is unknown). A day-old article
is re-checked every hour or so; a 100-day-old one every 10 days; anything older than 300 days
every 30 days — every article eventually. Never-checked articles are due at once. The most
overdue (largest elapsed / interval) come first.

A time still to come proves nothing (a run under a clock set years ahead, a page dated 2205):
an article whose ``last_checked`` lies after ``now`` is due at once, like a never-checked one
(else it waited until the wrong clock's date, its edits unseen, every run saying ``ok``); a
``published_at`` after ``now`` gives no age (``first_seen`` counts, as for an undated page; an
age still to come counts as none: hourly).

A re-check is conditional (it sends the stored ``ETag``/``Last-Modified``) only while the
article's page last came whole (``last_fetched``: an HTTP 200, not a 304) less than
:data:`TRUSTED_INTERVALS` intervals ago; otherwise it asks for the whole page. A server, or a
cache before it, whose validators lie (a 304 to every conditional request, the page changed or
not) then delays an edit by three intervals at most (90 days for the oldest articles) instead
of hiding it for good. A full run's requests follow the same rule (:func:`validators`).

:func:`read_snapshot` reads all of it at once, on a read-only connection, before a crawl
starts: the crawl then decides from the :class:`Snapshot` and never reads the database while
it runs (no SQLite I/O on the reactor thread).

A file the site keeps answering "not there" (HTTP 404 or 410, or an HTML page in its place)
is given up once it has failed for :data:`FILE_GONE_AFTER` (:func:`given_up_files`): a run no
longer asks for it, and its failure no longer makes a run partial (its error stays open: the
archive lacks it); every :data:`FILE_GONE_RETRY` after its last try it is asked for again, in
case the site put it back. Without this a portal with a few dead images made every hourly run
exit 1, and asked for them every hour.

An article is known by (portal, site_id): the helpers that list articles take a ``portal``
(``None``, the default: every portal); each :class:`Recheck` carries its article's portal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from archive.runlog import FrontierEntry, read_frontier

if TYPE_CHECKING:
    import sqlite_utils

MIN_INTERVAL_DAYS = 1 / 24  # 1 hour
MAX_INTERVAL_DAYS = 30.0
AGE_DIVISOR = 10.0
TRUSTED_INTERVALS = 3  # a 304 is trusted this many re-check intervals after the last 200


class Recheck(NamedTuple):
    """An article due for a re-check, with the validators for a conditional request."""

    site_id: int
    url: str
    etag: str | None
    last_modified: str | None
    portal: str = "most"


class OpenError(NamedTuple):
    """An unresolved fetch error."""

    url: str
    kind: str
    status: int | None
    reason: str | None
    attempts: int
    first_failed: str
    last_failed: str


def _iso(now: dt.datetime | str) -> str:
    if isinstance(now, str):
        now = dt.datetime.fromisoformat(now)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(dt.UTC).replace(microsecond=0).isoformat()


def category_links(db: sqlite_utils.Database) -> set[tuple[int, int]]:
    """Every (site id, category id) an archived article is listed in, of every portal: a
    listing page whose articles are archived but not yet linked to its category still brings
    something to the archive (the early stop goes on past it)."""
    return {
        (int(r["site_id"]), int(r["category_id"]))
        for r in db.query("SELECT site_id, category_id FROM article_categories")
    }


def known_article_ids(db: sqlite_utils.Database, portal: str | None = None) -> set[int]:
    """The site ids of every archived article of ``portal`` (``None``: of every portal)."""
    return {
        int(r["site_id"])
        for r in db.query(
            "SELECT site_id FROM articles WHERE :portal IS NULL OR portal = :portal",
            {"portal": portal},
        )
    }


# The articles (of :portal, every portal when NULL) with their re-check interval at :now, and
# their validators where a conditional request is still trusted (NULL otherwise).
_SCHEDULE = f"""
WITH s AS (
    SELECT site_id, url, etag, last_modified, last_fetched, portal, id,
        -- a check dated after now (a wrong clock) is no check: NULL, due at once
        CASE WHEN julianday(last_checked) <= julianday(:now) THEN last_checked END
            AS last_checked,
        min(max((julianday(:now) - julianday(CASE
                    WHEN julianday(published_at) <= julianday(:now) THEN published_at
                    ELSE first_seen END))
                / {AGE_DIVISOR}, {MIN_INTERVAL_DAYS}), {MAX_INTERVAL_DAYS}) AS interval_days
    FROM articles WHERE :portal IS NULL OR portal = :portal
), t AS (
    SELECT site_id, url, last_checked, portal, id, interval_days,
        -- (a whole page dated after now proves nothing either)
        julianday(last_fetched) <= julianday(:now)
            AND julianday(:now) - julianday(last_fetched) < {TRUSTED_INTERVALS} * interval_days
            AS trusted,
        etag AS stored_etag, last_modified AS stored_last_modified
    FROM s
)
"""
_VALIDATORS = (
    "CASE WHEN trusted THEN stored_etag END AS etag, "
    "CASE WHEN trusted THEN stored_last_modified END AS last_modified"
)
_DUE_SQL = f"""{_SCHEDULE}
SELECT site_id, url, {_VALIDATORS}, portal,
    CASE WHEN last_checked IS NULL THEN 1e9
         ELSE (julianday(:now) - julianday(last_checked)) / interval_days END AS overdue
FROM t
WHERE last_checked IS NULL
   OR julianday(:now) - julianday(last_checked) >= interval_days - 1e-9
ORDER BY overdue DESC, id DESC
"""


def due_for_recheck(
    db: sqlite_utils.Database,
    *,
    now: dt.datetime | str,
    limit: int | None = None,
    portal: str | None = None,
) -> list[Recheck]:
    """Articles (of ``portal``; ``None``: of every portal) due for a re-check at ``now`` under
    the decaying schedule, most overdue first."""
    sql = _DUE_SQL + (" LIMIT :limit" if limit is not None else "")
    params: dict[str, object] = {"now": _iso(now), "portal": portal}
    if limit is not None:
        params["limit"] = int(limit)
    return [
        Recheck(r["site_id"], r["url"], r["etag"], r["last_modified"], r["portal"])
        for r in db.query(sql, params)
    ]


def missing_files(db: sqlite_utils.Database, per_article: int = 0) -> list[str]:
    """Image and attachment URLs of archived articles that have no ``files`` row yet.

    All of them, offsite ones included: the crawler decides which it may fetch. With
    ``per_article``, only the first that many images and attachments of each article (by
    position): the crawl fetches no more of one article (``ARCHIVE_MAX_FILES_PER_ARTICLE``).
    """
    return [
        r["url"]
        for r in db.query(
            "SELECT url FROM images WHERE :cap = 0 OR position < :cap "
            "UNION SELECT url FROM attachments WHERE :cap = 0 OR position < :cap "
            "EXCEPT SELECT url FROM files ORDER BY url",
            {"cap": max(0, per_article)},
        )
    ]


# Runs that never reached the site (it did not answer, or its robots.txt forbade every page):
# the archive is as the run before left it, so that run judges the walk.
NOTHING_CRAWLED = ("unreachable", "forbidden")


def last_finished_run(
    db: sqlite_utils.Database, *, except_run: int | None = None, site: str | None = None
) -> dict[str, object] | None:
    """The newest run that is not ``running`` (nor ``except_run``, nor one that never reached
    the site: :data:`NOTHING_CRAWLED`), of ``site`` when given (a crawl of several sites
    judges each site by its own last run): id, mode, outcome and counts (the ``counts_json``
    mapping; ``{}`` when there is none)."""
    import json

    row = next(
        db.query(
            "SELECT id, mode, outcome, counts_json FROM runs WHERE outcome != 'running' "
            f"AND outcome NOT IN ({', '.join(repr(o) for o in NOTHING_CRAWLED)}) "
            "AND id IS NOT :except AND (:site IS NULL OR site = :site) ORDER BY id DESC LIMIT 1",
            {"except": except_run, "site": site},
        ),
        None,
    )
    if row is None:
        return None
    raw = row.pop("counts_json")
    try:
        counts = json.loads(raw) if raw else {}
    except ValueError:
        counts = {}
    row["counts"] = counts if isinstance(counts, dict) else {}
    return row


def last_finished_runs(
    db: sqlite_utils.Database, *, except_run: int | None = None
) -> dict[str, dict[str, object]]:
    """``site -> last_finished_run(site=site)`` for every site the archive has a run of."""
    sites = [
        str(r["site"])
        for r in db.query("SELECT DISTINCT site FROM runs WHERE site IS NOT NULL ORDER BY site")
    ]
    found = {s: last_finished_run(db, except_run=except_run, site=s) for s in sites}
    return {s: run for s, run in found.items() if run is not None}


def open_errors(db: sqlite_utils.Database, kind: str | None = None) -> list[OpenError]:
    """Unresolved fetch errors (of one ``kind`` if given), oldest failure first."""
    where = "resolved_at IS NULL" + (" AND kind = ?" if kind else "")
    return [
        OpenError(**r)
        for r in db.query(
            "SELECT url, kind, status, reason, attempts, first_failed, last_failed "
            f"FROM fetch_errors WHERE {where} ORDER BY first_failed, id",
            [kind] if kind else [],
        )
    ]


def validators(
    db: sqlite_utils.Database,
    portal: str | None = None,
    *,
    now: dt.datetime | str | None = None,
) -> dict[int, tuple[str | None, str | None]]:
    """``site_id -> (etag, last_modified)`` of every archived article of ``portal`` (``None``:
    of every portal), in one query; ``(None, None)`` where a conditional request is no longer
    trusted at ``now`` (default: now; see the module's docstring)."""
    return {
        int(r["site_id"]): (r["etag"], r["last_modified"])
        for r in db.query(
            f"{_SCHEDULE} SELECT site_id, {_VALIDATORS} FROM t",
            {"now": _iso(now or dt.datetime.now(dt.UTC)), "portal": portal},
        )
    }


# How long a file must keep answering "not there" before it is given up, and how often a file
# given up is asked for again (see the module's docstring).
FILE_GONE_AFTER = dt.timedelta(days=7)
FILE_GONE_RETRY = dt.timedelta(days=30)
# The reason the crawl records for a file answered by an HTML page (an error page with 200).
FILE_IS_HTML_PAGE = "an HTML page where an image or document was expected (an error page?)"
_GIVEN_UP = (
    "SELECT url, last_failed <= :retry_before AS due FROM fetch_errors "
    "WHERE resolved_at IS NULL AND kind = 'file' AND (status IN (404, 410) OR reason = :html) "
    "AND first_failed <= :gone_before"
)


def given_up_files(
    db: sqlite_utils.Database, *, now: dt.datetime | str | None = None
) -> dict[str, bool]:
    """``url -> due again`` of every file given up at ``now`` (default: now): answered "not
    there" for :data:`FILE_GONE_AFTER` at least; due again :data:`FILE_GONE_RETRY` after its
    last try."""
    at = dt.datetime.fromisoformat(_iso(now or dt.datetime.now(dt.UTC)))
    return {
        str(r["url"]): bool(r["due"])
        for r in db.query(
            _GIVEN_UP,
            {
                "html": FILE_IS_HTML_PAGE,
                "gone_before": _iso(at - FILE_GONE_AFTER),
                "retry_before": _iso(at - FILE_GONE_RETRY),
            },
        )
    }


def downloaded_file_urls(db: sqlite_utils.Database) -> frozenset[str]:
    """URLs of every image and attachment already downloaded (a ``files`` row)."""
    return frozenset(str(r["url"]) for r in db.query("SELECT url FROM files"))


@dataclass(frozen=True)
class Snapshot:
    """What the archive holds, as a crawl needs it, read once before the crawl starts."""

    known: frozenset[int] = frozenset()  # archived article ids
    # (site id, category id): the listings archived articles are linked to
    listed: frozenset[tuple[int, int]] = frozenset()
    rechecks: tuple[Recheck, ...] = ()  # due for a re-check, most overdue first
    validators: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    missing_files: tuple[str, ...] = ()  # image/attachment URLs without a files row (any host)
    downloaded_files: frozenset[str] = frozenset()  # image/attachment URLs with a files row
    open_errors: tuple[OpenError, ...] = ()  # unresolved fetch errors, oldest first
    # files given up (given_up_files): their failures do not count; those not due again are
    # left out of missing_files and are not asked for
    files_given_up: frozenset[str] = frozenset()
    files_resting: frozenset[str] = frozenset()
    last_run: dict[str, object] | None = None  # the newest finished run: id, mode, outcome
    # site -> its newest finished run (a crawl of several sites judges each by its own)
    last_runs: dict[str, dict[str, object]] = field(default_factory=dict)
    # site -> the requests a time-limited run left (its walk goes on from them)
    frontier: dict[str, tuple[FrontierEntry, ...]] = field(default_factory=dict)


def _portals(db: sqlite_utils.Database) -> list[str]:
    """The portals the archive holds articles of."""
    return [str(r["portal"]) for r in db.query("SELECT DISTINCT portal FROM articles ORDER BY 1")]


def read_snapshot(
    path: str | Path,
    *,
    incremental: bool = True,
    recheck_limit: int = 0,
    recheck_at: dt.datetime | str | None = None,
    fetch_files: bool = True,
    files_per_article: int = 0,
    except_run: int | None = None,
    site: str | None = None,
) -> Snapshot:
    """Read a crawl's :class:`Snapshot` of the archive at ``path``, read-only.

    A missing file is an empty archive. Re-checks are read for incremental runs only (at most
    ``recheck_limit`` of each portal, due at ``recheck_at``, default now), validators of every
    article for full runs only (trusted or not at ``recheck_at`` too), files only when the crawl
    fetches them (the missing ones among the first ``files_per_article`` of each article; 0:
    all).
    ``except_run`` is the caller's own run, left out of ``last_run``; ``site``, when given, is
    the site whose last run counts.
    """
    from archive.db import open_archive

    if not Path(path).exists():
        return Snapshot()
    db = open_archive(path, readonly=True)
    try:
        rechecks: list[Recheck] = []
        now = recheck_at or dt.datetime.now(dt.UTC)
        if incremental and recheck_limit > 0:
            # the limit is each portal's: a site's run re-checks its own portal's articles
            # only, and another portal's overdue ones must not take its share
            for portal in _portals(db):
                rechecks += due_for_recheck(db, now=now, limit=recheck_limit, portal=portal)
        given_up = given_up_files(db, now=now) if fetch_files else {}
        resting = frozenset(url for url, due in given_up.items() if not due)
        missing = missing_files(db, files_per_article) if fetch_files else []
        return Snapshot(
            known=frozenset(known_article_ids(db)),
            listed=frozenset(category_links(db)) if incremental else frozenset(),
            rechecks=tuple(rechecks),
            validators={} if incremental else validators(db, now=now),
            missing_files=tuple(url for url in missing if url not in resting),
            files_given_up=frozenset(given_up),
            files_resting=resting,
            downloaded_files=downloaded_file_urls(db) if fetch_files else frozenset(),
            open_errors=tuple(open_errors(db)),
            last_run=last_finished_run(db, except_run=except_run, site=site),
            last_runs=last_finished_runs(db, except_run=except_run),
            frontier=read_frontier(db),
        )
    finally:
        db.close()
