"""One crawl per database: an exclusive ``flock`` on ``<db>.lock``.

``flock`` locks belong to the open file description, so the kernel drops the lock when the
holding process dies in any way (SIGKILL included): a stale lock file never blocks the next run.
The file holds the holder's pid as information only; the lock is the flock, not the file.
The lock file sits beside the database file itself (symlinks resolved), so every name of one
database (``a.db``, a symlink ``other/a.db``) takes the same lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class LockHeld(RuntimeError):
    """Another process holds the crawl lock of this database (``pid`` when it is known)."""

    def __init__(self, lock_path: Path, pid: int | None) -> None:
        holder = f" by pid {pid}" if pid else ""
        super().__init__(f"another crawl holds {lock_path}{holder}")
        self.lock_path = lock_path
        self.pid = pid


def lock_path_for(db_path: str | Path) -> Path:
    """``archive.db`` → ``archive.db.lock`` (beside the database file, symlinks resolved)."""
    from archive.db import database_file

    p = database_file(db_path)
    return p.with_name(p.name + ".lock")


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


@contextlib.contextmanager
def crawl_lock(db_path: str | Path) -> Iterator[Path]:
    """Hold the crawl lock of ``db_path`` for the ``with`` block; yields the lock file's path.

    Raises :class:`LockHeld` at once (never waits) when another process holds it, and
    :class:`archive.db.ArchiveUnusable` when ``db_path`` is not a regular file.
    Not re-entrant within one process through a second ``with`` (flock is per open file:
    a second open in the same process also raises ``LockHeld``).
    """
    from archive.db import check_archive_file

    check_archive_file(db_path)  # no lock file beside a device or a pipe (/dev/null.lock)
    path = lock_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(path, _read_pid(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
        try:
            yield path
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
