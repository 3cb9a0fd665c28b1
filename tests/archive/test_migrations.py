"""archive.db + archive.migrations: the schema of the brief, applied once, opened safely."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive import migrations
from archive.db import ArchiveMissing, open_archive, write_transaction

ROOT = Path(__file__).resolve().parents[2]

# The names fixed by the brief (the archive may add columns, never rename or drop).
BRIEF = {
    "runs": "id started_at finished_at mode site pid outcome pages_fetched articles_new "
    "articles_updated articles_unchanged files errors counts_json",
    "categories": "id name url",
    "articles": "site_id url title lead body body_html published_at category source parser "
    "content_hash revision first_seen last_seen last_checked last_changed page_id etag "
    "last_modified",
    "article_categories": "site_id category_id",
    "images": "site_id position url caption alt",
    "attachments": "site_id position url title",
    "files": "url sha256 path size content_type fetched_at",
    "raw_pages": "id url status headers_json body body_sha256 content_type fetched_at run_id",
    "revisions": "id site_id revision content_hash title lead body published_at category source "
    "images_json attachments_json parser reason first_seen last_seen page_id",
    "fetch_errors": "id url kind status reason run_id first_failed last_failed attempts "
    "resolved_at",
    "articles_fts": "title lead body captions source",
    "articles_fts_exact": "title lead body captions source",
}


def test_schema_has_every_table_and_column_of_the_brief(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    for table, columns in BRIEF.items():
        have = {c.name for c in db.table(table).columns}
        missing = set(columns.split()) - have
        assert not missing, f"{table} lacks {missing}"
    # Articles are unique by (portal, site_id); ``id`` is the row's number (the FTS rowid).
    assert db.table("articles").pks == ["id"] and db.table("files").pks == ["url"]
    fks = {(r["table"], r["from"], r["to"]) for r in db.query("PRAGMA foreign_key_list(images)")}
    assert {("articles", "site_id", "site_id"), ("articles", "portal", "portal")} <= fks


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = open_archive(path)
    first = migrations.applied(db)
    assert first == [m.name for m in migrations.migrations._migrations]
    schema = list(db.query("SELECT name, sql FROM sqlite_master ORDER BY name"))
    db.close()
    db = open_archive(path)
    assert migrations.migrate(db) == []
    assert migrations.applied(db) == first
    assert list(db.query("SELECT name, sql FROM sqlite_master ORDER BY name")) == schema


def test_two_processes_creating_the_same_file_at_once(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    code = "import sys; from archive.db import open_archive; open_archive(sys.argv[1]); print('ok')"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 4, results
    db = open_archive(path)
    assert len(migrations.applied(db)) == len(migrations.migrations._migrations)


def test_pragmas(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    pragma = {
        k: next(iter(next(db.query(f"PRAGMA {k}")).values()))
        for k in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
    }
    assert pragma == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": 30000,
        "synchronous": 1,
    }
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO images (site_id, position, url) VALUES (999, 0, 'x')")


def test_readonly_never_creates_never_writes_never_blocks(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    with pytest.raises(ArchiveMissing):
        open_archive(path, readonly=True)
    assert not path.exists()
    writer = open_archive(path)
    reader = open_archive(path, readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("INSERT INTO categories (id, name) VALUES (1, 'x')")
    # A reader in the middle of a read transaction does not block the writer, and sees the
    # snapshot it started with until it ends.
    reader.conn.execute("BEGIN")
    assert reader.conn.execute("SELECT count(*) FROM categories").fetchone() == (0,)
    with write_transaction(writer):
        writer.execute("INSERT INTO categories (id, name) VALUES (1, 'x')")
    assert reader.conn.execute("SELECT count(*) FROM categories").fetchone() == (0,)
    reader.conn.execute("COMMIT")
    assert reader.conn.execute("SELECT count(*) FROM categories").fetchone() == (1,)


def test_write_transaction_rolls_back_and_nests(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    with pytest.raises(RuntimeError), write_transaction(db):
        db.execute("INSERT INTO categories (id) VALUES (1)")
        raise RuntimeError("boom")
    with write_transaction(db):
        db.execute("INSERT INTO categories (id) VALUES (2)")
        with pytest.raises(RuntimeError), write_transaction(db):
            db.execute("INSERT INTO categories (id) VALUES (3)")
            raise RuntimeError("inner")
    assert [r["id"] for r in db.query("SELECT id FROM categories")] == [2]
    assert not db.conn.in_transaction


def test_last_fetched_is_filled_from_the_latest_whole_page(tmp_path: Path) -> None:
    """m018_last_fetched on an archive written before it: the latest time the article's page
    came whole, a re-fetch of identical bytes (``revisits``, 200) included, a 304 not."""
    from archive import store
    from tests.archive.test_store_runs import article

    t1, t2, t3 = (f"2026-0{m}-01T00:00:00+00:00" for m in (1, 2, 3))
    path = tmp_path / "a.db"
    db = open_archive(path)
    url = "http://127.0.0.1:1/vn/tin-tuc/5/a.aspx"
    page = {"url": url, "status": 200, "headers": {}, "body": b"<html>5</html>", "run_id": None}
    first = store.save_page(db, **page, fetched_at=t1)
    store.save_article(db, article(5, None), page_id=first, fetched_at=t1, etag='"5"')
    assert store.save_page(db, **page, fetched_at=t2) == first  # identical: a revisit (200)
    store.mark_checked(db, 5, fetched_at=t3, url=url)  # a 304: a revisit too
    db.close()
    # the archive as the release before m018 left it
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE articles DROP COLUMN last_fetched")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm018_last_fetched'")
    conn.commit()
    conn.close()
    db = open_archive(path)
    assert migrations.applied(db)[-1] == "m018_last_fetched"
    assert list(db.query("SELECT last_fetched, last_checked FROM articles")) == [
        {"last_fetched": t2, "last_checked": t3}
    ]
    db.close()


def test_full_text_tables_merge_16_segments_at_a_time(tmp_path: Path) -> None:
    """m020_fts_merging, on a new archive and on one written before it (no setting: FTS5's
    defaults, 4 and 16): the settings are each full-text table's own, so every connection
    uses them."""
    merging = "SELECT k, v FROM {} WHERE k IN ('automerge', 'crisismerge') ORDER BY k"
    path = tmp_path / "a.db"
    open_archive(path).close()
    conn = sqlite3.connect(path)
    for table in (migrations.FTS_FOLDED, migrations.FTS_EXACT):
        config = f"{table}_config"
        assert conn.execute(merging.format(config)).fetchall() == [
            ("automerge", 16),
            ("crisismerge", 64),
        ]
        conn.execute(f"DELETE FROM {config} WHERE k IN ('automerge', 'crisismerge')")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm020_fts_merging'")  # as before
    conn.commit()
    conn.close()
    db = open_archive(path)
    assert migrations.applied(db)[-1] == "m020_fts_merging"
    for table in (migrations.FTS_FOLDED, migrations.FTS_EXACT):
        assert db.execute(merging.format(f"{table}_config")).fetchall() == [
            ("automerge", 16),
            ("crisismerge", 64),
        ]
    db.close()
