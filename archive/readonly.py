"""Reading an archive that cannot be written: a read-only share, a disc, a folder of another user.

A reader opens the archive ``mode=ro``. In WAL mode even a reader needs the ``-shm`` file
beside the database (and creates it, and the ``-wal``, when they are missing), so on media
it cannot write SQLite answers "attempt to write a readonly database" or "unable to open
database file". Then, and only then, :func:`open_reader` opens the file ``immutable=1``:
SQLite reads the database file alone, without locks, without the WAL.

That is right only when the WAL holds nothing the database file lacks. A WAL left beside the
file (an archive copied while a crawl ran, or after a crash) can hold committed transactions
not yet copied back ("checkpointed") into the database: an immutable open would silently read
the archive as it was before them. :func:`unread_wal_frames` finds them: it walks the WAL's
frames the way SQLite's recovery does (header and frame salts and checksums, the last commit
frame) and compares the last committed version of each page with the database file, byte for
byte (or trusts the ``-shm`` index, when it belongs to this WAL and says everything was
checkpointed). An archive with such pages is refused with a message saying how to read it,
never read stale.
"""

from __future__ import annotations

import os
import sqlite3
import struct
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

__all__ = ["StaleWal", "open_reader", "unread_wal_frames", "upgrade_message", "writable"]

WAL_MAGIC = (0x377F0682, 0x377F0683)  # checksums little- / big-endian words
WAL_HEADER = 32
FRAME_HEADER = 24
SHM_MX_FRAME = 16  # WalIndexHdr.mxFrame, native byte order
SHM_SALT = 32  # WalIndexHdr.aSalt, the WAL header's bytes 16..24 as they are
SHM_IS_INIT = 12
SHM_BACKFILL = 96  # WalCkptInfo.nBackfill, native byte order
READ_ONLY_ERRORS = ("readonly", "read-only", "unable to open")


class StaleWal(sqlite3.DatabaseError):
    """The archive's WAL holds committed changes that a read-only open cannot read."""


def _checksum(data: bytes, big_endian: bool, s0: int, s1: int) -> tuple[int, int]:
    words = struct.unpack(f"{'>' if big_endian else '<'}{len(data) // 4}I", data)
    for i in range(0, len(words), 2):
        s0 = (s0 + words[i] + s1) & 0xFFFFFFFF
        s1 = (s1 + words[i + 1] + s0) & 0xFFFFFFFF
    return s0, s1


@dataclass
class _Committed:
    """What a WAL file holds: its salt, page size, last commit frame, and for each page the
    offset of its last committed version."""

    salt: bytes = b""
    page_size: int = 0
    last_commit: int = 0
    pages: dict[int, int] = field(default_factory=dict)


def _committed(wal: bytes) -> _Committed:
    """The committed content of a WAL file, walked as SQLite's recovery does (salts and
    checksums; frames after the last commit frame are not part of the database)."""
    found = _Committed()
    if len(wal) < WAL_HEADER:
        return found
    magic, _version, page_size, _seq, _s1, _s2, c0, c1 = struct.unpack(">8I", wal[:WAL_HEADER])
    if magic not in WAL_MAGIC or page_size < 512 or page_size & (page_size - 1):
        return found
    big = bool(magic & 1)
    s0, s1 = _checksum(wal[:24], big, 0, 0)
    if (s0, s1) != (c0, c1):
        return found
    found.salt, found.page_size = wal[16:24], page_size
    frame, pos = 0, WAL_HEADER
    pending: dict[int, int] = {}
    while pos + FRAME_HEADER + page_size <= len(wal):
        header = wal[pos : pos + FRAME_HEADER]
        if header[8:16] != found.salt:
            break
        s0, s1 = _checksum(header[:8], big, s0, s1)
        s0, s1 = _checksum(wal[pos + FRAME_HEADER : pos + FRAME_HEADER + page_size], big, s0, s1)
        if (s0, s1) != struct.unpack(">2I", header[16:24]):
            break
        frame += 1
        page, commit_size = struct.unpack(">2I", header[:8])
        pending[page] = pos + FRAME_HEADER
        if commit_size:  # a commit frame: what came before it is committed
            found.last_commit = frame
            found.pages.update(pending)
            pending.clear()
        pos += FRAME_HEADER + page_size
    return found


def _backfilled(shm_path: Path, salt: bytes) -> int:
    """How many WAL frames the ``-shm`` index says are already in the database file (0 when
    it is missing, unreadable or belongs to another WAL)."""
    try:
        shm = shm_path.read_bytes()[: SHM_BACKFILL + 4]
    except OSError:
        return 0
    if len(shm) < SHM_BACKFILL + 4 or not shm[SHM_IS_INIT] or shm[SHM_SALT : SHM_SALT + 8] != salt:
        return 0
    order = "<" if sys.byteorder == "little" else ">"
    mx_frame = struct.unpack(f"{order}I", shm[SHM_MX_FRAME : SHM_MX_FRAME + 4])[0]
    backfill = struct.unpack(f"{order}I", shm[SHM_BACKFILL : SHM_BACKFILL + 4])[0]
    return int(min(mx_frame, backfill))


def unread_wal_frames(db_path: Path) -> int:
    """How many pages the committed part of ``db_path``'s WAL holds that the database file
    does not (what an ``immutable=1`` open would not see); 0 when there is no WAL, when its
    ``-shm`` index says it is all checkpointed, or when every page's last committed version
    is already in the file, byte for byte."""
    wal_path = Path(f"{db_path}-wal")
    try:
        wal = wal_path.read_bytes()
    except FileNotFoundError:
        return 0
    found = _committed(wal)
    if (
        found.last_commit == 0
        or _backfilled(Path(f"{db_path}-shm"), found.salt) >= found.last_commit
    ):
        return 0
    size = found.page_size
    missed = 0
    with open(db_path, "rb") as db:
        for page, offset in found.pages.items():
            db.seek((page - 1) * size)
            if db.read(size) != wal[offset : offset + size]:
                missed += 1
    return missed


def writable(db_path: Path) -> bool:
    """Whether a writer could use the archive here: the file and its folder writable."""
    return os.access(db_path, os.W_OK) and os.access(db_path.parent, os.W_OK)


def upgrade_message(db_path: Path, steps: list[str]) -> str:
    """What a reader says about an archive of an earlier schema (readers never migrate): how
    to upgrade it in place, or, on media that cannot be written, a writable copy of it."""
    from archive.files import files_dir_for

    listed = ", ".join(steps)
    if writable(db_path):
        return (
            f"{db_path} was written by an earlier release of most-archive: upgrade it first "
            f"with `most-archive migrate --db {db_path}` (schema steps {listed}; nothing is "
            "lost, and the next crawl would do it too)"
        )
    name = db_path.name
    return (
        f"{db_path} was written by an earlier release of most-archive and cannot be "
        "upgraded where it is (the file or its folder cannot be written, and readers never "
        f"change an archive). Upgrade a writable copy: copy {name} and its files folder "
        f"({files_dir_for(db_path).name}/) to a writable place, then run `most-archive "
        f"migrate --db COPY/{name}` there and read the copy (schema steps {listed}; "
        "nothing is lost)"
    )


def file_uri(db_path: Path, query: str) -> str:
    """SQLite's ``file:`` URI of ``db_path`` (made absolute) with ``query`` (``mode=ro``…).

    The path's bytes are percent-encoded as they are on disk (``os.fsencode``), so a file whose
    name is not UTF-8 (Linux names are bytes) opens like any other.
    """
    return f"file:{quote(os.fsencode(db_path.resolve()))}?{query}"


def _connect(db_path: Path, query: str, timeout: float) -> sqlite3.Connection:
    uri = file_uri(db_path, query)
    return sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=timeout)


def open_reader(db_path: Path, timeout: float) -> tuple[sqlite3.Connection, bool]:
    """A read-only connection to the archive at ``db_path`` and whether it is ``immutable=1``
    (media that cannot be written, see the module's docstring) rather than ``mode=ro``.
    Raises :class:`StaleWal` rather than read an archive whose WAL holds changes, and
    ``sqlite3.Error`` for the rest."""
    conn = _connect(db_path, "mode=ro", timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # opens the WAL index
        return conn, False
    except sqlite3.OperationalError as exc:
        conn.close()
        if not any(e in str(exc).lower() for e in READ_ONLY_ERRORS):
            raise
    frames = unread_wal_frames(db_path)
    if frames:
        name = db_path.name
        raise StaleWal(
            f"{db_path} cannot be read here: its write-ahead log ({name}-wal) holds {frames} "
            f"page(s) of committed changes not yet in {name}, and SQLite cannot use that log "
            f"in a folder it cannot write. Copy {name}, {name}-wal and {name}-shm (if "
            "present) together to a writable folder and read the copy there (the first open "
            "folds the log in), or make this folder writable"
        )
    conn = _connect(db_path, "mode=ro&immutable=1", timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn, True
