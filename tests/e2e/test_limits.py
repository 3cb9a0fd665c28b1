"""Page limits, however they are set, make a run ``limited``; the next run fills the gap
(issue 13, point 3). The default safety bound is a limit too, but one the user did not ask for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from replica.testing import ReplicaHandle, running_replica

from .support import crawl, query, scrapy_crawl

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def small() -> Iterator[ReplicaHandle]:
    """60 articles: two categories have a second listing page, which a limit of 1 skips."""
    with running_replica(articles=60, seed=3) as handle:
        yield handle


def _articles(db: Path) -> int:
    return int(query(db, "SELECT count(*) FROM articles")[0][0])


@pytest.mark.parametrize("how", ["setting", "scrapy"])  # --max-pages sets the same setting
def test_a_limit_makes_the_run_limited_and_the_next_run_fills_the_gap(
    small: ReplicaHandle, tmp_path: Path, how: str
) -> None:
    replica = small
    db = tmp_path / "a.db"
    total = len(replica.site.article_ids())
    if how == "flag":
        first = crawl(
            replica.base_url,
            db,
            "--max-pages",
            "1",
            "-s",
            "ARCHIVE_DISCOVERY=0",
            "-s",
            "ARCHIVE_FETCH_FILES=0",
        )
    elif how == "setting":
        first = crawl(
            replica.base_url,
            db,
            "-s",
            "ARCHIVE_MAX_PAGES=1",
            "-s",
            "ARCHIVE_DISCOVERY=0",
            "-s",
            "ARCHIVE_FETCH_FILES=0",
        )
    else:
        first = scrapy_crawl(
            db,
            "ARCHIVE_MAX_PAGES=1",
            "ARCHIVE_DISCOVERY=0",
            "ARCHIVE_FETCH_FILES=0",
            site=replica.base_url,
            log_level="WARNING",
        )
    assert first.returncode == 0, first.stderr[-2000:]  # a limit the user asked for
    limited = _articles(db)
    assert 0 < limited < total
    assert query(db, "SELECT outcome, mode FROM runs") == [("limited", "incremental-limited")]
    # an ordinary incremental run, as cron starts it (the feeds could find the rest by themselves)
    second = crawl(replica.base_url, db, "-s", "ARCHIVE_DISCOVERY=0", "-s", "ARCHIVE_FETCH_FILES=0")
    assert second.returncode == 0, second.stderr[-2000:]
    assert _articles(db) == total, "the next run left the limited run's gap"
    assert query(db, "SELECT outcome FROM runs ORDER BY id")[-1] == ("ok",)


def test_the_safety_bound_is_a_limit_with_exit_1(small: ReplicaHandle, tmp_path: Path) -> None:
    replica = small
    db = tmp_path / "a.db"
    done = crawl(
        replica.base_url, db, "-s", "ARCHIVE_MAX_PAGES_BOUND=1", "-s", "ARCHIVE_FETCH_FILES=0"
    )
    assert done.returncode == 1, done.stderr[-2000:]
    assert "safety bound of 1 listing pages reached" in done.stderr
    rows = query(db, "SELECT outcome, mode FROM runs")
    assert rows == [("limited", "incremental")]
