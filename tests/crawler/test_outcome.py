"""A run's outcome and exit code are decided in one place (crawler.outcome), for both commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.migrations import OUTCOMES
from crawler import outcome
from crawler.run import EXIT_LOCKED, CrawlSummary


@pytest.mark.parametrize(
    ("reason", "errors", "expected"),
    [
        ("finished", 0, "ok"),
        ("finished", 3, "partial"),
        ("shutdown", 0, "interrupted"),
        ("shutdown", 2, "interrupted"),
        ("closespider_timeout", 0, "failed"),
        ("cancelled", 0, "failed"),
        (None, 0, "failed"),
    ],
)
def test_outcome_of_a_run(reason: str | None, errors: int, expected: str) -> None:
    assert outcome.decide(reason, errors) == expected
    answered = {"archive/errors": errors, "downloader/response_count": 5}  # the site answered
    assert outcome.decide_from_stats({"finish_reason": reason, **answered}) == expected
    assert outcome.decide_from_stats(answered, reason) == expected


def test_every_final_outcome_has_an_exit_code() -> None:
    final = set(OUTCOMES) - {"running"}
    assert set(outcome.EXIT_CODES) == final
    assert set(outcome.ORDER) == final - {"died"}
    assert outcome.exit_code("ok") == 0
    assert outcome.exit_code("limited") == 0  # a limit the user set
    assert {outcome.exit_code(o) for o in final - {"ok", "limited"}} == {1}
    assert outcome.exit_code("something new") == 1


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({"archive/storage_errors": 1, "archive/errors": 3}, "failed"),
        ({"archive/storage_errors": 1}, "failed"),
        ({"archive/categories_limited": 2, "archive/errors": 1}, "partial"),
        ({"archive/categories_limited": 2}, "limited"),
        ({"archive/categories_bounded": 1}, "limited"),
        (
            {"archive/site_unreachable": 1, "archive/errors": 4, "downloader/response_count": 0},
            "unreachable",
        ),
        # something answered: the site is reachable, the run is partial
        (
            {"archive/site_unreachable": 1, "archive/errors": 4, "downloader/response_count": 1},
            "partial",
        ),
        # robots.txt forbade the rest: only robots.txt answered
        (
            {
                "archive/robots_forbidden": 3,
                "archive/robots_answers": 1,
                "downloader/response_count": 1,
                "response_received_count": 1,
            },
            "forbidden",
        ),
        # ... robots.txt retried (a 503, then the answer that forbade): still nothing else
        (
            {
                "archive/robots_forbidden": 3,
                "archive/robots_answers": 1,
                "downloader/response_count": 2,
                "response_received_count": 1,
            },
            "forbidden",
        ),
        # ... some pages were forbidden, others fetched: obeyed, an ordinary run
        (
            {
                "archive/robots_forbidden": 3,
                "archive/robots_answers": 1,
                "downloader/response_count": 9,
                "response_received_count": 9,
            },
            "ok",
        ),
    ],
)
def test_the_worst_outcome_wins(stats: dict[str, int], expected: str) -> None:
    stats = {"downloader/response_count": 5, **stats}  # the site answered, unless it says not
    assert outcome.decide_from_stats({"finish_reason": "finished", **stats}) == expected
    # a signal still wins over everything but a storage failure
    shut = outcome.decide_from_stats({"finish_reason": "shutdown", **stats})
    assert shut == ("failed" if "archive/storage_errors" in stats else "interrupted")
    order = outcome.ORDER
    assert order.index(expected) <= order.index(outcome.decide("finished", 0))


def test_a_limited_run_exits_0_unless_the_safety_bound_stopped_it() -> None:
    assert outcome.exit_code("limited", {"categories_limited": 3}) == 0
    assert outcome.exit_code("limited", {"categories_bounded": 1}) == 1
    assert outcome.exit_code("limited", {"categories_limited": 3, "categories_bounded": 1}) == 1
    assert outcome.exit_code("ok", {"categories_bounded": 1}) == 0


def test_the_crawl_command_reports_the_outcomes_exit_code() -> None:
    assert EXIT_LOCKED == outcome.EXIT_LOCKED == 75
    for name in set(outcome.EXIT_CODES):
        summary = CrawlSummary(1, name, {}, 0.0, 0)
        assert summary.exit_code == outcome.exit_code(name)


def test_the_outcomes_are_documented_with_their_exit_codes() -> None:
    """docs/cli.md and docs/cron.md list every outcome, in crawler.outcome's order."""
    root = Path(__file__).resolve().parents[2]
    for doc in ("docs/cli.md", "docs/cron.md"):
        text = (root / doc).read_text("utf-8")
        rows = [line for line in text.splitlines() if line.startswith("| `")]
        named = [r.split("`")[1] for r in rows if r.split("`")[1] in outcome.EXIT_CODES]
        order = [n for n in named if n in outcome.ORDER]
        assert order == list(outcome.ORDER), (doc, named)
        assert "died" in named, doc


def test_stats_json_lists_the_outcomes() -> None:
    names = [row["outcome"] for row in outcome.table()]
    assert names == [*outcome.ORDER, "died"]
    assert {row["outcome"]: row["exit"] for row in outcome.table()} == dict(outcome.EXIT_CODES)


@pytest.mark.parametrize(
    ("reason", "errors", "drift", "limited", "expected"),
    [
        ("finished", 0, True, False, "drift"),
        ("finished", 0, True, True, "drift"),  # drift ranks above limited
        ("time_limit", 0, True, False, "drift"),
        ("finished", 2, True, False, "partial"),  # partial ranks above drift
        ("shutdown", 0, True, False, "interrupted"),
        ("time_limit", 0, False, False, "limited"),  # --max-duration ran out
        ("finished", 0, False, True, "limited"),
        ("time_limit", 1, False, False, "partial"),
    ],
)
def test_drift_and_time_limit_in_the_order(
    reason: str, errors: int, drift: bool, limited: bool, expected: str
) -> None:
    assert outcome.decide(reason, errors, drift=drift, limited=limited) == expected
    stats = {
        "finish_reason": reason,
        "archive/errors": errors,
        "archive/drift_alarms": int(drift),
        "archive/time_limited": int(limited),
        "downloader/response_count": 5,
    }
    assert outcome.decide_from_stats(stats) == expected


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({"finish_reason": "finished"}, "failed"),  # every request dropped before it was sent
        ({"finish_reason": "finished", "downloader/response_count": 0}, "failed"),
        ({"finish_reason": "finished", "archive/categories_limited": 1}, "failed"),
        ({"finish_reason": "finished", "archive/drift_alarms": 1}, "failed"),
        # another outcome says why
        ({"finish_reason": "finished", "archive/errors": 2}, "partial"),
        ({"finish_reason": "finished", "archive/site_unreachable": 1}, "unreachable"),
        ({"finish_reason": "shutdown"}, "interrupted"),
        ({"finish_reason": "time_limit"}, "limited"),  # the next run goes on
        ({"finish_reason": "finished", "archive/storage_errors": 1}, "failed"),
    ],
)
def test_a_finished_run_without_one_answer_is_never_ok(
    stats: dict[str, object], expected: str
) -> None:
    """A run that ran to its end without a single answer from the site (a setting dropped
    every request before it was sent) said "ok", exit 0: cron reported success while nothing
    was archived. It fails, unless another outcome names what happened."""
    assert outcome.decide_from_stats(stats) == expected
    only_for_that = expected == "failed" and "archive/storage_errors" not in stats
    assert outcome.failed_for_nothing_fetched(stats) == only_for_that
    assert outcome.exit_code(expected) == (0 if expected == "limited" else 1)


def test_stats_json_has_the_outcomes_key(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from archive.cli import main
    from archive.db import open_archive

    db = tmp_path / "a.db"
    open_archive(db).close()
    result = CliRunner().invoke(main, ["stats", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["outcomes"] == outcome.table()


@pytest.mark.parametrize(
    ("first", "empty", "time_limited", "drifted"),
    [
        (0, 0, 0, False),  # no first page parsed (a resumed walk, 304s): nothing to judge
        (5, 5, 0, True),  # every category lists nothing: the listings drifted
        (5, 4, 0, False),  # one category lists articles: empty ones are no alarm
        (1, 1, 0, True),  # the only category lists nothing
        (2, 2, 1, False),  # a time limit ended the run after two first pages: too few
        (3, 3, 1, True),
    ],
)
def test_listings_drift_when_no_first_page_lists_an_article(
    first: int, empty: int, time_limited: int, drifted: bool
) -> None:
    from crawler.outcome import (
        LISTING_FIRST_PAGES,
        LISTING_FIRST_PAGES_EMPTY,
        TIME_LIMITED,
        listings_drifted,
    )

    stats = {
        f"archive/{LISTING_FIRST_PAGES}": first,
        f"archive/{LISTING_FIRST_PAGES_EMPTY}": empty,
        f"archive/{TIME_LIMITED}": time_limited,
    }
    assert listings_drifted(stats) is drifted


@pytest.mark.parametrize(
    ("listing", "served", "trusted"),
    [
        (0, {}, False),  # maintenance: nothing served but the home page
        (1, {}, True),  # a listing page listed an article
        (0, {"articles_unchanged": 1}, True),  # an article page came back (a resumed walk)
        (0, {"not_modified": 2}, True),
        (0, {"articles_new": 1}, True),
    ],
)
def test_a_gone_article_is_withdrawn_only_when_the_site_served_pages(
    listing: int, served: dict[str, int], trusted: bool
) -> None:
    from crawler.outcome import LISTING_PAGES_LISTING, site_served_pages

    stats = {f"archive/{LISTING_PAGES_LISTING}": listing}
    stats.update({f"archive/{k}": v for k, v in served.items()})
    assert site_served_pages(stats) is trusted
