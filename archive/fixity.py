"""Fixity: check that the archive is intact (``most-archive verify``).

Three checks, each reading only:

1. The database: ``PRAGMA integrity_check`` (every page, index and constraint SQLite knows).
2. Raw pages: every stored body decompresses, with the codec its row names, to bytes whose
   SHA-256 is the row's ``body_sha256``.
3. Files: every file a row refers to (``files``, and ``file_responses`` where the archive has
   it) exists in the files folder and hashes to its recorded SHA-256; every file in the folder
   that no row refers to is a *stray* (reported; a problem only with ``strict``).

A problem is a missing or corrupt file, a corrupt raw page or a damaged database. The report
is a plain dict (:meth:`Report.to_dict`, the ``--json`` form), the same for every archive.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive.files import TEMP_PREFIX, resolve
from archive.progress import Progress, Ticker

if TYPE_CHECKING:
    import sqlite_utils

# Tables whose rows name a stored file by its path (relative to the files folder) and digest.
FILE_TABLES = ("files", "file_responses")
PROGRESS_SECONDS = 2.0  # a progress line at most this often, so a short run prints none
CHUNK = 1 << 20


@dataclass
class Report:
    """What :func:`verify` found. Lists hold dicts ready for JSON."""

    database: list[str] = field(default_factory=list)  # integrity_check messages ([] = ok)
    pages_checked: int = 0
    corrupt_pages: list[dict[str, Any]] = field(default_factory=list)
    files_checked: int = 0
    missing_files: list[dict[str, Any]] = field(default_factory=list)
    corrupt_files: list[dict[str, Any]] = field(default_factory=list)
    stray_files: list[str] = field(default_factory=list)

    def problems(self, *, strict: bool = False) -> int:
        """How many problems make the check fail (strays count only when ``strict``)."""
        found = (
            len(self.database)
            + len(self.corrupt_pages)
            + len(self.missing_files)
            + len(self.corrupt_files)
        )
        return found + (len(self.stray_files) if strict else 0)

    def to_dict(self, *, strict: bool = False) -> dict[str, Any]:
        return {
            "ok": self.problems(strict=strict) == 0,
            "problems": self.problems(strict=strict),
            "strict": strict,
            "database": {"integrity_check": self.database or ["ok"], "ok": not self.database},
            "raw_pages": {"checked": self.pages_checked, "corrupt": self.corrupt_pages},
            "files": {
                "checked": self.files_checked,
                "missing": self.missing_files,
                "corrupt": self.corrupt_files,
                "stray": self.stray_files,
            },
        }


def verify(
    db: sqlite_utils.Database, files_dir: str | Path, *, progress: Progress | None = None
) -> Report:
    """Check the database, every raw page and every stored file; return the :class:`Report`.

    Reads only (a read-only connection is enough). ``progress`` gets a line now and then on a
    long run.
    """
    report = Report()
    tick = Ticker(progress, PROGRESS_SECONDS)
    report.database = integrity_messages(db)
    _check_pages(db, report, tick)
    _check_files(db, Path(files_dir), report, tick)
    return report


def integrity_messages(db: sqlite_utils.Database) -> list[str]:
    """``PRAGMA integrity_check``'s messages; ``[]`` when the database is intact."""
    try:
        rows = [str(r[0]) for r in db.execute("PRAGMA integrity_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        return [f"integrity_check failed: {exc}"]
    return [] if rows == ["ok"] else rows


def _pages(db: sqlite_utils.Database) -> Iterator[tuple[int, str, str | None, bytes, Any, Any]]:
    last = -1
    while True:
        rows = db.execute(
            "SELECT id, url, body_sha256, body, codec, dictionary_id FROM raw_pages "
            "WHERE id > ? AND body IS NOT NULL ORDER BY id LIMIT 200",
            [last],
        ).fetchall()
        if not rows:
            return
        for page_id, url, sha, body, codec, dictionary_id in rows:
            last = int(page_id)
            yield last, str(url), sha, bytes(body), codec, dictionary_id


def _decode_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [zlib.error, ValueError, LookupError]
    try:
        import zstandard
    except ImportError:  # pragma: no cover - an archive written before raw pages used it
        pass
    else:
        errors.append(zstandard.ZstdError)
    return tuple(errors)


def _check_pages(db: sqlite_utils.Database, report: Report, tick: Ticker) -> None:
    from archive.rawpages import decode  # the one reader of a stored body, whatever its codec

    total = db.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
    errors = _decode_errors()
    for page_id, url, sha, stored, codec, dictionary_id in _pages(db):
        report.pages_checked += 1
        try:
            body = decode(db, stored, codec, dictionary_id)
        except errors as exc:
            report.corrupt_pages.append(
                {"id": page_id, "url": url, "problem": f"does not decompress: {exc}"}
            )
            continue
        if sha and hashlib.sha256(body).hexdigest() != sha:
            report.corrupt_pages.append(
                {"id": page_id, "url": url, "problem": "body does not match body_sha256"}
            )
        tick(lambda: f"verify: {report.pages_checked}/{total} raw pages checked")


def _file_rows(db: sqlite_utils.Database) -> dict[str, tuple[str, int, str]]:
    """Every stored file a row refers to: path → (sha256, size, a URL of it)."""
    tables = set(db.table_names())
    wanted: dict[str, tuple[str, int, str]] = {}
    for table in FILE_TABLES:
        if table not in tables:
            continue
        for path, sha, size, url in db.execute(
            f"SELECT path, sha256, size, url FROM {table} ORDER BY rowid"
        ).fetchall():
            wanted.setdefault(str(path), (str(sha), int(size), str(url)))
    return wanted


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_files(db: sqlite_utils.Database, files_dir: Path, report: Report, tick: Ticker) -> None:
    wanted = _file_rows(db)
    total = len(wanted)
    for rel, (sha, size, url) in wanted.items():
        report.files_checked += 1
        entry = {"path": rel, "url": url, "sha256": sha}
        try:
            target = resolve(files_dir, rel)
        except ValueError as exc:
            report.corrupt_files.append({**entry, "problem": f"bad path: {exc}"})
            continue
        if not target.is_file():
            report.missing_files.append(entry)
            continue
        try:
            actual = _sha256_of(target)
        except OSError as exc:
            report.corrupt_files.append({**entry, "problem": f"unreadable: {exc}"})
            continue
        if actual != sha:
            report.corrupt_files.append(
                {
                    **entry,
                    "problem": f"sha256 is {actual}",
                    "size": target.stat().st_size,
                    "recorded_size": size,
                }
            )
        tick(lambda: f"verify: {report.files_checked}/{total} files checked")
    if files_dir.is_dir():
        for found in sorted(p for p in files_dir.rglob("*") if p.is_file()):
            rel = found.relative_to(files_dir).as_posix()
            if rel not in wanted:
                report.stray_files.append(rel)


def describe(report: Report, *, strict: bool = False) -> str:
    """The report as text for a terminal: a summary, then one line per problem."""
    lines: list[str] = []
    if report.database:
        lines.append("database damaged (PRAGMA integrity_check):")
        lines.extend(f"  {m}" for m in report.database)
    for page in report.corrupt_pages:
        lines.append(f"corrupt raw page {page['id']} ({page['url']}): {page['problem']}")
    for f in report.missing_files:
        lines.append(f"missing file {f['path']} ({f['url']})")
    for f in report.corrupt_files:
        lines.append(f"corrupt file {f['path']} ({f['url']}): {f['problem']}")
    for rel in report.stray_files:
        temp = " (a write a killed crawl left)" if Path(rel).name.startswith(TEMP_PREFIX) else ""
        lines.append(f"stray file {rel}: no row refers to it{temp}")
    n = report.problems(strict=strict)
    strays = len(report.stray_files)
    lines.append(
        f"{'OK' if n == 0 else 'FAILED'}: database {'damaged' if report.database else 'ok'}; "
        f"{report.pages_checked} raw pages checked, {len(report.corrupt_pages)} corrupt; "
        f"{report.files_checked} files checked, {len(report.missing_files)} missing, "
        f"{len(report.corrupt_files)} corrupt; {strays} stray"
        + ("" if strict or not strays else " (not a failure without --strict)")
    )
    return "\n".join(lines) + "\n"
