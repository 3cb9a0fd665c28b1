"""Markup drift is loud: a crawl fed article pages whose body markup the parsers do not know
ends ``drift`` (exit 1) and names the portal with example URLs; a few such pages do not."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main
from replica.testing import ReplicaHandle, running_replica
from tests.e2e.support import FAR_FUTURE, crawl, query

pytestmark = pytest.mark.e2e

ARTICLES = 25


@pytest.fixture(scope="module")
def drift_replica() -> Iterator[ReplicaHandle]:
    with running_replica(articles=ARTICLES, seed=5) as handle:
        yield handle


def _stats(db: Path, *options: str) -> str:
    result = CliRunner().invoke(main, ["stats", "--db", str(db), *options])
    assert result.exit_code == 0, result.output
    return result.output


def test_unknown_markup_raises_the_drift_alarm(
    drift_replica: ReplicaHandle, tmp_path: Path
) -> None:
    drift_replica.set_faults({"drift_rate": 1.0})
    try:
        db = tmp_path / "drift.db"
        result = crawl(drift_replica.base_url, db)
    finally:
        drift_replica.set_faults(None)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "run 1: drift" in result.stderr
    assert "markup drift on portal most" in result.stderr  # the log line
    assert "MARKUP DRIFT on portal most" in result.stderr  # the summary
    assert query(db, "SELECT outcome FROM runs") == [("drift",)]
    # the fallback still archived them: nothing is lost, but the admin knows
    parsers = query(db, "SELECT parser, count(*) FROM articles GROUP BY parser")
    assert parsers == [("fallback-trafilatura/1", ARTICLES)]
    quality = json.loads(_stats(db, "--json"))["parse_quality"]
    assert quality["drifted"] == ["most"]
    (portal,) = quality["portals"]
    assert portal["samples"] == ARTICLES and portal["degraded"] == ARTICLES
    examples = [e["url"] for e in portal["examples"]]
    assert examples and all(u.startswith(drift_replica.base_url + "/vn/tin-tuc/") for u in examples)
    assert examples[0] in result.stderr
    text = _stats(db)
    assert "MARKUP DRIFT" in text and examples[0] in text


def test_a_few_unknown_pages_do_not_alarm(drift_replica: ReplicaHandle, tmp_path: Path) -> None:
    drift_replica.set_faults({"drift_rate": 0.1})
    try:
        db = tmp_path / "few.db"
        result = crawl(drift_replica.base_url, db)
    finally:
        drift_replica.set_faults(None)
    fallback = query(db, "SELECT count(*) FROM parse_samples WHERE degraded = 1")[0][0]
    assert 0 < fallback < 0.2 * ARTICLES  # some pages drifted, under the threshold
    assert result.returncode == 0, result.stderr[-2000:]
    assert query(db, "SELECT outcome FROM runs") == [("ok",)]
    assert "drift" not in result.stderr.lower()
    assert json.loads(_stats(db, "--json"))["parse_quality"]["drifted"] == []


def test_a_page_read_by_the_fallback_never_replaces_a_version_read_by_the_portal(
    drift_replica: ReplicaHandle, tmp_path: Path
) -> None:
    """A maintenance notice or an error page served with 200 at an article's URL, or markup the
    parsers no longer know, is read by the generic fallback alone: on a re-check of an archived
    article it became the article's current version (a new revision of the notice's text,
    searched and exported for weeks until the next re-check) while the run went on. The version
    the portal's own parser read is kept; the fetch is a recorded failure (retried next run)
    and counts toward the drift alarm."""
    db = tmp_path / "kept.db"
    first = crawl(drift_replica.base_url, db)
    assert first.returncode == 0, first.stderr[-2000:]
    before = query(db, "SELECT site_id, revision, content_hash, parser FROM articles ORDER BY 1")
    assert {row[3] for row in before} == {"most/1"}
    drift_replica.set_faults({"drift_rate": 1.0})
    try:
        again = crawl(drift_replica.base_url, db, "-s", f"ARCHIVE_RECHECK_AT={FAR_FUTURE}")
    finally:
        drift_replica.set_faults(None)
    assert again.returncode == 1, again.stderr[-2000:]
    after = query(db, "SELECT site_id, revision, content_hash, parser FROM articles ORDER BY 1")
    assert after == before  # nothing replaced
    assert query(db, "SELECT count(*) FROM revisions") == [(ARTICLES,)]
    reasons = query(db, "SELECT reason FROM fetch_errors WHERE kind = 'article'")
    assert len(reasons) == ARTICLES, reasons
    assert all("version read by most/1 is kept" in r for (r,) in reasons), reasons[0]
    assert "MARKUP DRIFT on portal most" in again.stderr
    # the site is itself again: the retried pages resolve their failures, nothing changes (the
    # alarm stays up until the good pages outweigh the drifted ones among the last parsed)
    third = crawl(drift_replica.base_url, db)
    assert "articles unchanged: 25" in third.stderr, third.stderr[-2000:]
    assert query(db, "SELECT count(*) FROM fetch_errors WHERE resolved_at IS NULL") == [(0,)]
    assert query(db, "SELECT count(*) FROM revisions") == [(ARTICLES,)]
