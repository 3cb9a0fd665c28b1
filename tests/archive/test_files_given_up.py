"""archive.crawlstate.given_up_files: which files the crawl stops asking for, and when again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from archive import crawlstate, store
from archive.crawlstate import FILE_GONE_AFTER, FILE_GONE_RETRY, FILE_IS_HTML_PAGE, given_up_files
from archive.db import open_archive

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _fail(db: object, url: str, status: int | None, reason: str, at: dt.datetime) -> None:
    store.record_error(
        db,  # type: ignore[arg-type]
        url=url,
        kind="file",
        status=status,
        reason=reason,
        run_id=None,
        at=at.isoformat(),
    )


def test_only_files_answered_not_there_for_a_week_are_given_up(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    _fail(db, "http://x/404.jpg", 404, "HTTP 404", T0)
    _fail(db, "http://x/410.pdf", 410, "HTTP 410", T0)
    _fail(db, "http://x/soft.jpg", 200, FILE_IS_HTML_PAGE, T0)
    _fail(db, "http://x/500.jpg", 500, "HTTP 500", T0)  # the server's trouble: never given up
    _fail(db, "http://x/timeout.jpg", None, "TimeoutError", T0)
    _fail(db, "http://x/new.jpg", 404, "HTTP 404", T0 + dt.timedelta(days=5))
    gone = {"http://x/404.jpg", "http://x/410.pdf", "http://x/soft.jpg"}
    assert given_up_files(db, now=T0 + FILE_GONE_AFTER - dt.timedelta(hours=1)) == {}
    week = T0 + FILE_GONE_AFTER + dt.timedelta(hours=1)
    assert given_up_files(db, now=week) == dict.fromkeys(gone, False)  # resting
    # each try moves last_failed: a file is due again FILE_GONE_RETRY after its last try
    _fail(db, "http://x/404.jpg", 404, "HTTP 404", T0 + dt.timedelta(days=20))
    month = T0 + FILE_GONE_RETRY + dt.timedelta(hours=1)
    found = given_up_files(db, now=month)
    assert found["http://x/410.pdf"] is True and found["http://x/404.jpg"] is False
    assert found["http://x/new.jpg"] is False  # given up since day 12, tried on day 5
    store.resolve_error(db, "http://x/410.pdf")  # fetched at last
    assert "http://x/410.pdf" not in given_up_files(db, now=month)


def test_the_snapshot_leaves_resting_files_out_of_the_missing_ones(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = open_archive(path)
    _fail(db, "http://x/404.jpg", 404, "HTTP 404", T0)
    db.conn.close()
    week = T0 + FILE_GONE_AFTER + dt.timedelta(hours=1)
    snap = crawlstate.read_snapshot(path, recheck_at=week.isoformat())
    assert snap.files_given_up == {"http://x/404.jpg"}
    assert snap.files_resting == {"http://x/404.jpg"}
    month = T0 + FILE_GONE_RETRY + dt.timedelta(hours=1)
    snap = crawlstate.read_snapshot(path, recheck_at=month.isoformat())
    assert snap.files_given_up == {"http://x/404.jpg"} and snap.files_resting == frozenset()
