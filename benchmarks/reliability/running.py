"""Running things for the reliability runs: the crawl in a subprocess and a trap server.

Every crawl here gets ``--delay 0``, a short download timeout and no retry backoff, so a fault
costs seconds, not minutes; the Retry-After a server asks is still honoured (capped at 2 s).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[2]
MOST_ARCHIVE = Path(sys.executable).parent / "most-archive"
TIMEOUT = 2.0  # DOWNLOAD_TIMEOUT of every crawl here (seconds)
BASE_SETTINGS = {
    "DOWNLOAD_TIMEOUT": TIMEOUT,
    "ARCHIVE_RETRY_MAX_WAIT": 2,
    "ARCHIVE_RETRY_BACKOFF": 0,
}


@dataclass
class Run:
    returncode: int
    seconds: float
    stderr: str


def site_settings(replica: Any) -> dict[str, Any]:
    """The crawl settings a replica needs: the mst replica's media host (on loopback, another
    port) is the site's own media host, as mic.mediacdn.vn is the real site's."""
    from urllib.parse import urlsplit

    media = getattr(replica, "media_url", None)
    return {"ARCHIVE_MEDIA_HOSTS": urlsplit(media).hostname} if media else {}


def crawl_args(
    site: str, db: Path, settings: dict[str, Any] | None = None, *extra: str
) -> list[str]:
    args = [str(MOST_ARCHIVE), "crawl", "--site", site, "--db", str(db), "--delay", "0"]
    for name, value in {**BASE_SETTINGS, **(settings or {})}.items():
        args += ["-s", f"{name}={value}"]
    return args + list(extra)


def env() -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if k != "MOST_ARCHIVE_DB"},
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }


class Runner(Protocol):
    """Runs a command line to its end, output captured as text: ``subprocess.run``'s shape."""

    def __call__(
        self, argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str]: ...


def exec_command(
    argv: list[str], *, cwd: Path, env: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """The command started from scratch (``subprocess.run``)."""
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


# How :func:`crawl` runs a crawl to its end. ``make reliability`` starts each one from scratch;
# the test suite swaps in ``tests.forked.run`` (the same command, its entry point called in a
# child forked from a warm interpreter, without 0.4 s of imports per crawl): tests/conftest.py.
runner: Runner = exec_command


def crawl(
    site: str, db: Path, settings: dict[str, Any] | None = None, *extra: str, timeout: float = 300
) -> Run:
    started = time.monotonic()
    done = runner(crawl_args(site, db, settings, *extra), cwd=db.parent, env=env(), timeout=timeout)
    return Run(done.returncode, time.monotonic() - started, done.stderr)


class _Trap(BaseHTTPRequestHandler):
    hits: list[str]

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(418)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_HEAD = do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass


# Images and attachments are page requisites, fetched from whichever host serves them (issue 11):
# a trap may see those; a page (anything else) must never be asked of it.
REQUISITE_SUFFIXES = (
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".svg",
    ".bmp",
    ".pdf",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
    ".zip",
    ".rar",
)


def page_hits(paths: Iterable[str]) -> list[str]:
    """The hits of a trap that are neither requisites (images, attachments) nor robots.txt."""
    return [
        p
        for p in paths
        if not p.split("?", 1)[0].lower().endswith((*REQUISITE_SUFFIXES, "/robots.txt"))
    ]


@contextmanager
def trap_server() -> Iterator[tuple[str, list[str]]]:
    """A server that must never be requested: ``(base_url, hits)``."""
    hits: list[str] = []
    handler = type("Trap", (_Trap,), {"hits": hits})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()
