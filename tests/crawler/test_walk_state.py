"""Whether the last run's walk was complete, so the next may stop its walks early
(``crawler.spiders.state.walk_was_complete``): no crawl, the runs' records as the archive keeps
them."""

from __future__ import annotations

from crawler.spiders.state import walk_was_complete

# Shaped as the counts of a real run (mst replica, 120 articles, 60 ms per answer, --max-duration
# 2s, every article due for a re-check): its six zones walked, the time ran out in the
# re-checks. That run kept one unconditional re-check (frontier_articles 1, so its next run went
# on from it); here every re-check left was conditional, and those are never kept.
TIMED_OUT_IN_RECHECKS = {
    "time_limited": 1,
    "listing_first_pages": 6,
    "listing_pages": 6,
    "listing_pages_listing": 6,
    "frontier_listings": 0,
    "frontier_articles": 0,
}


def _run(outcome: str, mode: str = "incremental", **counts: object) -> dict[str, object]:
    return {"id": 2, "outcome": outcome, "mode": mode, "counts": counts}


def test_a_run_its_time_limit_ended_after_the_walk_had_a_complete_walk() -> None:
    """Nothing of its walk was left to go on from (no listing page kept): the next run stops
    its walks early. (It walked every listing page of the site, and read every sitemap shard:
    an hourly cron whose run ran out of time in its re-checks paid a whole walk next hour.)"""
    assert walk_was_complete(_run("limited", **TIMED_OUT_IN_RECHECKS))


def test_a_run_its_time_limit_ended_in_the_walk_did_not() -> None:
    left = {**TIMED_OUT_IN_RECHECKS, "frontier_listings": 3}  # the next run goes on from them
    assert not walk_was_complete(_run("limited", **left))
    # the time ran out before the walk began (no first listing page parsed)
    early = {**TIMED_OUT_IN_RECHECKS, "listing_first_pages": 0}
    assert not walk_was_complete(_run("limited", **early))
    # a record without the frontier's count (it could not be kept: a full disk)
    unknown = {k: v for k, v in TIMED_OUT_IN_RECHECKS.items() if k != "frontier_listings"}
    assert not walk_was_complete(_run("limited", **unknown))


def test_page_limits_still_make_the_next_run_walk_everything() -> None:
    assert not walk_was_complete(_run("limited", "incremental-limited", **TIMED_OUT_IN_RECHECKS))
    bounded = {**TIMED_OUT_IN_RECHECKS, "categories_bounded": 1}
    assert not walk_was_complete(_run("limited", **bounded))
    assert not walk_was_complete(_run("limited", categories_limited=2))
    assert walk_was_complete(_run("ok"))
    assert not walk_was_complete(_run("interrupted", **TIMED_OUT_IN_RECHECKS))
    assert not walk_was_complete(None)
