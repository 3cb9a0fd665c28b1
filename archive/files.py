"""The content-addressed folder of downloaded images and attachments, beside the database.

``archive.db`` → ``archive-files/ab/cd/<sha256><ext>``. A file's path is made only of its hash
and an extension from a fixed allow-list, so nothing in a URL (``../``, an absolute path,
``%2e%2e``, NUL, a 10,000-character name) can ever reach the file system. Writes are atomic:
a temporary file in the target folder, fsync, rename, fsync of the folder; a reader or a crash
sees either no file or the whole file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

# Content type (without parameters) → extension. The only extensions a stored file can have.
CONTENT_TYPE_EXTENSIONS: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/pjpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/x-icon": ".ico",
    "image/vnd.microsoft.icon": ".ico",
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.ms-excel": ".xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.ms-powerpoint": ".ppt",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/zip": ".zip",
    "application/x-zip-compressed": ".zip",
    "application/vnd.rar": ".rar",
    "application/x-rar-compressed": ".rar",
    "application/x-rar": ".rar",
    "text/plain": ".txt",
}
# URL suffixes accepted when the content type says nothing useful (e.g. octet-stream).
# SVG is deliberately absent: it can carry script; such files are stored as .bin.
ALLOWED_EXTENSIONS = frozenset(CONTENT_TYPE_EXTENSIONS.values()) | {".jpeg"}
DEFAULT_EXTENSION = ".bin"


@dataclass(frozen=True)
class FileRecord:
    """One row of the ``files`` table. ``path`` is relative to the files folder (POSIX form)."""

    url: str
    sha256: str
    path: str
    size: int
    content_type: str | None
    fetched_at: str


def files_dir_for(db_path: str | Path) -> Path:
    """The files folder of a database: ``/x/archive.db`` → ``/x/archive-files``.

    Beside the database file itself: a symlink ``/y/archive.db`` → ``/x/archive.db`` has the
    files folder ``/x/archive-files``, the same as the file it points to.
    """
    from archive.db import database_file

    p = database_file(db_path)
    return p.with_name(f"{p.stem}-files")


def extension_for(url: str, content_type: str | None) -> str:
    """A safe extension: from the content type if known, else the URL's suffix if allowed.

    Only ever returns a member of ``ALLOWED_EXTENSIONS`` or ``".bin"``; ``.jpeg`` becomes ``.jpg``.
    """
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if ctype in CONTENT_TYPE_EXTENSIONS:
        return CONTENT_TYPE_EXTENSIONS[ctype]
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return DEFAULT_EXTENSION
    suffix = PurePosixPath(path.rsplit("/", 1)[-1]).suffix.lower()
    if suffix in ALLOWED_EXTENSIONS:
        return ".jpg" if suffix == ".jpeg" else suffix
    return DEFAULT_EXTENSION


def relative_path(sha256: str, ext: str) -> str:
    """``ab/cd/abcd…<ext>`` for a hex sha256 and an allowed extension (ValueError otherwise)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    if ext != DEFAULT_EXTENSION and ext not in ALLOWED_EXTENSIONS:
        raise ValueError(f"extension not allowed: {ext!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{ext}"


def resolve(files_dir: str | Path, rel_path: str) -> Path:
    """The absolute path of a stored file; ValueError if ``rel_path`` would leave ``files_dir``.

    For readers (serve, export) handed a ``files.path`` value: checks it rather than trusting it.
    """
    if "\x00" in rel_path:
        raise ValueError("NUL in file path")
    root = Path(files_dir).resolve()
    target = (root / rel_path).resolve()
    if root != target and root not in target.parents:
        raise ValueError(f"path escapes the files folder: {rel_path!r}")
    return target


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


TEMP_PREFIX = ".tmp-"


def sweep_temporaries(files_dir: str | Path) -> int:
    """Delete the ``.tmp-*`` leftovers of writes killed before their rename; return how many.

    Only safe while no other process writes files: call it under the crawl lock.
    """
    root = Path(files_dir)
    if not root.is_dir():
        return 0
    removed = 0
    for leftover in root.glob(f"*/*/{TEMP_PREFIX}*"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
            removed += 1
    return removed


def write_blob(
    files_dir: str | Path, body: bytes, *, url: str, content_type: str | None
) -> tuple[str, str]:
    """Store ``body`` content-addressed under ``files_dir``; return ``(sha256, relative path)``.

    Idempotent: an existing file of the same hash and size is left as it is.
    """
    sha = hashlib.sha256(body).hexdigest()
    rel = relative_path(sha, extension_for(url, content_type))
    target = resolve(files_dir, rel)
    if target.is_file() and target.stat().st_size == len(body):
        return sha, rel
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)
    return sha, rel
