"""archive.store runs and archive.crawlstate: run records, dead runs, the re-check schedule."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from archive import crawlstate, store
from archive.db import open_archive
from archive.files import files_dir_for
from crawler.items import Article, Attachment, Image

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_archive(tmp_path / "archive.db")


def article(site_id: int, published: dt.datetime | None, **changes: Any) -> Article:
    base = Article(
        site_id=site_id,
        url=f"http://127.0.0.1:1/vn/tin-tuc/{site_id}/a.aspx",
        title=f"T{site_id}",
        lead="",
        body=["b"],
        body_html="<p>b</p>",
        published_at=published.isoformat() if published else None,
        category=None,
        source=None,
        parser="most/1",
    )
    return replace(base, **changes)


def iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat()


def test_run_lifecycle(db: sqlite_utils.Database) -> None:
    run_id = store.start_run(db, site="http://127.0.0.1:1", mode="full")
    (row,) = db.query("SELECT * FROM runs")
    assert row["outcome"] == "running" and row["pid"] > 0 and row["finished_at"] is None
    counts = {"pages_fetched": 7, "articles_new": 3, "errors": 1, "duration_s": 1.5}
    store.finish_run(db, run_id, outcome="partial", counts=counts)
    (row,) = db.query("SELECT * FROM runs")
    assert row["outcome"] == "partial" and row["finished_at"]
    assert (row["pages_fetched"], row["articles_new"], row["errors"], row["files"]) == (7, 3, 1, 0)
    assert json.loads(row["counts_json"])["duration_s"] == 1.5
    with pytest.raises(ValueError):
        store.finish_run(db, run_id, outcome="running", counts={})


def test_last_finished_run_skips_running_and_the_current_run(db: sqlite_utils.Database) -> None:
    assert crawlstate.last_finished_run(db) is None
    first = store.start_run(db, site="http://127.0.0.1:1", mode="incremental-limited")
    store.finish_run(db, first, outcome="ok", counts={})
    second = store.start_run(db, site="http://127.0.0.1:1", mode="full")
    store.finish_run(db, second, outcome="partial", counts={})
    current = store.start_run(db, site="http://127.0.0.1:1", mode="incremental")
    assert crawlstate.last_finished_run(db, except_run=current) == {
        "id": second,
        "mode": "full",
        "outcome": "partial",
        "counts": {},
    }
    store.finish_run(db, current, outcome="interrupted", counts={})
    assert crawlstate.last_finished_run(db, except_run=current)["id"] == second  # type: ignore[index]
    assert crawlstate.last_finished_run(db)["id"] == current  # type: ignore[index]


def test_dead_runs_are_marked(db: sqlite_utils.Database) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(gone.stdout)
    live = store.start_run(db, site="s", mode="incremental")  # this process: alive
    db.execute(
        "INSERT INTO runs (started_at, pid, outcome, hostname) VALUES ('t', ?, 'running', NULL)",
        [dead_pid],
    )
    assert store.mark_dead_runs(db) == 1
    outcomes = {r["id"]: r["outcome"] for r in db.query("SELECT id, outcome FROM runs")}
    assert outcomes[live] == "running" and sorted(outcomes.values()) == ["died", "running"]
    assert store.mark_dead_runs(db) == 0
    assert store.mark_dead_runs(db, assume_dead=True, except_run=live) == 0
    assert store.mark_dead_runs(db, assume_dead=True) == 1


def test_recheck_schedule_decays_with_age(db: sqlite_utils.Database) -> None:
    # (site_id, age of the article, time since its last check)
    cases = {
        1: (dt.timedelta(hours=5), dt.timedelta(minutes=59)),  # interval 1 h: not yet
        2: (dt.timedelta(hours=5), dt.timedelta(hours=2)),  # due
        3: (dt.timedelta(days=100), dt.timedelta(days=9)),  # interval 10 d: not yet
        4: (dt.timedelta(days=100), dt.timedelta(days=11)),  # due
        5: (dt.timedelta(days=3000), dt.timedelta(days=29)),  # capped at 30 d: not yet
        6: (dt.timedelta(days=3000), dt.timedelta(days=31)),  # due
    }
    for sid, (age, since_check) in cases.items():
        store.save_article(
            db,
            article(sid, NOW - age),
            page_id=None,
            fetched_at=iso(NOW - since_check),
            etag=f'"{sid}"',
        )
    store.reparse_article(db, article(7, None), page_id=None, parsed_at=iso(NOW))
    due = crawlstate.due_for_recheck(db, now=NOW)
    assert sorted(d.site_id for d in due) == [2, 4, 6, 7]
    assert due[0].site_id == 7  # never checked comes first
    assert {d.site_id: d.etag for d in due}[4] == '"4"'
    assert [d.site_id for d in crawlstate.due_for_recheck(db, now=NOW, limit=2)] == [7, 2]
    later = crawlstate.due_for_recheck(db, now=iso(NOW + dt.timedelta(days=31)))
    assert len(later) == 7  # every article eventually


def test_a_304_is_trusted_for_three_intervals_then_the_whole_page_is_asked(
    db: sqlite_utils.Database,
) -> None:
    """A server, or a cache before it, whose validators lie (304 to every conditional request,
    the page changed or not) hid every later edit for good: each re-check sent the stored
    validators and was told "not modified". A re-check is conditional only while the article
    was last received in full less than three re-check intervals ago; so is a full run's."""
    old = NOW - dt.timedelta(days=400)  # interval: 30 days
    store.save_article(
        db, article(1, old), page_id=None, fetched_at=iso(NOW), etag='"1"', last_modified="LM"
    )

    def validators_at(days: int) -> tuple[str | None, str | None]:
        at = iso(NOW + dt.timedelta(days=days))
        (due,) = crawlstate.due_for_recheck(db, now=at)
        assert crawlstate.validators(db, now=at)[1] == (due.etag, due.last_modified)
        return due.etag, due.last_modified

    assert validators_at(30) == ('"1"', "LM")
    store.mark_checked(db, 1, fetched_at=iso(NOW + dt.timedelta(days=30)))  # a 304
    assert validators_at(60) == ('"1"', "LM")
    store.mark_checked(db, 1, fetched_at=iso(NOW + dt.timedelta(days=60)))  # a 304
    assert validators_at(90) == (None, None)  # 90 days since the page came whole
    # the whole page comes (unchanged): conditional re-checks again
    store.save_article(
        db,
        article(1, old),
        page_id=None,
        fetched_at=iso(NOW + dt.timedelta(days=90)),
        etag='"1"',
        last_modified="LM",
    )
    assert validators_at(120) == ('"1"', "LM")
    # an article never received whole (re-parsed only) has no validators to send
    store.reparse_article(db, article(2, old), page_id=None, parsed_at=iso(NOW))
    assert crawlstate.validators(db, now=iso(NOW))[2] == (None, None)


def test_crawl_state_helpers(db: sqlite_utils.Database, tmp_path: Path) -> None:
    a = article(
        10,
        NOW,
        images=[Image("http://h/i1.jpg", None), Image("http://h/i2.jpg", "c")],
        attachments=[Attachment("http://h/d.pdf", "d")],
    )
    store.save_article(db, a, page_id=None, fetched_at=iso(NOW), last_modified="LM")
    assert crawlstate.known_article_ids(db) == {10}
    assert crawlstate.validators(db, now=iso(NOW)) == {10: (None, "LM")}
    assert crawlstate.missing_files(db) == ["http://h/d.pdf", "http://h/i1.jpg", "http://h/i2.jpg"]
    files_dir = files_dir_for(tmp_path / "archive.db")
    store.save_file(
        db,
        files_dir,
        url="http://h/i1.jpg",
        body=b"\xff\xd8jpeg",
        content_type="image/jpeg",
        fetched_at=iso(NOW),
    )
    assert crawlstate.missing_files(db) == ["http://h/d.pdf", "http://h/i2.jpg"]
    assert crawlstate.downloaded_file_urls(db) == {"http://h/i1.jpg"}
    store.record_error(db, url="L", kind="listing", status=500, reason="x", run_id=None)
    store.record_error(db, url="F", kind="file", status=404, reason="y", run_id=None)
    assert [e.url for e in crawlstate.open_errors(db)] == ["L", "F"]
    assert [e.url for e in crawlstate.open_errors(db, kind="file")] == ["F"]


def test_snapshot_of_a_missing_archive_is_empty_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    assert crawlstate.read_snapshot(path) == crawlstate.Snapshot()
    assert not path.exists()


def test_snapshot_is_read_once_and_read_only(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    db = open_archive(path)
    img = Image("http://h/i1.jpg", None)
    store.save_article(
        db, article(1, NOW, images=[img]), page_id=None, fetched_at=iso(NOW), etag='"e1"'
    )
    store.save_article(db, article(2, NOW), page_id=None, fetched_at=iso(NOW))
    store.save_file(
        db,
        files_dir_for(path),
        url="http://h/i1.jpg",
        body=b"x",
        content_type=None,
        fetched_at=iso(NOW),
    )
    store.record_error(db, url="http://h/a", kind="article", status=500, reason="x", run_id=None)
    done = store.start_run(db, site="http://h", mode="incremental")
    store.finish_run(db, done, outcome="partial", counts={})
    mine = store.start_run(db, site="http://h", mode="incremental")
    db.close()

    # A writer holds the write lock all along: a read-only snapshot never waits for it.
    writer = sqlite3.connect(path)
    writer.execute("BEGIN IMMEDIATE")
    try:
        later = iso(NOW + dt.timedelta(days=400))
        snap = crawlstate.read_snapshot(path, recheck_limit=10, recheck_at=later, except_run=mine)
        full = crawlstate.read_snapshot(
            path, incremental=False, fetch_files=False, recheck_at=iso(NOW)
        )
    finally:
        writer.rollback()
        writer.close()
    assert snap.known == {1, 2}
    assert [r.site_id for r in snap.rechecks] and {r.site_id for r in snap.rechecks} == {1, 2}
    assert snap.validators == {}  # incremental runs re-check with the rechecks' validators
    assert snap.downloaded_files == {"http://h/i1.jpg"} and snap.missing_files == ()
    assert [e.url for e in snap.open_errors] == ["http://h/a"]
    assert snap.last_run is not None and snap.last_run["id"] == done
    assert full.rechecks == () and full.validators == {1: ('"e1"', None), 2: (None, None)}
    assert full.downloaded_files == frozenset() and full.missing_files == ()


def test_an_archive_of_the_six_outcomes_learns_limited_and_unreachable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """m005_run_outcomes widens the runs CHECK in place: rows kept, new outcomes accepted."""
    import sqlite3

    import sqlite_utils

    from archive import migrations as m
    from archive.db import open_archive

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    m.migrations.apply(old, stop_before="m005_run_outcomes")
    old.execute("INSERT INTO runs (started_at, outcome) VALUES ('2026-01-01', 'ok')")
    old.conn.commit()
    try:
        old.execute("INSERT INTO runs (started_at, outcome) VALUES ('2026-01-02', 'limited')")
        raise AssertionError("the first schema accepted 'limited'")
    except sqlite3.IntegrityError:
        pass
    old.close()
    db = open_archive(path)
    try:
        for outcome in ("limited", "unreachable"):
            run = store.start_run(db, site="http://x", mode="incremental")
            store.finish_run(db, run, outcome=outcome, counts={})
        rows = [r["outcome"] for r in db.query("SELECT outcome FROM runs ORDER BY id")]
        assert rows == ["ok", "limited", "unreachable"]
        with pytest.raises(sqlite3.IntegrityError):
            db.execute("UPDATE runs SET outcome = 'bogus' WHERE id = 1")
        assert [r[0] for r in db.execute("PRAGMA integrity_check").fetchall()] == ["ok"]
    finally:
        db.close()


def test_each_site_is_judged_by_its_own_last_run(tmp_path: Path) -> None:
    """A crawl of several sites: one site's complete run says nothing of another's walk."""
    path = tmp_path / "archive.db"
    db = open_archive(path)
    mst = store.start_run(db, site="https://mst.gov.vn", mode="incremental")
    store.finish_run(db, mst, outcome="interrupted", counts={})
    most = store.start_run(db, site="https://www.most.gov.vn", mode="incremental")
    store.finish_run(db, most, outcome="ok", counts={})
    db.close()
    assert crawlstate.read_snapshot(path).last_run["id"] == most  # type: ignore[index]
    for site, run in (("https://mst.gov.vn", mst), ("https://www.most.gov.vn", most)):
        last = crawlstate.read_snapshot(path, site=site).last_run
        assert last is not None and last["id"] == run
    assert crawlstate.read_snapshot(path, site="http://127.0.0.1:9").last_run is None


def test_a_fallback_read_never_replaces_a_portal_parsers_version(
    db: sqlite_utils.Database,
) -> None:
    fallback = "fallback-trafilatura/1"
    store.save_article(db, article(1, NOW), page_id=None, fetched_at=iso(NOW))
    notice = article(1, NOW, title="Thông báo bảo trì hệ thống", parser=fallback)
    assert store.kept_version_parser(db, notice) == "most/1"
    assert store.kept_version_parser(db, article(1, NOW)) is None  # the portal's parser again
    assert store.kept_version_parser(db, article(2, NOW, parser=fallback)) is None  # new
    store.save_article(db, article(3, NOW, parser=fallback), page_id=None, fetched_at=iso(NOW))
    assert store.kept_version_parser(db, article(3, NOW, parser=fallback)) is None
    # the same number on the other portal is another article
    assert store.kept_version_parser(db, replace(notice, portal="mst")) is None


def _free_pages(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA freelist_count").fetchone()[0])


def test_a_run_gives_back_the_pages_its_writes_left_free(tmp_path: Path) -> None:
    """The full-text index's segment merges leave pages free inside the file (0-60 in a crawl
    of 300 articles: up to 4% of a small archive's file, and `make bench`'s size row crossed
    its goal on them). A new archive gives them back when a run finishes; an older archive
    (made without incremental auto-vacuum) keeps them for reuse, untouched."""
    path = tmp_path / "archive.db"
    db = open_archive(path)
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 2  # incremental
    run_id = store.start_run(db, site="http://127.0.0.1:1", mode="incremental")
    with db.conn:  # pages written, then freed: what merged index segments leave
        db.conn.execute("CREATE TABLE scratch (b BLOB)")
        db.conn.executemany("INSERT INTO scratch VALUES (?)", [(b"x" * 3000,)] * 200)
        db.conn.execute("DROP TABLE scratch")
    assert _free_pages(db) >= 150
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    store.finish_run(db, run_id, outcome="ok", counts={})
    assert _free_pages(db) == 0
    assert db.execute("PRAGMA page_count").fetchone()[0] <= pages - 150
    assert db.execute("SELECT outcome FROM runs").fetchall() == [("ok",)]
    db.close()

    old = tmp_path / "old.db"
    with sqlite3.connect(old) as conn:  # an archive created before: no auto-vacuum
        conn.execute("PRAGMA auto_vacuum = NONE")
        conn.execute("CREATE TABLE scratch (b BLOB)")
        conn.executemany("INSERT INTO scratch VALUES (?)", [(b"x" * 3000,)] * 400)
        conn.execute("DROP TABLE scratch")
    conn.close()
    db = open_archive(old)  # its migrations reuse some of the free pages
    assert _free_pages(db) >= 150 and db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    run_id = store.start_run(db, site="http://127.0.0.1:1", mode="incremental")
    store.finish_run(db, run_id, outcome="ok", counts={})
    assert _free_pages(db) > 0  # kept (start_run may have reused a few), nothing moved
    db.close()


def test_free_pages_that_cannot_be_given_back_stay_and_say_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Giving free pages back is the run's last write, after its record is committed: where
    the file cannot be written then (a full disk; here a read-only connection) the pages stay
    for later writes, with a warning, and the caller is not told the run failed to record."""
    from archive.db import release_free_pages

    path = tmp_path / "archive.db"
    db = open_archive(path)
    with db.conn:
        db.conn.execute("CREATE TABLE scratch (b BLOB)")
        db.conn.executemany("INSERT INTO scratch VALUES (?)", [(b"x" * 3000,)] * 100)
        db.conn.execute("DROP TABLE scratch")
    db.close()
    reader = open_archive(path, readonly=True)
    free = _free_pages(reader)
    assert free > 50
    assert release_free_pages(reader) == 0
    assert _free_pages(reader) == free
    assert "could not give the archive's free pages back" in caplog.text
    reader.close()
    writer = open_archive(path)
    assert release_free_pages(writer) == free and _free_pages(writer) == 0
    writer.close()
