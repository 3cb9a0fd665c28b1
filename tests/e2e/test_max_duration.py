"""``--max-duration``: a run ends cleanly when its time is up (outcome ``limited``, exit 0), and
the next run goes on with the walk where it stopped: a backfill completes over several runs,
and no listing page is fetched twice but the first pages each run re-checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main
from replica.testing import running_replica
from tests.e2e.support import crawl, query, scrapy_crawl

pytestmark = pytest.mark.e2e

ARTICLES = 90
LISTINGS = "/vn/chuyen-muc/"  # the SharePoint portal's category listings, any page


def test_a_time_limited_walk_is_continued_by_the_next_run(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    # every answer 40 ms late: the whole walk takes several seconds, the limit is 2 s
    with running_replica(articles=ARTICLES, seed=4, faults={"latency_ms": 40}) as replica:
        first = crawl(replica.base_url, db, "--max-duration", "2s")
        assert first.returncode == 0, first.stderr[-2000:]
        assert "run 1: limited" in first.stderr and "time limit of 2s reached" in first.stderr
        assert "left for the next run" in first.stderr
        archived = query(db, "SELECT count(*) FROM articles")[0][0]
        assert 0 < archived < ARTICLES, "the limit should stop the walk half-way"
        kept = dict(query(db, "SELECT kind, count(*) FROM walk_frontier GROUP BY kind"))
        assert kept.get("listing", 0) + kept.get("article", 0) > 0
        first_paths = [e["path"] for e in replica.requests() if e["status"] == 200]
        shown = CliRunner().invoke(main, ["stats", "--json", "--db", str(db)])
        (walk,) = json.loads(shown.output)["unfinished_walks"]
        assert walk["site"] == replica.base_url and walk["run_id"] == 1
        assert walk["listings"] + walk["articles"] == sum(kept.values())
        text = CliRunner().invoke(main, ["stats", "--db", str(db)]).output
        assert f"Unfinished walk of {replica.base_url} (run 1 ran out of time)" in text

        replica.reset_requests()
        replica.set_faults(None)
        second = crawl(replica.base_url, db)
        assert second.returncode == 0, second.stderr[-2000:]
        assert "run 2: ok" in second.stderr
        assert "going on from the last run's frontier" in second.stderr
        second_paths = [e["path"] for e in replica.requests()]

    assert query(db, "SELECT count(*) FROM articles")[0][0] == ARTICLES
    assert query(db, "SELECT count(*) FROM walk_frontier") == [(0,)]  # the walk is complete
    shown = CliRunner().invoke(main, ["stats", "--db", str(db)])
    assert shown.exit_code == 0 and "Unfinished walk" not in shown.output
    assert query(db, "SELECT outcome FROM runs ORDER BY id") == [("limited",), ("ok",)]
    twice = {p for p in first_paths if p.startswith(LISTINGS)} & set(second_paths)
    # only first pages were fetched again (the incremental re-check of each category)
    assert twice and all("page=" not in p.lower() for p in twice), sorted(twice)
    assert {p for p in second_paths if p.startswith(LISTINGS) and "page=" in p.lower()}, (
        "the second run should have walked on past the first pages"
    )
    articles_twice = {p for p in first_paths if p.startswith("/vn/tin-tuc/")} & set(second_paths)
    assert not articles_twice


def test_scrapy_crawl_most_goes_on_with_each_sites_own_walk(tmp_path: Path) -> None:
    """``scrapy crawl most`` without a site crawls the set in one spider: the second site is
    judged by ITS last run and goes on from ITS frontier, not from the first site's state."""
    from replica.testing import running_mst_replica

    db = tmp_path / "archive.db"
    with (
        running_mst_replica(articles=10, seed=2) as first,
        running_replica(articles=40, seed=4, faults={"latency_ms": 60}) as second,
    ):
        limited = crawl(second.base_url, db, "--max-duration", "1s")
        assert "run 1: limited" in limited.stderr, limited.stderr[-2000:]
        assert query(db, "SELECT count(*) FROM walk_frontier WHERE site = ?", (second.base_url,))
        second.set_faults(None)
        both = scrapy_crawl(db, f"ARCHIVE_SITES={first.base_url},{second.base_url}")
        assert both.returncode == 0, both.stderr[-2000:]
    assert "going on from the last run's frontier" in both.stderr.split("next site:", 1)[1]
    assert query(db, "SELECT portal, count(*) FROM articles GROUP BY portal ORDER BY portal") == [
        ("most", 40),
        ("mst", 10),
    ]
    assert query(db, "SELECT count(*) FROM walk_frontier") == [(0,)]  # both walks complete
    assert query(db, "SELECT site, outcome FROM runs ORDER BY id") == [
        (second.base_url, "limited"),
        (first.base_url, "ok"),
        (second.base_url, "ok"),
    ]
