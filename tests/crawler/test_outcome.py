"""A run's outcome and exit code are decided in one place (crawler.outcome), for both commands."""

from __future__ import annotations

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
    stats = {"finish_reason": reason, "archive/errors": errors}
    assert outcome.decide_from_stats(stats) == expected
    assert outcome.decide_from_stats({"archive/errors": errors}, reason) == expected


def test_every_final_outcome_has_an_exit_code() -> None:
    final = set(OUTCOMES) - {"running"}
    assert set(outcome.EXIT_CODES) == final
    assert outcome.exit_code("ok") == 0
    assert {outcome.exit_code(o) for o in final - {"ok"}} == {1}
    assert outcome.exit_code("something new") == 1


def test_the_crawl_command_reports_the_outcomes_exit_code() -> None:
    assert EXIT_LOCKED == outcome.EXIT_LOCKED == 75
    for name in set(outcome.EXIT_CODES):
        summary = CrawlSummary(1, name, {}, 0.0, 0)
        assert summary.exit_code == outcome.exit_code(name)
