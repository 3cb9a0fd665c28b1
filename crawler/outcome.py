"""A crawl run's outcome and the exit code it gives: decided here and nowhere else.

Both ways of running the crawl use :func:`decide_from_stats`: ``most-archive crawl``
(``crawler.run``) and ``scrapy crawl most`` (the pipeline records its own run). The outcome is
stored in the ``runs`` table (``archive.migrations.OUTCOMES``) and shown by ``most-archive
stats``. When several apply, the first of this table wins (the worst):

===============  ==========================================================================  ====
outcome          when                                                                        exit
===============  ==========================================================================  ====
``failed``       the archive could not store what was fetched (disk full, I/O error: the      1
                 run stops at the first failure), or the crawl ended another way (an error,
                 a close Scrapy asked for), or it finished without a single answer from the
                 site and no other outcome says why (every request dropped before it was
                 sent: ``downloader/response_count`` 0)
``interrupted``  stopped by a signal (Ctrl-C, SIGTERM: Scrapy's "shutdown")                  1
``unreachable``  the site never answered: every entry point refused the connection or has     1
                 no DNS name
``forbidden``    the site's robots.txt forbids every page the run asked for (``Disallow: /``):  1
                 obeyed, nothing but robots.txt fetched (:data:`ROBOTS_FORBIDDEN`); a robots.txt
                 answered with a 5xx refuses pages too, but as failures (``partial``)
``partial``      the crawl finished but some listings, articles or files failed              1
``drift``        finished, but a portal's recent articles parse badly, or none of the run's   1
                 first listing pages lists an article link: markup drift (``archive.drift``,
                 :func:`listings_drifted`, docs/crawling.md: the portal is named with example
                 URLs)
``limited``      the crawl finished, but a page limit stopped at least one category's walk:   0/1
                 0 for a limit the user set (``--max-pages``, ``ARCHIVE_MAX_PAGES``), 1 when
                 the default safety bound (``ARCHIVE_MAX_PAGES_BOUND``) was hit; or
                 ``--max-duration`` (``ARCHIVE_MAX_DURATION``) ended the run: exit 0, and the
                 next run goes on from the walk's frontier (``crawler.spiders.frontier``)
``ok``           the crawl finished and no listing, article or file failed                    0
``died``         the process vanished; marked by the next run                                 1
===============  ==========================================================================  ====

A run after a ``limited``, ``interrupted``, ``failed`` or ``died`` one (or after any run whose
walk a limit cut short) walks every listing page, so nothing the earlier run skipped is left
(after ``ok``, ``partial`` or ``drift`` it may stop early: :data:`WALKED_TO_THE_END`);
after a run its time limit ended, it goes on from that run's frontier instead. An
``unreachable`` or ``forbidden`` run is passed over (``archive.crawlstate.NOTHING_CRAWLED``):
the run before it judges.

Exit codes of ``most-archive crawl`` besides: 2 bad usage (click), 75 another crawl holds the
database's lock. ``scrapy crawl most`` keeps Scrapy's own exit code (0 once the crawl ran).
Pure: no Scrapy import.
"""

from __future__ import annotations

from collections.abc import Mapping

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_LOCKED = 75  # EX_TEMPFAIL: try again later

# Scrapy's finish reasons (``finish_reason`` stat) that mean "the crawl ran to its end" and
# "stopped by a signal"; ours when the archive could not store an item.
FINISHED = "finished"
SHUTDOWN = "shutdown"
STORAGE_FAILED = "storage_failed"
# Ours: the spider closed itself when its time limit (--max-duration) ran out.
TIME_LIMIT = "time_limit"

# Final outcomes, worst first: when several apply, the first wins. "died" is decided by the
# next run, never here.
ORDER: tuple[str, ...] = (
    "failed",
    "interrupted",
    "unreachable",
    "forbidden",
    "partial",
    "drift",
    "limited",
    "ok",
)

# Outcomes of a run whose walk reached every category's end or stop point (unless a page limit
# cut one: walk_was_cut): the next run may stop its walks early. ``drift`` is one: the alarm
# says how pages parse, not that the walk was cut. After any other outcome every listing page
# is walked again (or the walk goes on from the frontier a time limit left).
WALKED_TO_THE_END = frozenset({"ok", "partial", "drift"})

EXIT_CODES: Mapping[str, int] = {
    "ok": EXIT_OK,
    "limited": EXIT_OK,  # a limit the user set; the safety bound's: exit 1 (exit_code)
    "drift": EXIT_PARTIAL,
    "partial": EXIT_PARTIAL,
    "unreachable": EXIT_PARTIAL,
    "forbidden": EXIT_PARTIAL,
    "interrupted": EXIT_PARTIAL,
    "failed": EXIT_PARTIAL,
    "died": EXIT_PARTIAL,
}

# Stats (``archive/*`` keys, also the run's counts without the prefix) the outcome reads.
STORAGE_ERRORS = "storage_errors"  # items the archive failed to store
CATEGORIES_LIMITED = "categories_limited"  # walks stopped by the user's page limit
CATEGORIES_BOUNDED = "categories_bounded"  # walks stopped by the default safety bound
SITE_UNREACHABLE = "site_unreachable"  # the home page failed at the connection level
ROBOTS_FORBIDDEN = "robots_forbidden"  # requests robots.txt forbade (obeyed, not fetched)
ROBOTS_ANSWERS = "robots_answers"  # responses to robots.txt requests (crawler.middlewares)
# robots.txt answers that were a server error (5xx, retries spent): read as "disallow all"
# (RFC 9309 §2.3.1.4); what that refuses is a failure (crawler.middlewares.RobotsUnreadable)
ROBOTS_SERVER_ERRORS = "robots_server_errors"
DRIFT_ALARMS = "drift_alarms"  # portals whose markup drifted (archive.drift)
TIME_LIMITED = "time_limited"  # --max-duration / ARCHIVE_MAX_DURATION ended the walk
# listing pages a run its time limit ended kept in its frontier for the next run (the pipeline)
FRONTIER_LISTINGS = "frontier_listings"
LISTING_FIRST_PAGES = "listing_first_pages"  # categories' first listing pages parsed
LISTING_FIRST_PAGES_EMPTY = "listing_first_pages_empty"  # ... of them without an article link
LISTING_PAGES_LISTING = "listing_pages_listing"  # listing pages (any page) with an article link
RESPONSES = "downloader/response_count"  # Scrapy's: every answer of the run, robots.txt's too
# Scrapy's too: the answers that reached what asked for them, robots.txt's included; an answer
# the retry or redirect middleware replaced by a new request is not one of them
FINAL_RESPONSES = "response_received_count"
# article pages the site served and the archive stored or found unchanged (a 304 included)
ARTICLES_SERVED = ("articles_new", "articles_updated", "articles_unchanged", "not_modified")
# Counted for the summary and `stats`, not read by the outcome (their pages' failures are).
COOKIE_CHECKS = "cookie_checks"  # pages that redirected to themselves setting a cookie
BOT_CHALLENGES = "bot_challenges"  # answers that were a bot challenge (crawler.middlewares)


def _count(stats: Mapping[str, object], key: str) -> int:
    value = stats.get(f"archive/{key}", stats.get(key, 0))
    return int(value) if isinstance(value, int | float) else 0


def failed_for_nothing_fetched(stats: Mapping[str, object]) -> bool:
    """Whether :func:`decide_from_stats` says ``failed`` only because not one answer came back
    (the run's summary and log then say :data:`NOTHING_FETCHED_TEXT`): the flag alone decided."""
    return (
        decide_from_stats(stats) == "failed"
        and decide_from_stats({**stats, RESPONSES: 1}) != "failed"
    )


NOTHING_FETCHED_TEXT = (
    "nothing was fetched: not one request reached the site (every one was dropped before it "
    "was sent: a -s setting such as URLLENGTH_LIMIT? see the log)"
)


def decide(
    finish_reason: str | None,
    errors: int,
    *,
    storage_errors: int = 0,
    unreachable: bool = False,
    forbidden: bool = False,
    drift: bool = False,
    limited: bool = False,
    nothing_fetched: bool = False,
) -> str:
    """The outcome of a run that ended with Scrapy's ``finish_reason``.

    ``errors`` counts the failed listings, articles and files (``archive/errors``); optional
    discovery sources and articles gone from the site do not count. ``storage_errors``: items
    the archive could not store. ``unreachable``: nothing ever came back from the site.
    ``forbidden``: robots.txt forbade what the run asked for, and nothing else was fetched.
    ``drift``: a portal's markup drifted. ``limited``: a page limit stopped a category's walk
    (the finish reason ``time_limit`` says the run's time limit ended it). ``nothing_fetched``:
    not one answer came back (robots.txt's included; Scrapy's own count): some setting dropped
    every request before it was sent (``URLLENGTH_LIMIT``, a filter). A run that ran to its
    end so, with no other outcome to name, failed (one its time limit ended is ``limited``: the
    next goes on).
    """
    if storage_errors or finish_reason == STORAGE_FAILED:
        return "failed"
    if finish_reason == SHUTDOWN:
        return "interrupted"
    if finish_reason == TIME_LIMIT:
        limited = True
    elif finish_reason != FINISHED:
        return "failed"
    if unreachable:
        return "unreachable"
    if forbidden:
        return "forbidden"
    if errors:
        return "partial"
    if nothing_fetched and finish_reason == FINISHED:
        return "failed"
    if drift:
        return "drift"
    return "limited" if limited else "ok"


def decide_from_stats(stats: Mapping[str, object], finish_reason: str | None = None) -> str:
    """:func:`decide` from a crawl's stats (``finish_reason`` given, or the stats' own)."""
    reason = finish_reason if finish_reason is not None else stats.get("finish_reason")
    responses = _count(stats, RESPONSES)
    return decide(
        str(reason) if reason is not None else None,
        _count(stats, "errors"),
        storage_errors=_count(stats, STORAGE_ERRORS),
        unreachable=bool(_count(stats, SITE_UNREACHABLE)) and not responses,
        # robots.txt's answers are counted where the retry middleware has let them through:
        # a retried robots.txt (a 503, then its rules) is still a run that fetched nothing else
        forbidden=bool(_count(stats, ROBOTS_FORBIDDEN))
        and _count(stats, FINAL_RESPONSES) <= _count(stats, ROBOTS_ANSWERS),
        drift=bool(_count(stats, DRIFT_ALARMS)),
        limited=bool(
            _count(stats, CATEGORIES_LIMITED)
            or _count(stats, CATEGORIES_BOUNDED)
            or _count(stats, TIME_LIMITED)
        ),
        nothing_fetched=responses == 0,
    )


def listings_drifted(stats: Mapping[str, object]) -> bool:
    """True when the run parsed first listing pages and not one of them listed an article
    link: the listing markup (or the article URLs) drifted; one empty category among others
    that list articles is no alarm. Counted as a drift alarm (``drift_alarms``) by the
    pipeline, with the article drift."""
    first = _count(stats, LISTING_FIRST_PAGES)
    # a run its time limit ended may have parsed only the first page or two, by chance empty
    # categories: it judges from three first pages on
    needed = 3 if _count(stats, TIME_LIMITED) else 1
    return first >= needed and _count(stats, LISTING_FIRST_PAGES_EMPTY) >= first


def site_served_pages(stats: Mapping[str, object]) -> bool:
    """True when the site served its pages in this run: a listing page that lists an article
    link, or an article page stored or found unchanged. Only then does an archived article's
    404, 410 or redirect to the home page say that this article is gone (withdrawn); in a run
    where the site served neither (maintenance sending every page to the home page, a
    deployment answering 404 everywhere), it says nothing about the article, and it is a
    failed re-check instead, tried again next run."""
    if _count(stats, LISTING_PAGES_LISTING):
        return True
    return any(_count(stats, key) for key in ARTICLES_SERVED)


def gone_unconfirmed_text(articles: int) -> str:
    """Why a run's articles gone from the site were not withdrawn, as the log says it."""
    return (
        f"{articles} archived article(s) answered as gone from the site (404/410 or a redirect "
        "to the home page), but the whole site did so this run (no listing or article page "
        "served): not taken as withdrawn; they are failed re-checks, tried again next run"
    )


def listing_drift_text(first_pages: int) -> str:
    """What a listing drift is, as the log and the run's summary say it."""
    return (
        f"none of the {first_pages} first listing pages of this run lists an article link "
        "(the listing markup, or the article URLs, changed?)"
    )


def walk_was_cut(counts: Mapping[str, object]) -> bool:
    """True when a page limit (the user's or the safety bound) stopped a walk of this run."""
    return bool(_count(counts, CATEGORIES_LIMITED) or _count(counts, CATEGORIES_BOUNDED))


def listings_walked_in_time(counts: Mapping[str, object]) -> bool:
    """True when a run its time limit ended had walked every listing to its stop point before:
    it parsed first listing pages (the walk had begun) and kept no listing page in its frontier
    (its time ran out among what comes after the walk: re-checks, files, feeds, sitemap
    shards). The next run's walk may then stop early, as after a run that ended on its own;
    without this, a cron run whose time ran out in its re-checks sent the next run through
    every listing page of the site (and, on mst.gov.vn, every sitemap shard)."""
    kept = counts.get(f"archive/{FRONTIER_LISTINGS}", counts.get(FRONTIER_LISTINGS))
    return (
        bool(_count(counts, TIME_LIMITED))
        and isinstance(kept, int)
        and kept == 0
        and _count(counts, LISTING_FIRST_PAGES) > 0
    )


def exit_code(outcome: str, counts: Mapping[str, object] | None = None) -> int:
    """The exit code of ``most-archive crawl`` for a run's outcome (1 for any unknown one).

    ``counts`` (the run's counts or stats) tell a ``limited`` run the user asked for (0) from
    one that hit the default safety bound (1).
    """
    if outcome == "limited" and counts is not None and _count(counts, CATEGORIES_BOUNDED):
        return EXIT_PARTIAL
    return EXIT_CODES.get(outcome, EXIT_PARTIAL)


def table() -> list[dict[str, object]]:
    """Every final outcome, worst first (``died`` last: the next run decides it), with its exit
    code: the ``outcomes`` key of ``most-archive stats --json``."""
    rows: list[dict[str, object]] = []
    for name in (*ORDER, "died"):
        row: dict[str, object] = {"outcome": name, "exit": EXIT_CODES[name]}
        if name == "limited":
            row["exit_safety_bound"] = EXIT_PARTIAL
        rows.append(row)
    return rows
