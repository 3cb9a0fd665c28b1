"""The walk frontier in the archive (archive.runlog) and the runs' new outcomes (m006)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from archive import crawlstate, migrations, store
from archive.db import open_archive

SITE = "http://127.0.0.1:1"


@pytest.fixture
def db(tmp_path: Path) -> sqlite_utils.Database:
    return open_archive(tmp_path / "archive.db")


def test_a_frontier_is_replaced_whole_read_back_in_order_and_cleared(
    db: sqlite_utils.Database, tmp_path: Path
) -> None:
    run_id = store.start_run(db, site=SITE, mode="incremental")
    first = [store.FrontierEntry("listing", f"{SITE}/l?page={n}", "{}") for n in (3, 4)]
    assert store.save_frontier(db, SITE, first, run_id=run_id) == 2
    other = [store.FrontierEntry("article", "http://127.0.0.1:2/a-1.htm", "{}", 1)]
    store.save_frontier(db, "http://127.0.0.1:2", other, run_id=run_id)
    second = [
        store.FrontierEntry("article", f"{SITE}/vn/tin-tuc/7/a.aspx", '{"x": 1}', 7),
        store.FrontierEntry("listing", f"{SITE}/l?page=5", "{}"),
    ]
    store.save_frontier(db, SITE, second, run_id=run_id)
    snapshot = crawlstate.read_snapshot(tmp_path / "archive.db")
    assert snapshot.frontier == {SITE: tuple(second), "http://127.0.0.1:2": tuple(other)}
    assert store.clear_frontier(db, SITE) == 2
    assert crawlstate.read_snapshot(tmp_path / "archive.db").frontier == {
        "http://127.0.0.1:2": tuple(other)
    }


def test_runs_accept_drift_and_limited_and_nothing_else(db: sqlite_utils.Database) -> None:
    for outcome in ("drift", "limited"):
        run_id = store.start_run(db, site=SITE, mode="incremental")
        store.finish_run(db, run_id, outcome=outcome, counts={})
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO runs (started_at, outcome) VALUES ('t', 'splendid')")
    # the widening is a no-op once every outcome is allowed
    before = db.execute("SELECT sql FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    with db.conn:
        migrations._allow_outcomes(db)
    after = db.execute("SELECT sql FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    assert before == after
    assert [r["outcome"] for r in db.query("SELECT outcome FROM runs")] == ["drift", "limited"]


def test_an_archive_without_drift_is_widened_with_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = open_archive(path)
    store.finish_run(db, store.start_run(db, site=SITE, mode="full"), outcome="ok", counts={})
    # as an archive migrated before "drift" existed: its CHECK knows the others only
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    old = sql.replace(", 'drift'", "")
    assert old != sql
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    with db.conn:
        db.execute("PRAGMA writable_schema = ON")
        db.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'runs'", [old])
        db.execute(f"PRAGMA schema_version = {version + 1}")
        db.execute("PRAGMA writable_schema = OFF")
    db.close()
    db = sqlite_utils.Database(path)
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO runs (started_at, outcome) VALUES ('t', 'drift')")
    with db.conn:
        migrations._allow_outcomes(db)
    assert (
        "OR outcome IN ('drift')"
        in db.execute("SELECT sql FROM sqlite_master WHERE name = 'runs'").fetchone()[0]
    )
    db.execute("INSERT INTO runs (started_at, outcome) VALUES ('t', 'drift')")
    assert [r["outcome"] for r in db.query("SELECT outcome FROM runs ORDER BY id")] == [
        "ok",
        "drift",
    ]
