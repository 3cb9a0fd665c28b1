"""The markup-drift alarm's rule (archive.drift) over the samples the store writes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlite_utils

from archive import drift, store
from archive.db import open_archive
from archive.queries import stats
from archive.render import stats as render_stats
from crawler.items import Article

FALLBACK = drift.FALLBACK_PARSER


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_archive(tmp_path / "archive.db")


def _article(site_id: int, parser: str = "most/1") -> Article:
    return Article(
        site_id=site_id,
        url=f"http://127.0.0.1:1/vn/tin-tuc/{site_id}/a.aspx",
        title=f"T{site_id}",
        lead="",
        body=[f"body {site_id}"],
        body_html="<p>b</p>",
        published_at="2026-01-01T10:00:00+07:00",
        category=None,
        source=None,
        parser=parser,
    )


def _run(db: sqlite_utils.Database, parsers: list[str], first_id: int) -> int:
    """One crawl run that stores an article per parser name."""
    run_id = store.start_run(db, site="http://127.0.0.1:1", mode="incremental")
    for i, parser in enumerate(parsers):
        store.save_article(
            db,
            _article(first_id + i, parser),
            page_id=None,
            fetched_at=store.now_iso(),
            run_id=run_id,
        )
    store.finish_run(db, run_id, outcome="ok", counts={})
    return run_id


def test_save_article_records_a_sample_in_its_transaction(db: sqlite_utils.Database) -> None:
    run_id = _run(db, ["most/1", FALLBACK], 1)
    rows = list(db.query("SELECT portal, site_id, parser, degraded, run_id FROM parse_samples"))
    assert rows == [
        {"portal": "most", "site_id": 1, "parser": "most/1", "degraded": 0, "run_id": run_id},
        {"portal": "most", "site_id": 2, "parser": FALLBACK, "degraded": 1, "run_id": run_id},
    ]
    # a re-parse is no crawl: no sample
    store.reparse_article(db, _article(1, "most/2"), page_id=None, parsed_at=store.now_iso())
    assert db.execute("SELECT count(*) FROM parse_samples").fetchone()[0] == 2


def test_a_rejected_page_leaves_its_error_and_a_degraded_sample(db: sqlite_utils.Database) -> None:
    url = "http://127.0.0.1:1/vn/tin-tuc/9/a.aspx"
    store.reject_article(
        db,
        url=url,
        site_id=9,
        portal=None,
        parser="most/1",
        missing=["date"],
        status=200,
        reason="article without date",
        run_id=None,
    )
    (sample,) = db.query("SELECT portal, missing, degraded FROM parse_samples")
    assert sample == {"portal": "most", "missing": "date", "degraded": 1}
    assert db.execute("SELECT kind FROM fetch_errors WHERE url = ?", [url]).fetchone() == (
        "article",
    )
    (q,) = drift.portal_quality(db)
    assert q.examples[0].reason == "no date"


def test_a_few_fallback_pages_under_the_threshold_do_not_alarm(db: sqlite_utils.Database) -> None:
    # hourly runs of a few articles, one fallback page now and then: 3 of 40
    site_id = 1
    for hour in range(10):
        parsers = ["most/1"] * 4
        if hour in (2, 5, 8):
            parsers[0] = FALLBACK
        _run(db, parsers, site_id)
        site_id += len(parsers)
    (q,) = drift.portal_quality(db)
    assert (q.samples, q.degraded, q.fallback, q.drifted) == (40, 3, 3, False)
    assert drift.drifted_portals(db) == []


def test_too_few_samples_never_alarm_however_bad(db: sqlite_utils.Database) -> None:
    _run(db, [FALLBACK] * (drift.DEFAULT_MIN_SAMPLES - 1), 1)
    (q,) = drift.portal_quality(db)
    assert q.share == 1.0 and not q.drifted


def test_slow_drift_across_small_runs_alarms(db: sqlite_utils.Database) -> None:
    """Each run alone looks harmless (one fallback page in three); the window across runs
    sees the share grow past the threshold."""
    site_id, alarms = 1, []
    for _ in range(12):
        _run(db, ["most/1", "most/1", FALLBACK], site_id)
        site_id += 3
        alarms.append(bool(drift.drifted_portals(db)))
    # 21 samples (7 runs) are needed before an alarm; from then on it holds (no flapping)
    assert alarms == [False] * 6 + [True] * 6
    (q,) = drift.drifted_portals(db)
    assert q.portal == "most" and len(q.examples) == drift.EXAMPLES
    assert all(e.reason == "fallback parser" for e in q.examples)
    # the newest examples first
    assert q.examples[0].url.endswith(f"/{site_id - 1}/a.aspx")


def test_the_alarm_clears_once_good_parses_follow(db: sqlite_utils.Database) -> None:
    _run(db, [FALLBACK] * 30, 1)
    assert drift.drifted_portals(db)
    _run(db, ["most/1"] * 41, 100)  # 9 fallback pages left in the last 50: 18 %
    assert drift.drifted_portals(db) == []


def test_portals_are_judged_apart(db: sqlite_utils.Database) -> None:
    _run(db, ["most/1"] * 30, 1)
    run_id = store.start_run(db, site="http://127.0.0.1:2", mode="incremental")
    for i in range(25):
        url = f"http://127.0.0.1:2/a-{i}.htm"
        store.record_parse_sample(
            db, portal="mst", url=url, site_id=i, parser=FALLBACK, missing=(), run_id=run_id
        )
    assert [q.portal for q in drift.drifted_portals(db)] == ["mst"]
    assert drift.drifted_portals(db, portals=["most"]) == []
    assert drift.portals_sampled_by(db, run_id) == {"mst"}
    figures = stats(db)
    assert figures["parse_quality"]["drifted"] == ["mst"]
    text = render_stats(figures)
    assert "MARKUP DRIFT" in text and "http://127.0.0.1:2/a-24.htm" in text


def test_a_custom_rule(db: sqlite_utils.Database) -> None:
    _run(db, ["most/1"] * 8 + [FALLBACK] * 2, 1)
    assert not drift.drifted_portals(db)
    rule = drift.DriftRule(window=10, threshold=0.2, min_samples=5)
    assert [q.portal for q in drift.drifted_portals(db, rule)] == ["most"]
    with pytest.raises(ValueError, match="threshold"):
        drift.DriftRule(threshold=0)


def test_old_samples_are_pruned(db: sqlite_utils.Database) -> None:
    for i in range(drift.KEEP_PER_PORTAL + 150):
        store.record_parse_sample(
            db, portal="most", url=f"u{i}", site_id=i, parser="most/1", missing=(), run_id=None
        )
    kept = db.execute("SELECT count(*) FROM parse_samples").fetchone()[0]
    assert drift.KEEP_PER_PORTAL <= kept < drift.KEEP_PER_PORTAL + 100


def test_a_page_that_is_not_markup_leaves_its_error_but_no_sample(
    db: sqlite_utils.Database,
) -> None:
    """A PDF (or image…) served for an article says nothing about the portal's markup: the fault
    table's "PDF instead of an article" once kept a clean re-run in a drift alarm."""
    url = "http://127.0.0.1:1/vn/tin-tuc/9/a.aspx"
    store.reject_article(
        db,
        url=url,
        site_id=9,
        portal=None,
        parser=None,
        missing=["title", "date", "body"],
        status=200,
        reason="not an article page (no parser matched)",
        run_id=None,
        content_type="application/pdf",
    )
    assert list(db.query("SELECT count(*) AS n FROM parse_samples")) == [{"n": 0}]
    assert [r["url"] for r in db.query("SELECT url FROM fetch_errors")] == [url]


@pytest.mark.parametrize(
    ("content_type", "markup"),
    [
        (None, True),
        ("text/html; charset=utf-8", True),
        ("application/xhtml+xml", True),
        ("application/pdf", False),
        ("image/jpeg", False),
    ],
)
def test_what_counts_as_markup(content_type: str | None, markup: bool) -> None:
    assert drift.is_markup(content_type) is markup
