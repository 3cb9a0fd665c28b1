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
import logging
import os
import sqlite3
import stat
import weakref
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for another writer before "locked"
# PRAGMA application_id of every archive (docs/schema.md): "MoST" in ASCII. Set by the first
# writer to open a new archive, or one made before the mark (recognised by its migrations).
APPLICATION_ID = 0x4D6F5354
MIGRATIONS_TABLE = "_sqlite_migrations"  # sqlite-utils' record of the applied steps


class ArchiveMissing(FileNotFoundError):
    """A read-only open of a database file that does not exist."""


class ArchiveUnusable(sqlite3.DatabaseError):
    """The file at ``--db`` cannot be used as the archive; the message says why, for the user."""


class NotAnArchive(ArchiveUnusable):
    """An SQLite database that is not a most-archive archive (another application's)."""


def unusable_message(path: str | Path, exc: sqlite3.Error) -> str:
    """A message for the user about an SQLite error met opening or using the archive."""
    text = str(exc)
    low = text.lower()
    if "not a database" in low:
        return f"{path} is not an SQLite database ({text})"
    if "malformed" in low or "corrupt" in low:
        return (
            f"{path} is damaged ({text}): restore it from a backup "
            f"(`most-archive backup` makes them), or try `sqlite3 {path} .recover`"
        )
    name = Path(path).name
    if "readonly" in low or "read-only" in low:
        return (
            f"cannot write {path} ({text}): the file and its folder must be writable "
            f"(SQLite keeps {name}-wal and {name}-shm beside it)"
        )
    if "unable to open" in low:
        return (
            f"cannot open {path} ({text}): check that it can be read; to write it (a crawl) "
            f"its folder must be writable too (SQLite keeps {name}-wal and {name}-shm "
            "beside it)"
        )
    return f"cannot use {path} as the archive: {text}"


def check_archive_file(path: str | Path) -> None:
    """Raise :class:`ArchiveUnusable` when ``path`` exists but is not a regular file (a device
    such as /dev/null, a named pipe, a socket), before anything is written beside it: SQLite
    would leave its journal there and the crawl its lock file (in /dev, for /dev/null), and a
    pipe would block the open forever. A link is followed; a missing file is fine (a new
    archive)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:  # missing (a new archive), or the open itself will say what is wrong
        return
    if not stat.S_ISREG(mode):
        raise ArchiveUnusable(f"cannot use {path} as the archive: not a regular file")


def _foreign(path: str | Path, app_id: int) -> NotAnArchive:
    return NotAnArchive(
        f"{path} belongs to another application (application_id {app_id}, an archive's "
        f"is {APPLICATION_ID}); refusing to add the archive's tables to it"
    )


# The first bytes of every SQLite database file; its application_id is the big-endian 32-bit
# integer at offset 68 of the same header (https://sqlite.org/fileformat.html).
SQLITE_HEADER = b"SQLite format 3\x00"
_APPLICATION_ID_AT = slice(68, 72)


def check_archive_header(path: str | Path) -> None:
    """Raise :class:`ArchiveUnusable` when the file at ``path`` is evidently no archive, from its
    first bytes alone: bytes that are not an SQLite database, or another application's database
    (its ``application_id``). For the crawl lock, which must not leave ``/etc/passwd.lock``
    beside a file it will refuse anyway; the messages are those the open gives
    (:func:`unusable_message`, :func:`_claim`). A missing or empty file is a new archive, and a
    header that says nothing certain (application_id 0, not yet on disk in WAL mode) is left
    to :func:`_claim`, which reads the database itself."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_APPLICATION_ID_AT.stop)
    except OSError:  # missing (a new archive), or the open itself will say what is wrong
        return
    if not head:
        return
    if not head.startswith(SQLITE_HEADER):
        raise ArchiveUnusable(
            unusable_message(path, sqlite3.DatabaseError("file is not a database"))
        )
    app_id = int.from_bytes(head[_APPLICATION_ID_AT], "big", signed=True)
    if len(head) == _APPLICATION_ID_AT.stop and app_id not in (0, APPLICATION_ID):
        raise _foreign(path, app_id)


def _claim(conn: sqlite3.Connection, path: Path) -> None:
    """Make sure ``conn`` is an archive (or a new, empty database) a writer may use, and mark it.

    Raises :class:`NotAnArchive` for another application's database (another application_id,
    or tables without our migrations), before anything is written to it. Sets our
    ``application_id`` when it is not set yet; for an archive already marked, the same write is
    made and rolled back, so a read-only file fails here, with a clear message, not mid-crawl.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        app_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        if app_id not in (0, APPLICATION_ID):
            raise _foreign(path, app_id)
        if app_id == 0:
            _check_tables(conn, path)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    except BaseException:
        conn.rollback()
        raise
    if app_id == 0:
        conn.commit()
    else:
        conn.rollback()


def _check_tables(conn: sqlite3.Connection, path: Path) -> None:
    """An unmarked database is ours if it is empty or holds our migration records."""
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' "
            "ESCAPE '!' ORDER BY name"
        )
    ]
    if not names:
        return
    if MIGRATIONS_TABLE in names:
        from archive.migrations import MIGRATION_SET

        found = conn.execute(
            f"SELECT 1 FROM {MIGRATIONS_TABLE} WHERE migration_set = ? LIMIT 1", [MIGRATION_SET]
        ).fetchone()
        if found:
            return
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise NotAnArchive(
        f"{path} is an SQLite database but not a most-archive archive (tables: {shown}); "
        "refusing to add the archive's tables to it: point --db at an archive or a new file"
    )


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
      ``busy_timeout`` 30 s, ``synchronous=NORMAL``, every pending migration applied, the
      ``application_id`` set. Raises :class:`NotAnArchive` for another application's database
      (nothing is written to it) and :class:`ArchiveUnusable` for a file that is not SQLite, is
      damaged or cannot be written, with a message for the user.
    - ``readonly=True`` (search, show, export, serve): opened with ``mode=ro``, or
      ``immutable=1`` on media it cannot write (:mod:`archive.readonly`: an archive whose WAL
      holds changes that would then be missed raises :class:`archive.readonly.StaleWal`);
      never creates the file (raises :class:`ArchiveMissing`), never migrates, never takes a
      write lock.
      If the file was never opened by a writer it has no schema: open it once for writing.

    The connection is made with ``check_same_thread=False`` so it can be handed to a worker
    thread, but one connection must be used by one thread at a time.
    """
    path = Path(path)
    if readonly:
        if not path.exists():
            raise ArchiveMissing(f"no archive at {path}")
        check_archive_file(path)  # a pipe would block the open forever
        from archive.readonly import open_reader

        conn, _immutable = open_reader(path, BUSY_TIMEOUT_MS / 1000)
        _configure(conn, readonly=True)
        return sqlite_utils.Database(conn, execute_plugins=False)
    check_archive_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = exc.strerror or exc
        raise ArchiveUnusable(f"cannot create the folder of {path}: {why}") from None
    conn = sqlite3.connect(str(path), check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if conn.execute("PRAGMA page_count").fetchone()[0] == 0:
            # a new file: its free pages can be given back (release_free_pages); only settable
            # before the first page is written
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        _claim(conn, path)  # before WAL and migrations: another application's file stays as it is
        _configure(conn, readonly=False)
        db = sqlite_utils.Database(conn, execute_plugins=False)
        from archive.migrations import migrate

        migrate(db)
    except ArchiveUnusable:
        conn.close()
        raise
    except sqlite3.Error as exc:
        conn.close()
        raise ArchiveUnusable(unusable_message(path, exc)) from exc
    return db


# Databases with a savepoint open for one write (:func:`write_savepoint`) that no
# write_transaction has taken yet.
_OPEN_SAVEPOINT: weakref.WeakSet[sqlite_utils.Database] = weakref.WeakSet()


@contextlib.contextmanager
def write_savepoint(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A savepoint around one write inside an open transaction (``archive.batch``).

    The first :func:`write_transaction` inside it runs in this savepoint instead of opening a
    second one (a savepoint is two statements). An error inside still undoes the whole write,
    and nothing more. The savepoint has one fixed name (SQLite finds the innermost of that
    name), so its statements are prepared once per connection, not once per write.
    """
    conn = db.conn
    conn.execute("SAVEPOINT archive_write")
    _OPEN_SAVEPOINT.add(db)
    try:
        yield db
    except BaseException:
        # an error such as a full disk can end the whole transaction, savepoints included
        if conn.in_transaction:
            conn.execute("ROLLBACK TO archive_write")
            conn.execute("RELEASE archive_write")
        raise
    else:
        conn.execute("RELEASE archive_write")
    finally:
        _OPEN_SAVEPOINT.discard(db)


def release_free_pages(db: sqlite_utils.Database) -> int:
    """Give the archive's free pages back to the file system; how many there were.

    Writing leaves pages free inside the file (the full-text index's segment merges free a few
    dozen in a crawl of a few hundred articles: 4% of a small archive's file), and SQLite keeps
    them for later writes. An archive created with ``auto_vacuum = INCREMENTAL`` (every archive
    :func:`open_archive` creates) gives them back here, at the end of each run, moving only the
    pages that follow them. An older archive (made before) keeps them for reuse: turning the
    mode on would need a ``VACUUM`` of the whole file. Outside any transaction only.
    """
    conn = db.conn
    try:
        if conn.in_transaction or conn.execute("PRAGMA auto_vacuum").fetchone()[0] != 2:
            return 0
        free = int(conn.execute("PRAGMA freelist_count").fetchone()[0])
        if free:
            # through sqlite3_exec: a cursor would step the pragma once, freeing a single page
            conn.executescript("PRAGMA incremental_vacuum;")
    except sqlite3.Error as exc:  # e.g. a full disk: the pages stay free, for later writes
        logger.warning("could not give the archive's free pages back: %s", exc)
        return 0
    return free


@contextlib.contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One atomic write: ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception.

    IMMEDIATE takes the write lock up front (waiting up to the busy timeout), so a transaction
    never fails half-way with "database is locked" when it upgrades from read to write.
    Nested use becomes a savepoint inside the outer transaction.
    """
    if db.conn.in_transaction:
        if db in _OPEN_SAVEPOINT:  # the enclosing write's savepoint is this one's
            _OPEN_SAVEPOINT.discard(db)
            yield db
            return
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
