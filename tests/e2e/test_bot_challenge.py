"""A firewall's bot challenge served instead of the pages (crawler.parsers.challenge).

A Vietnamese government site (mod.gov.vn, captured 2026-10-06) answers clients that run no
JavaScript with a 177-byte page, status 200: a script that sets a cookie and reloads. Read as
pages, those answers made a home page without a menu ("home page lists no category"), articles
"without a title, date or body" and a markup-drift alarm: a cron admin sent to look at markup
when the site had refused the crawler. Each is now a failure named as a bot challenge, the
summary counts them, nothing of them is archived, and the pages are fetched by the next run
that is let through.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from replica.testing import running_mst_replica

from .support import ARTICLE_TEXTS as TEXTS
from .support import NO_BACKOFF, crawl, query

pytestmark = pytest.mark.e2e

QUIET = ("-s", "ARCHIVE_FETCH_FILES=0")
ARTICLES = r"-\d{6,}\.htm$"
CHALLENGED = (
    "SELECT url FROM fetch_errors WHERE resolved_at IS NULL AND reason LIKE '%bot challenge%'"
)


def test_a_site_behind_a_bot_challenge_is_no_ok_run_and_the_summary_says_why(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.db"
    with running_mst_replica(articles=10, seed=5, faults={"challenge_rate": 1.0}) as rep:
        run = crawl(rep.base_url, db, *QUIET, *NO_BACKOFF)
    assert run.returncode == 1, run.stderr[-3000:]
    out = run.stdout + run.stderr
    assert "bot challenges:" in out, out[-3000:]
    assert "lists no category" not in out, out[-3000:]
    assert query(db, "SELECT outcome FROM runs") == [("partial",)]
    assert query(db, "SELECT count(*) FROM articles") == [(0,)]
    assert query(db, CHALLENGED), query(db, "SELECT url, reason FROM fetch_errors")


def test_challenged_article_pages_raise_no_markup_drift_alarm(tmp_path: Path) -> None:
    """Every article page challenged, the listings not: read as pages they were 20 articles "not
    an article page (no parser matched)" and a MARKUP DRIFT alarm on the portal."""
    db = tmp_path / "a.db"
    faults = {"challenge_rate": 1.0, "path_pattern": ARTICLES}
    with running_mst_replica(articles=20, seed=6, faults=faults) as rep:
        run = crawl(rep.base_url, db, *QUIET)
    out = run.stdout + run.stderr
    assert run.returncode == 1, out[-3000:]
    assert "MARKUP DRIFT" not in out, out[-3000:]
    reasons = {r for (r,) in query(db, "SELECT reason FROM fetch_errors")}
    assert reasons and all("bot challenge" in r for r in reasons), reasons


def test_articles_challenged_in_one_run_are_archived_by_the_next(tmp_path: Path) -> None:
    control, db = tmp_path / "control.db", tmp_path / "a.db"
    with running_mst_replica(articles=20, seed=6) as rep:
        assert crawl(rep.base_url, control, *QUIET).returncode == 0
    truth = dict(query(control, TEXTS))
    # the same site, a third of its article pages challenged, on the request and on its retry
    faults = {"challenge_rate": 0.35, "path_pattern": ARTICLES, "sticky_requests": 2, "seed": 3}
    with running_mst_replica(articles=20, seed=6, faults=faults) as rep:
        first = crawl(rep.base_url, db, *QUIET)
        challenged = {u for (u,) in query(db, CHALLENGED)}
        kept = dict(query(db, TEXTS))
        second = crawl(rep.base_url, db, *QUIET)  # the firewall lets the crawler through now
    assert first.returncode == 1, first.stderr[-3000:]
    assert challenged, "no article page was challenged: the test proves nothing"
    assert len(kept) + len(challenged) == len(truth), (len(kept), len(challenged), len(truth))
    # what the first run archived is the articles themselves, never a challenge read as one
    assert {sid: truth[sid] for sid in kept} == kept
    assert second.returncode == 0, second.stderr[-3000:]
    assert dict(query(db, TEXTS)) == truth
    assert query(db, CHALLENGED) == []
