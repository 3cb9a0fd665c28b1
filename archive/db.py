"""Opening the archive: one function that every reader and writer goes through.

Writers get WAL, foreign keys, a busy timeout, ``synchronous=NORMAL`` and the schema migrated.
Readers (``readonly=True``) get a ``mode=ro`` connection: in WAL mode a reader never blocks the
writer and the writer never blocks a reader, so searches during a crawl never see
"database is locked" (readers see the last committed state, never a half-written article).

sqlite-utils 4 rules apply to the returned object: ``db.execute()`` for writes (auto-committed
unless a transaction is open), ``db.query()`` for reads. Writes that belong together go inside
:func:`write_transaction`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import sqlite_utils

BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for another writer before "locked"


class ArchiveMissing(FileNotFoundError):
    """A read-only open of a database file that does not exist."""


def _configure(conn: sqlite3.Connection, *, readonly: bool) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - only on odd file systems
            raise sqlite3.OperationalError(f"could not switch the archive to WAL (got {mode})")
        conn.execute("PRAGMA synchronous = NORMAL")


def database_file(path: str | Path) -> Path:
    """The database file itself: ``path`` with its symlinks resolved.

    ``--db a.db`` and ``--db other/a.db`` (a symlink to it, or through a symlinked folder) are one
    archive; its crawl lock and files folder are named after this path, so every name of the
    database finds the same ones. A path without symlinks is returned as given (relative stays
    relative).
    """
    p = Path(path)
    real = os.path.realpath(p)
    return p if real == os.path.abspath(p) else Path(real)


def open_archive(path: str | Path, *, readonly: bool = False) -> sqlite_utils.Database:
    """Open (creating if needed) the archive at ``path`` and return a sqlite-utils Database.

    - ``readonly=False`` (the writer, e.g. a crawl): WAL journal, ``foreign_keys=ON``,
      ``busy_timeout`` 30 s, ``synchronous=NORMAL``, every pending migration applied.
    - ``readonly=True`` (search, show, export, serve): opened with ``mode=ro``; never creates
      the file (raises :class:`ArchiveMissing`), never migrates, never takes a write lock.
      If the file was never opened by a writer it has no schema: open it once for writing.

    The connection is made with ``check_same_thread=False`` so it can be handed to a worker
    thread, but one connection must be used by one thread at a time.
    """
    path = Path(path)
    if readonly:
        if not path.exists():
            raise ArchiveMissing(f"no archive at {path}")
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        conn = sqlite3.connect(
            uri, uri=True, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    _configure(conn, readonly=readonly)
    db = sqlite_utils.Database(conn, execute_plugins=False)
    if not readonly:
        from archive.migrations import migrate

        migrate(db)
    return db


def database_path(db: sqlite_utils.Database) -> Path | None:
    """The file behind ``db`` (``None`` for an in-memory database)."""
    for row in db.query("PRAGMA database_list"):
        if row["name"] == "main" and row["file"]:
            return Path(row["file"])
    return None


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic write: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

    IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so a transaction
    never fails half-way with "database is locked" when it upgrades from read to write.
    Nested use becomes a savepoint inside the outer transaction.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    else:
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            db.rollback()
            raise
