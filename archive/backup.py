"""A consistent copy of the archive while a crawl may be writing: SQLite's online backup API.

The copy is taken from a read-only connection in one step (``pages=-1``), i.e. inside a single
read transaction: it is the database exactly as of one commit, and in WAL mode it never blocks
the writer (nor does the writer block it). The copy is written to a temporary file beside
``dest``, checked with ``PRAGMA integrity_check``, switched to ``journal_mode=DELETE`` (one
self-contained file) and renamed onto ``dest``. The files folder (images, attachments) is not
copied: it is content-addressed and only ever grows, so ``rsync``/``cp -n`` of it after the
database copy is enough.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from archive.db import BUSY_TIMEOUT_MS, ArchiveMissing, check_archive_file
from archive.readonly import file_uri


class BackupError(RuntimeError):
    """The copy could not be made or failed its integrity check (``dest`` is left untouched)."""


@dataclass(frozen=True)
class BackupResult:
    dest: Path
    size: int  # bytes of the copy
    pages: int  # database pages copied
    articles: int  # rows of the articles table in the copy


def backup(db_path: str | Path, dest: str | Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the archive at ``db_path`` to ``dest`` consistently, even during a crawl.

    Raises :class:`ArchiveMissing` if there is no archive, :class:`FileExistsError` if ``dest``
    exists and ``overwrite`` is false, :class:`BackupError` if the copy fails its check.
    """
    src_path, named = Path(db_path), Path(dest)
    if not src_path.exists():
        raise ArchiveMissing(f"no archive at {src_path}")
    check_archive_file(src_path)  # a pipe would block the read-only open forever
    if named.exists() and not overwrite:
        raise FileExistsError(f"{named} exists (pass overwrite=True to replace it)")
    try:
        node: int | None = os.stat(named).st_mode  # through links
    except FileNotFoundError:
        node = None
    if node is not None and not stat.S_ISREG(node):
        # Renaming the copy over a pipe or a device would replace the node itself.
        raise BackupError(f"{named} is not a regular file")
    # A link is kept: the copy replaces the file it points to (a "latest.db" link).
    dest = Path(os.path.realpath(named)) if named.is_symlink() else named
    if dest.resolve() == src_path.resolve():
        raise BackupError("the backup destination is the archive itself")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    src = sqlite3.connect(file_uri(src_path, "mode=ro"), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        out = sqlite3.connect(tmp)
        try:
            src.backup(out, pages=-1)
            out.execute("PRAGMA journal_mode = DELETE")
            check = out.execute("PRAGMA integrity_check").fetchall()
            if check != [("ok",)]:
                raise BackupError(f"integrity check of the copy failed: {check[:5]}")
            pages = int(out.execute("PRAGMA page_count").fetchone()[0])
            has_articles = out.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
            ).fetchone()
            articles = (
                int(out.execute("SELECT count(*) FROM articles").fetchone()[0])
                if has_articles
                else 0
            )
        finally:
            out.close()
        # mkstemp made the copy private (0600): give it the archive's own permissions, so a
        # backup of an archive its group may read is readable by that group too.
        os.chmod(tmp, stat.S_IMODE(src_path.stat().st_mode))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    finally:
        src.close()
    return BackupResult(dest=named, size=dest.stat().st_size, pages=pages, articles=articles)
