"""Issue 13, point 10: bad ``--site`` values and unusable databases are clean errors.

- ``crawl --site`` with a port out of range, a broken host or IPv6 literal: usage error, exit 2;
- ``crawl`` on a file that is not SQLite, a damaged archive, a read-only archive: a one-line
  message and exit 1, no traceback;
- the archive marks itself with ``PRAGMA application_id`` (archive.db.APPLICATION_ID): a new
  archive gets it, an archive made before the mark (our migrations table, no id) is recognised
  and marked, and ``crawl`` refuses a non-empty SQLite database that is not an archive without
  adding a single table to it (nor switching it to WAL).

All in process (CliRunner): every case ends before Scrapy starts.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_queries_samples import build_archive

from archive.db import APPLICATION_ID, ArchiveUnusable, NotAnArchive, open_archive
from most_archive.cli import main

SITE = "http://127.0.0.1:9"  # never reached: every case stops before the crawl


def _crawl(db: Path, *extra: str) -> Result:
    return CliRunner().invoke(main, ["crawl", "--site", SITE, "--db", str(db), *extra])


def _clean_error(result: Result, code: int, *texts: str) -> None:
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in texts:
        assert text in result.stderr, (text, result.stderr)


def _schema(path: Path) -> tuple[list[str], int, str]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    return names, app_id, journal


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("unusable") / "archive.db")
    return path


# --- --site -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "why"),
    [
        ("http://127.0.0.1:99999", "port"),
        ("http://127.0.0.1:0", "port"),
        ("http://host:abc", "port"),
        ("http://[::1", "IPv6"),
        ("http://exa mple.com", "host"),
        ("http://bad\x1bhost", "host"),
        ("http://:80", "http(s)"),
    ],
)
def test_bad_site_is_a_usage_error(tmp_path: Path, site: str, why: str) -> None:
    db = tmp_path / "a.db"
    result = CliRunner().invoke(main, ["crawl", "--site", site, "--db", str(db)])
    _clean_error(result, 2, "--site", why)
    assert not db.exists()


# --- files that are not archives --------------------------------------------------------------


@pytest.mark.parametrize("content", [b"hello, not sqlite\n", os.urandom(3000), b"SQLite format 3"])
def test_crawl_on_a_file_that_is_not_sqlite(tmp_path: Path, content: bytes) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(content)
    _clean_error(_crawl(db), 1, str(db), "not an SQLite database")
    assert db.read_bytes() == content


def test_crawl_refuses_another_applications_database(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('An')")
    conn.commit()
    conn.close()
    before = _schema(db)
    _clean_error(_crawl(db), 1, str(db), "not a most-archive archive", "customers")
    assert _schema(db) == before == (["customers"], 0, "delete")  # not one table added
    with pytest.raises(NotAnArchive):
        open_archive(db)
    assert _schema(db) == before


def test_crawl_refuses_a_database_marked_by_another_application(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA application_id = 1234")
    conn.close()
    _clean_error(_crawl(db), 1, str(db), "application_id 1234")
    assert _schema(db) == ([], 1234, "delete")


def test_readers_refuse_a_database_marked_by_another_application(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE articles (site_id INTEGER PRIMARY KEY)")  # looks like ours
    conn.close()
    for command in (["stats"], ["serve", "--port", "0"]):
        result = CliRunner().invoke(main, [*command, "--db", str(db)])
        _clean_error(result, 1, "not a most-archive database", "application_id 1234")


# --- the mark ---------------------------------------------------------------------------------


def test_a_new_archive_is_marked(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    open_archive(db).close()
    assert _schema(db)[1] == APPLICATION_ID
    empty = tmp_path / "empty.db"  # an SQLite file without tables is adopted too
    sqlite3.connect(empty).execute("PRAGMA user_version = 0").connection.close()
    open_archive(empty).close()
    assert _schema(empty)[1] == APPLICATION_ID


def test_an_archive_made_before_the_mark_is_recognised_and_marked(
    archive: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    shutil.copy(archive, old)
    conn = sqlite3.connect(old)
    conn.execute("PRAGMA application_id = 0")
    conn.close()
    db = open_archive(old)
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 7
    db.close()
    assert _schema(old)[1] == APPLICATION_ID


# --- damaged and read-only archives -----------------------------------------------------------


def test_crawl_on_a_damaged_archive(archive: Path, tmp_path: Path) -> None:
    db = tmp_path / "damaged.db"
    shutil.copy(archive, db)
    data = bytearray(db.read_bytes())
    page = 4096
    data[page : len(data)] = b"\xa5" * (len(data) - page)  # every page but the header's
    db.write_bytes(bytes(data))
    _clean_error(_crawl(db), 1, str(db))
    for command in (["stats"], ["search", "dien"], ["export"], ["show", "104"]):
        result = CliRunner().invoke(main, [*command, "--db", str(db)])
        _clean_error(result, 1, str(db))


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """``path`` made read-only: chmod, or for root (who ignores modes) the immutable flag."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
        pytest.skip("running as root without chattr +i: no way to make a file read-only")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


@pytest.mark.parametrize("marked", [True, False])
def test_crawl_on_a_read_only_archive(archive: Path, tmp_path: Path, marked: bool) -> None:
    db = tmp_path / "ro.db"
    shutil.copy(archive, db)
    if not marked:
        sqlite3.connect(db).execute("PRAGMA application_id = 0").connection.close()
    with read_only(db):
        _clean_error(_crawl(db), 1, str(db), "cannot write")
        with pytest.raises(ArchiveUnusable, match="cannot write"):
            open_archive(db)
        result = CliRunner().invoke(main, ["reparse", "--db", str(db)])
        _clean_error(result, 1, str(db), "cannot write")


# --- --db that is not a regular file: a device, a named pipe ---------------------------------
# `crawl --db /dev/null` left /dev/null.lock and /dev/null-journal in /dev; a pipe blocked the
# open forever. A null device made in the test's own folder stands in for /dev/null.


def _null_device(folder: Path) -> Path:
    node = folder / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    return node


@pytest.mark.parametrize("command", ["crawl", "migrate", "reparse"])
def test_writers_refuse_a_device_and_leave_nothing_beside_it(tmp_path: Path, command: str) -> None:
    node = _null_device(tmp_path)
    args = ["--site", SITE] if command == "crawl" else []
    result = CliRunner().invoke(main, [command, "--db", str(node), *args])
    _clean_error(result, 1, "not a regular file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no null.lock, null-journal
    assert stat.S_ISCHR(node.lstat().st_mode)


def test_the_writer_refuses_a_device_and_a_pipe(tmp_path: Path) -> None:
    from archive.lock import crawl_lock

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for node in (_null_device(tmp_path), fifo):
        with pytest.raises(ArchiveUnusable, match="not a regular file"):
            open_archive(node)  # a pipe would block SQLite's first read forever
        with pytest.raises(ArchiveUnusable, match="not a regular file"), crawl_lock(node):
            pass
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "pipe"]


@pytest.mark.parametrize(
    "command",
    [["stats"], ["search", "x"], ["show", "1"], ["export"], ["verify"], ["backup", "copy.db"]],
    ids=lambda c: c[0],
)
def test_readers_refuse_a_pipe_at_once(tmp_path: Path, command: list[str]) -> None:
    """A named pipe as --db blocked every reader's open forever (a cron job that never ends)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    done = subprocess.run(
        [sys.executable, "-m", "most_archive", *command, "--db", str(fifo)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]
