"""An archive written by the release before the second portal migrates in place, losing nothing.

The archive is written by the release's own code (``git archive`` of commit 0af8c00, run in a
subprocess through tests/archive/release_archive.py); a checkout without that commit (a shallow
clone) uses the copy of the same output kept in tests/fixtures/archives/. Then the current code
opens it for writing (migration m004_two_portals) and every row, revision and file must still
be there, unchanged, with portal 'most', and a re-crawl of the same content must be unchanged.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tarfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils
from click.testing import CliRunner

from archive import migrations, store
from archive.cli import main
from archive.db import open_archive
from archive.files import files_dir_for, resolve
from archive.headers import headers_json
from archive.queries import get_article, resolve_article, search
from archive.rawpages import decode
from archive.revisions import texts as revision_texts
from archive.revisions import unpack_html
from crawler.items import Article
from tests.archive import release_archive as release

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "archives" / f"release-{release.RELEASE}"
RELEASE_STEPS = ["m001_initial_schema", "m002_full_text", "m003_search_indexes"]
# Tables whose rows must survive, with the order that lists them the same before and after.
TABLES = {
    "runs": "id",
    "categories": "id",
    "raw_pages": "id",
    "articles": "site_id",
    "article_categories": "site_id, category_id",
    "images": "site_id, position",
    "attachments": "site_id, position",
    "files": "url",
    "revisions": "id",
    "fetch_errors": "id",
    # What the full-text indexes hold: one docsize row per indexed article (id = rowid, the
    # token count of each column). The FTS tables themselves cannot be scanned for it: the
    # exact one is contentless, the folded one reads its content table (articles).
    "articles_fts_docsize": "id",
    "articles_fts_exact_docsize": "id",
}


def _write_with_release(dest: Path) -> bool:
    """The release's code writes ``dest``; False when this checkout lacks the commit."""
    try:
        tar = subprocess.run(
            [
                "git",
                "-C",
                str(ROOT),
                "archive",
                release.RELEASE,
                "archive",
                "crawler/__init__.py",
                "crawler/items.py",
            ],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    code = dest.parent / "release-code"
    with tarfile.open(fileobj=BytesIO(tar)) as archive:
        archive.extractall(code, filter="data")
    # Run from the release's folder with only it on the path: its `archive` package, not ours.
    subprocess.run(
        [sys.executable, str(Path(release.__file__)), str(dest)],
        cwd=code,
        env={"PYTHONPATH": str(code), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    return True


def _rows(path: Path, table: str) -> list[dict[str, Any]]:
    """The rows as the archive means them: what the lean format (issue 14) stores compressed
    or once (raw page bodies, the article's HTML, older versions' texts) read back, and the
    full-text tables by their _docsize rows (they keep no text)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    db = sqlite_utils.Database(conn)
    try:
        rows = [dict(r) for r in conn.execute(f"SELECT * FROM {table} ORDER BY {TABLES[table]}")]
        for row in rows:
            if table == "raw_pages" and row["body"] is not None:
                row["body"] = decode(db, row["body"], row.get("codec"), row.get("dictionary_id"))
            if table == "raw_pages" and row.get("headers_packed") is not None:
                row["headers_json"] = headers_json(None, row["headers_packed"])
            if table == "articles" and row.get("body_html_packed") is not None:
                row["body_html"] = unpack_html(row["body_html_packed"], row["lead"], row["body"])
            if table == "revisions":
                row["lead"], row["body"], row["body_html"] = revision_texts(
                    db, int(row["site_id"]), row
                )
        return rows
    finally:
        conn.close()


@pytest.fixture(scope="module", params=["written-by-release", "kept-fixture"])
def old_archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh copy of an archive as the release wrote it (not yet migrated)."""
    folder = tmp_path_factory.mktemp(str(request.param))
    path = folder / "archive.db"
    if request.param == "written-by-release":
        if not _write_with_release(path):
            pytest.skip(f"this checkout has no commit {release.RELEASE} (shallow clone)")
    else:
        shutil.copy(FIXTURE / "archive.db", path)
        shutil.copytree(FIXTURE / "archive-files", files_dir_for(path))
    return path


@pytest.fixture(scope="module")
def migrated(old_archive: Path) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """(path, rows of every table before the migration): the archive after the migration."""
    before = {table: _rows(old_archive, table) for table in TABLES}
    conn = sqlite3.connect(old_archive)
    steps = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    conn.close()
    assert steps == RELEASE_STEPS, "not an archive of the release"
    db = open_archive(old_archive)  # the writer: migrates
    assert migrations.applied(db)[: len(RELEASE_STEPS)] == RELEASE_STEPS
    assert "m004_two_portals" in migrations.applied(db)
    db.conn.close()
    return old_archive, before


def test_every_row_is_kept_unchanged(
    migrated: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    path, before = migrated
    assert all(before.values()), "every table holds rows (a real archive, not an empty one)"
    assert len(before["revisions"]) == 4 and len(before["files"]) == 2
    for table, old_rows in before.items():
        new_rows = _rows(path, table)
        assert len(new_rows) == len(old_rows), table
        for old, new in zip(old_rows, new_rows, strict=True):
            assert {k: new[k] for k in old} == old, table  # every old column, same value
            if "portal" in new:
                assert new["portal"] == "most", table


def test_new_columns_of_migrated_articles(
    migrated: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    path, _ = migrated
    for row in _rows(path, "articles"):
        assert row["id"] == row["site_id"]  # the FTS rowid stays the site id
        assert row["key"] == f"most:{row['site_id']}"
        assert row["author"] is None and row["tags"] == "[]"
    for row in _rows(path, "revisions"):
        assert row["author"] is None and row["tags"] == "[]"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


def test_last_fetched_of_migrated_articles_is_their_pages_fetch_time(
    migrated: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    """m018_last_fetched: the release kept no re-fetch records, so the time the page last came
    whole is the fetch time of the article's current raw page; a 304 re-check of the release
    (``last_checked`` later) does not count."""
    path, _ = migrated
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT a.last_fetched, p.fetched_at, a.last_checked FROM articles a "
        "LEFT JOIN raw_pages p ON p.id = a.page_id"
    ).fetchall()
    conn.close()
    assert rows and all(fetched == page for fetched, page, _checked in rows)
    assert any(page is not None for _fetched, page, _checked in rows)
    assert any(checked > fetched for fetched, _page, checked in rows if fetched), "no 304 kept"


def test_migrated_full_text_tables_merge_16_segments_at_a_time(
    migrated: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    """m020_fts_merging: the release's full-text tables (SQLite's defaults, 4 and 16) now
    merge their segments 16 at a time and all at once only past 64, and still hold every
    article."""
    path, _ = migrated
    conn = sqlite3.connect(path)
    for table in (migrations.FTS_FOLDED, migrations.FTS_EXACT):
        config = dict(conn.execute(f"SELECT k, v FROM {table}_config").fetchall())
        assert (config["automerge"], config["crisismerge"]) == (16, 64), table
    exact = migrations.FTS_EXACT
    conn.execute(f"INSERT INTO {exact} ({exact}) VALUES ('integrity-check')")  # raises if not
    conn.close()


def test_migrated_archive_reads_as_before(
    migrated: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    path, _ = migrated
    db = open_archive(path, readonly=True)
    assert [h.key for h in search(db, "dien")] == ["most:13245"]
    assert resolve_article(db, "https://most.gov.vn/vn/tin-tuc/102/x.aspx") == ("most", 102)
    article = get_article(db, 13245)
    assert article is not None
    assert [r["revision"] for r in article["revisions"]] == [1, 2]
    assert article["body"].startswith("Đoạn một về điện, đã sửa.")
    assert {c["id"] for c in article["categories"]} == {493, 570}
    files = files_dir_for(path)
    for item in (*article["images"], *article["attachments"]):
        if item["path"]:
            assert resolve(files, item["path"]).is_file()
    assert sum(1 for i in article["images"] if i["path"]) == 1
    db.conn.close()
    result = CliRunner().invoke(main, ["diff", "13245", "--db", str(path)])
    assert result.exit_code == 0 and "+  Đoạn một về điện, đã sửa." in result.output


def test_recrawl_after_migration_makes_no_revision(
    migrated: tuple[Path, dict[str, list[dict[str, Any]]]], tmp_path: Path
) -> None:
    """The same content parsed again (now with author None and tags []) hashes as before."""
    path, _ = migrated
    copy = tmp_path / "copy.db"
    src = sqlite3.connect(path)
    dst = sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    db = open_archive(copy)
    before = db.execute("SELECT count(*) FROM revisions").fetchone()[0]
    for data in (release.REVISED, *release.ARTICLES[1:]):
        article = Article.from_dict(data)
        assert article.author is None and article.tags == [] and article.portal == "most"
        outcome = store.save_article(
            db, article, page_id=None, fetched_at="2026-12-01T00:00:00+00:00"
        )
        assert outcome == "unchanged", data["site_id"]
    assert db.execute("SELECT count(*) FROM revisions").fetchone()[0] == before
    db.conn.close()


def test_readers_ask_for_migrate_and_migrate_upgrades(tmp_path: Path) -> None:
    """Readers never change the file: they name the command that upgrades it."""
    import click

    from archive.lock import crawl_lock
    from archive.serve import check_archive

    path = tmp_path / "archive.db"
    shutil.copy(FIXTURE / "archive.db", path)
    runner = CliRunner()
    for command in (["search", "dien"], ["show", "13245"], ["export"], ["stats"]):
        result = runner.invoke(main, [*command, "--db", str(path)])
        assert result.exit_code == 1, command
        assert f"most-archive migrate --db {path}" in result.output
        assert "m004_two_portals" in result.output and "Traceback" not in result.output
    with pytest.raises(click.ClickException, match="most-archive migrate"):
        check_archive(path)
    with crawl_lock(path):  # a crawl is running: nothing is done, exit 75
        assert runner.invoke(main, ["migrate", "--db", str(path)]).exit_code == 75
    result = runner.invoke(main, ["migrate", "--db", str(path)])
    assert result.exit_code == 0 and "upgraded" in result.output
    assert "m004_two_portals" in result.output
    result = runner.invoke(main, ["migrate", "--db", str(path)])
    assert result.exit_code == 0 and "is up to date" in result.output
    result = runner.invoke(main, ["search", "dien", "--json", "--db", str(path)])
    assert result.exit_code == 0 and '"key": "most:13245"' in result.output
    check_archive(path)
    missing = runner.invoke(main, ["migrate", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and not (tmp_path / "none.db").exists()


def test_rebuild_keeps_columns_and_indexes_it_does_not_know(tmp_path: Path) -> None:
    """A step of another branch ordered before m004 (a column, an index) survives the rebuild."""
    import sqlite_utils

    path = tmp_path / "a.db"
    db = sqlite_utils.Database(path)
    migrations.migrations.apply(db, stop_before="m004_two_portals")
    db.execute("ALTER TABLE revisions ADD COLUMN delta BLOB")
    db.execute("ALTER TABLE revisions ADD COLUMN variant TEXT NOT NULL DEFAULT 'plain'")
    db.execute("CREATE INDEX idx_revisions_reason ON revisions(reason)")
    db.execute(
        "INSERT INTO articles (site_id, url, title, content_hash, first_seen, last_seen, "
        "last_changed) VALUES (5, 'u', 't', 'h', 'x', 'x', 'x')"
    )
    db.execute(
        "INSERT INTO revisions (site_id, revision, content_hash, title, first_seen, last_seen, "
        "delta) VALUES (5, 1, 'h', 't', 'x', 'x', x'0102')"
    )
    db.conn.commit()
    db.close()
    db = open_archive(path)
    assert list(db.query("SELECT portal, site_id, delta FROM revisions")) == [
        {"portal": "most", "site_id": 5, "delta": b"\x01\x02"}
    ]
    assert "idx_revisions_reason" in {i.name for i in db["revisions"].indexes}
    db.execute(
        "INSERT INTO revisions (site_id, revision, content_hash, title, first_seen, last_seen) "
        "VALUES (5, 2, 'h', 't', 'x', 'x')"
    )  # the column keeps its default and its NOT NULL
    assert [r["variant"] for r in db.query("SELECT variant FROM revisions")] == ["plain"] * 2
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("UPDATE revisions SET variant = NULL")
    db.conn.close()
