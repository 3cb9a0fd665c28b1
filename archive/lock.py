"""One crawl per database: an exclusive ``flock`` on ``<db>.lock``.

``flock`` locks belong to the open file description, so the kernel drops the lock when the
holding process dies in any way (SIGKILL included): a stale lock file never blocks the next run.
The file holds the holder's pid as information only, and its modification time says since
when the lock is held (both named when another process is refused); the lock is the flock,
not the file.
The lock file sits beside the database file itself (symlinks resolved), so every name of one
database (``a.db``, a symlink ``other/a.db``) takes the same lock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path


class LockHeld(RuntimeError):
    """Another process holds the crawl lock of this database (``pid`` when it is known, and
    ``since``, the time it took the lock, as a Unix time)."""

    def __init__(self, lock_path: Path, pid: int | None, since: float | None = None) -> None:
        holder = f" by pid {pid}" if pid else ""
        if since is not None:
            holder += f" since {held_since(since)}"
        super().__init__(f"another crawl holds {lock_path}{holder}")
        self.lock_path = lock_path
        self.pid = pid
        self.since = since


def held_since(since: float, now: float | None = None) -> str:
    """``2026-11-20 10:00 UTC (9 d 2 h ago)``: when a lock was taken and how long ago (a time
    still to come, from a clock set back since, without the age)."""
    when = dt.datetime.fromtimestamp(since, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    minutes = int(((time.time() if now is None else now) - since) // 60)
    if minutes < 0:
        return when
    days, hours = minutes // 1440, minutes // 60 % 24
    age = f"{days} d {hours} h" if days else f"{hours} h {minutes % 60} min" if hours else ""
    return f"{when} ({age or f'{minutes} min'} ago)"


def lock_path_for(db_path: str | Path) -> Path:
    """``archive.db`` → ``archive.db.lock`` (beside the database file, symlinks resolved)."""
    from archive.db import database_file

    p = database_file(db_path)
    return p.with_name(p.name + ".lock")


def _taken_at(path: Path) -> float | None:
    """When the holder took the lock: the lock file's modification time (its pid written)."""
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


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
    :class:`archive.db.ArchiveUnusable` when ``db_path`` is not a regular file, or evidently no
    archive (not SQLite, another application's database).
    Not re-entrant within one process through a second ``with`` (flock is per open file:
    a second open in the same process also raises ``LockHeld``).
    """
    from archive.db import check_archive_file, check_archive_header

    check_archive_file(db_path)  # no lock file beside a device or a pipe (/dev/null.lock)
    check_archive_header(db_path)  # nor beside a file that is no archive (/etc/passwd.lock)
    path = lock_path_for(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise LockHeld(path, _read_pid(path), _taken_at(path)) from None
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
