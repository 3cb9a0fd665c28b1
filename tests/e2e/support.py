"""Helpers of the end-to-end crawls: run the real command in a subprocess, read what it wrote."""

from __future__ import annotations

import datetime
import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from archive.db import open_archive
from archive.files import files_dir_for
from archive.runlog import record_error
from replica.testing import ReplicaHandle
from tests import forked

ROOT = Path(__file__).resolve().parents[2]
_VENV_BIN = ROOT / ".venv" / "bin" / "most-archive"
_BIN = _VENV_BIN if _VENV_BIN.exists() else Path(sys.executable).parent / "most-archive"
MOST_ARCHIVE = str(_BIN)
FAR_FUTURE = "2100-01-01T00:00:00+00:00"  # ARCHIVE_RECHECK_AT that makes every article due
# Retries at once (the crawl waits 1 s, 2 s, ... between the tries of a failed request): for
# a test whose retries are many and whose spacing is not what it checks.
NO_BACKOFF = ("-s", "ARCHIVE_RETRY_BACKOFF=0")


def month_later() -> str:
    """An ARCHIVE_RECHECK_AT 31 days from now: every article just crawled is due (no interval
    is longer than 30 days), and those older than about 100 days are still re-checked
    conditionally (their validators are trusted for three intervals; FAR_FUTURE is past that,
    so every re-check there asks for the whole page)."""
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=31)
    return later.replace(microsecond=0).isoformat()


# What an article says, per id, to compare two replicas' crawls (its image URLs name the media
# host, on another port in each replica).
ARTICLE_TEXTS = "SELECT site_id, json_array(title, lead, body, published_at, author) FROM articles"


def crawl_cmd(base_url: str, db: Path, *extra: str) -> list[str]:
    return [MOST_ARCHIVE, "crawl", "--site", base_url, "--db", str(db), "--delay", "0", *extra]


def crawl(
    base_url: str, db: Path, *extra: str, timeout: float = 300, fork: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``most-archive crawl`` to the end in a child process; the result carries its exit
    code and output. The child is forked from a warm interpreter (:mod:`tests.forked`), or
    started from scratch with ``fork=False``."""
    argv = crawl_cmd(base_url, db, *extra)
    if not fork:
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return forked.run(argv, timeout=timeout, cwd=ROOT)


def scrapy_crawl(
    db: Path,
    *settings: str,
    site: str | None = None,
    log_level: str = "INFO",
    env: dict[str, str] | None = None,
    timeout: float = 300,
    fork: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy crawl most`` from the repo root (``-a site=SITE`` when given, else the
    default set or ``ARCHIVE_SITES``), no delay, into ``db``; ``settings`` are more
    ``NAME=VALUE`` pairs for ``-s``. In a child forked as :func:`crawl`'s, or started from
    scratch (the ``scrapy`` console script) with ``fork=False``."""
    argv = [str(Path(sys.executable).parent / "scrapy"), "crawl", "most"]
    if site is not None:
        argv += ["-a", f"site={site}"]
    pairs = [
        f"ARCHIVE_DB={db}",
        "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=0",
        f"LOG_LEVEL={log_level}",
        *settings,
    ]
    for pair in pairs:
        argv += ["-s", pair]
    if not fork:
        return subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env
        )
    return forked.run(argv, timeout=timeout, cwd=ROOT, env=env)


def _cli(*args: str) -> bytes:
    """``most-archive ARGS`` in-process (click's CliRunner): the crawl is the subprocess that
    matters here; tests/archive/test_cli.py runs the readers as real subprocesses."""
    from click.testing import CliRunner

    from archive.cli import main

    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def export(db: Path) -> list[dict[str, Any]]:
    """The archive as ``most-archive export --format jsonl`` writes it, one dict per article."""
    out = _cli("export", "--db", str(db), "--format", "jsonl")
    return [json.loads(line) for line in out.decode("utf-8").splitlines() if line.strip()]


def show(db: Path, site_id: int) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(_cli("show", str(site_id), "--json", "--db", str(db)))
    return result


@dataclass
class Crawled:
    """A replica and the archive one real ``most-archive crawl`` made of it (the ``crawled``
    session fixture of tests/conftest.py). Read ``db``, never write it: take ``copy()``."""

    replica: ReplicaHandle
    db: Path
    result: subprocess.CompletedProcess[str]

    def copy(self, where: Path, *, files: bool = True) -> Path:
        """A writable copy of the archive in ``where`` (:func:`copy_archive`)."""
        return copy_archive(self.db, where, files=files)


def copy_archive(db: Path, where: Path, *, files: bool = True) -> Path:
    """A writable copy of the archive ``db`` in ``where``: the database, and its files folder
    unless ``files`` is false (a test that crawls on without fetching files)."""
    target = where / db.name
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(db) + suffix)
        if source.exists():
            shutil.copy2(source, Path(str(target) + suffix))
    folder = files_dir_for(db)
    if files and folder.exists():
        shutil.copytree(folder, files_dir_for(target))
    return target


def record_failed_article(db: Path, url: str, portal: str) -> None:
    """An article fetch that failed once, as a crawl of ``portal`` records it (HTTP 503)."""
    archive = open_archive(db)
    try:
        with archive.conn:
            record_error(
                archive,
                url=url,
                kind="article",
                status=503,
                reason="HTTP 503",
                run_id=None,
                portal=portal,
            )
    finally:
        archive.close()


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """A read-only look at the archive file (tests only; the product reads via archive/)."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return list(conn.execute(sql, params))
    finally:
        conn.close()


def _shared_mismatches(record: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    """Body, images, attachments and categories of an exported record against the truth."""
    bad = []
    if record.get("body") != "\n\n".join(truth["body"]):
        bad.append("body")
    if [(i["url"], i["caption"]) for i in record["images"]] != [
        (i["url"], i["caption"]) for i in truth["images"]
    ]:
        bad.append("images")
    if [(a["url"], a["title"]) for a in record["attachments"]] != [
        (a["url"], a["title"]) for a in truth["attachments"]
    ]:
        bad.append("attachments")
    if sorted(record.get("categories") or []) != sorted(truth["categories"]):
        bad.append("categories")
    return bad


def field_mismatches(record: dict[str, Any], truth: dict[str, Any], base_url: str) -> list[str]:
    """Fields of an exported record that differ from the replica's ground truth."""
    bad = [
        k
        for k in ("site_id", "url", "title", "lead", "published_at", "category", "source")
        if record.get(k) != truth[k]
    ]
    bad += _shared_mismatches(record, truth)
    # every image and attachment on the site's own host has its downloaded file
    for part in record["images"] + record["attachments"]:
        if part["url"].startswith(base_url + "/") and not part.get("path"):
            bad.append(f"file missing: {part['url']}")
    return bad


# The fields of an mst Article.to_dict() the contract's truth carries, besides the lists.
MST_SCALARS = ("site_id", "url", "title", "lead", "published_at", "category", "source", "author")


def mst_mismatches(record: dict[str, Any], truth: dict[str, Any]) -> list[str]:
    """The fields of an exported mst record that differ from the truth."""
    bad = [k for k in MST_SCALARS if k in record and record[k] != truth[k]]
    bad += _shared_mismatches(record, truth)
    if "tags" in record and record["tags"] != truth["tags"]:
        bad.append("tags")
    if record.get("parser") != "mst/1":
        bad.append("parser")
    if record.get("portal", "mst") != "mst":
        bad.append("portal")
    return bad


def compare_with_truth(records: list[dict[str, Any]], site: Any, base_url: str) -> dict[str, Any]:
    """Every article exactly once, every field equal: what is wrong (empty = all well)."""
    ids = [r["site_id"] for r in records]
    truth_ids = set(site.article_ids())
    problems: dict[str, Any] = {}
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        problems["duplicates"] = dupes
    missing = sorted(truth_ids - set(ids))
    if missing:
        problems["missing"] = missing
    extra = sorted(set(ids) - truth_ids)
    if extra:
        problems["extra"] = extra
    for record in records:
        if record["site_id"] in truth_ids:
            bad = field_mismatches(record, site.truth(record["site_id"]), base_url)
            if bad:
                problems.setdefault("fields", {})[record["site_id"]] = bad
    return problems


class _Trap(BaseHTTPRequestHandler):
    def _hit(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = _hit

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """``handler`` served on a free loopback port for the block: its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def trap_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on a free loopback port that records every hit: ``(base_url, hits)``."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trap)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
