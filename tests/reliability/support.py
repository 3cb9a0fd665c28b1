"""What the reliability tests share: the crawl in a subprocess, small HTTP servers, page makers.

- :func:`crawl` runs the real ``most-archive crawl`` (the console script of this interpreter's
  environment, its entry point called in a child forked from a warm interpreter:
  :mod:`tests.forked`) and returns its exit code and output.
- :class:`PageServer` serves a fixed set of pages on 127.0.0.1 (a free port) from a thread and
  records every request: the hostile mini-site of the bad-input and security tests, and, with no
  pages at all, the *trap* at the replica's ``offsite_base`` that must never be hit.
- :func:`home_page`, :func:`listing_page`, :func:`article_page` write the site's markup
  (SITE.md §9) around whatever a test wants to put in it.

The archive checks (integrity, orphans, snapshots) live in ``benchmarks.reliability`` because the
crash loop uses them too.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests import forked

ROOT = Path(__file__).resolve().parents[2]
MOST_ARCHIVE = Path(sys.executable).parent / "most-archive"
# Settings every test crawl uses: no waiting between requests or before retries, a short
# download timeout (the timeout and drip faults), and a cap on any Retry-After the server asks.
FAST = (
    "-s",
    "DOWNLOAD_TIMEOUT=3",
    "-s",
    "ARCHIVE_RETRY_MAX_WAIT=2",
    "-s",
    "ARCHIVE_RETRY_BACKOFF=0",
)


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def __str__(self) -> str:
        tail = "\n".join(self.stderr.splitlines()[-25:])
        return f"exit {self.returncode} after {self.seconds:.1f} s; stderr tail:\n{tail}"


def crawl(site: str, db: Path, *extra: str, timeout: float = 240, fast: bool = True) -> CrawlResult:
    """`most-archive crawl --site SITE --db DB --delay 0 [FAST] EXTRA` in a child process
    (forked from a warm interpreter: :mod:`tests.forked`)."""
    args = [str(MOST_ARCHIVE), "crawl", "--site", site, "--db", str(db), "--delay", "0"]
    if fast:
        args += FAST
    args += list(extra)
    started = time.monotonic()
    done = forked.run(args, timeout=timeout, cwd=db.parent, env=clean_env())
    return CrawlResult(done.returncode, done.stdout, done.stderr, time.monotonic() - started)


def cli(
    *args: str, db: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``most-archive ARGS [--db DB]`` in a child process, output captured as text."""
    full = [str(MOST_ARCHIVE), *args] + (["--db", str(db)] if db is not None else [])
    return forked.run(full, timeout=timeout, env=clean_env())


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MOST_ARCHIVE_DB"}
    env["PYTHONUNBUFFERED"] = "1"
    env.setdefault("PYTHONWARNINGS", "ignore::DeprecationWarning")
    return env


_SERVING_URL = re.compile(r"(http://127\.0\.0\.1:\d+)")


def start_server(args: list[str], timeout: float = 60) -> tuple[subprocess.Popen[str], str]:
    """Start a server command given ``--port 0`` and return it with the URL it prints.

    Never a port picked in advance (another process could take it before the server binds it):
    the server binds port 0 itself and says where. Its output is read until then (stdout and
    stderr merged), and drained afterwards so the server never blocks on a full pipe.
    """
    proc = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=clean_env()
    )
    found: list[str] = []
    lines: list[str] = []
    ready = threading.Event()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            match = _SERVING_URL.search(line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    threading.Thread(target=pump, daemon=True).start()
    ready.wait(timeout)
    if not found:
        proc.kill()
        proc.wait()
        raise AssertionError(f"{args[1]} printed no URL (exit {proc.poll()}):\n{''.join(lines)}")
    return proc, found[0]


# --------------------------------------------------------------------------- a page server

Body = bytes | Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Page:
    """One route: status, headers and a body (bytes, or a function that writes the response)."""

    body: Body = b""
    status: int = 200
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "text/html; charset=utf-8"}
    )


def respond(
    handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str], body: bytes
) -> None:
    """Answer the request ``handler`` holds: the status, the headers (any Content-Length among
    them replaced by the body's own) and the body."""
    handler.send_response(status)
    for name, value in headers.items():
        if name.lower() != "content-length":
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    with contextlib.suppress(OSError):
        handler.wfile.write(body)


@dataclass
class Hit:
    method: str
    path: str
    host: str


class PageServer:
    """Serves ``pages`` (path with query → :class:`Page`) on ``127.0.0.1``; ``fallback`` (or a
    404) for any other path.

    ``hits`` lists every request received, in order. Use as a context manager.
    """

    def __init__(self, pages: dict[str, Page] | None = None, fallback: Page | None = None) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.fallback = fallback
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.hits.append(Hit("GET", self.path, self.headers.get("Host", "")))
                page = server.pages.get(self.path, server.fallback)
                if page is None:
                    page = Page(b"<html><body>Not found</body></html>", 404)
                if callable(page.body):
                    page.body(self)
                    return
                respond(self, page.status, page.headers, page.body)

            do_HEAD = do_GET

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def paths(self) -> list[str]:
        with self._lock:
            return [h.path for h in self.hits]


@contextlib.contextmanager
def trap() -> Iterator[PageServer]:
    """A server that must never be requested (put its URL where offsite links point)."""
    with PageServer() as server:
        yield server


# --------------------------------------------------------------------------- site markup

HOME = "/vn/Pages/Trangchu.aspx"
CATEGORY_ID = 493
LISTING = f"/vn/chuyen-muc/{CATEGORY_ID}/Tin-tong-hop.aspx"


def article_path(site_id: int) -> str:
    return f"/vn/tin-tuc/{site_id}/bai-viet-{site_id}.aspx"


def home_page() -> bytes:
    return (
        '<html><head><meta charset="utf-8"><title>Trang chủ</title></head><body>'
        f"<ul class='menu'><li><a href='{LISTING}'>Tin tổng hợp</a></li></ul>"
        "</body></html>"
    ).encode()


def listing_page(site_ids: list[int]) -> bytes:
    items = "".join(
        "<div class='listnews_item'>"
        f"<div class='listnews_item_title'><a href='{article_path(i)}'>Bài {i}</a></div>"
        "<div class='listnews_item_des'>Tóm tắt</div>"
        "<div class='listnews_item_date'><span>Ngày 07/12/2017&nbsp;&nbsp;</span></div></div>"
        for i in site_ids
    )
    return (
        '<html><head><meta charset="utf-8"><title>Tin tổng hợp</title></head><body>'
        "<div class='title_cate'>Tin tổng hợp</div>"
        f"<div id='ctl00_SPWebPartManager1_g_0623dffd_ctl00_pnListNews'>{items}</div>"
        "<div class='Paging'><span class='PagingInfo'>Trang 1/1</span>"
        "<select><option value='1' selected='selected'>1</option></select></div>"
        "</body></html>"
    ).encode()


def article_page(
    title: str,
    body_html: str,
    *,
    date: str = "Thứ Năm, 07/12/2017&nbsp;10:21",
    lead: str = "Tóm tắt của bài viết.",
) -> bytes:
    """An article page in the site's markup, with ``body_html`` as the body (not escaped)."""
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
        f"<title>{escape(title)}</title></head><body><form id='aspnetForm'>"
        "<ul class='UL_Link_Menu'><li class='Lv_1'><a href='/vn/Pages/Trangchu.aspx'>Trang chủ</a>"
        f"</li><li class='Lv_3'><a href='{LISTING}'>Tin tổng hợp</a></li></ul>"
        "<div class='Around_News_Detail'><div class='Around_News_Content'>"
        "<div id='ctl00_SPWebPartManager1_g_275cd07f_ctl00_pnHide'>"
        f"<div><span class='News_Time_Post'>{date}</span></div>"
        f"<div id='divArticleDescription3'><h1 class='News_Detail_Title'>{escape(title)}</h1></div>"
        f"<div id='divArticleDescription1'>{escape(lead)}</div></div>"
        "<div id='divArticleDescription2'>"
        "<div class='ExternalClass0123456789ABCDEF0123456789ABCDEF'>"
        f"{body_html}</div></div>"
        "<div id='ctl00_SPWebPartManager1_g_275cd07f_ctl00_pnNguontin'>"
        "<p><font>Nguồn: Trung tâm Truyền thông</font></p></div>"
        "</div></div></form></body></html>"
    ).encode()


def mini_site(articles: dict[int, Page]) -> dict[str, Page]:
    """Home → one listing → the given article pages (robots.txt, feeds: 404)."""
    pages = {
        HOME: Page(home_page()),
        "/": Page(b"", 302, {"Location": HOME, "Content-Type": "text/html"}),
        LISTING: Page(listing_page(sorted(articles))),
    }
    pages.update({article_path(i): page for i, page in articles.items()})
    return pages


# ------------------------------------------------------------------ the fault table's halves


def fault_kinds(scenario: Any) -> set[str]:
    """The replica's fault switches a scenario of ``benchmarks.reliability`` turns on."""
    switches = {**scenario.faults, **scenario.media_faults}
    return {k for k, v in switches.items() if k.endswith(("_rate", "_ms")) and v}


# The SharePoint fault table is run from two files, so that `--dist loadfile` can give each
# half a worker: test_faults.py the faults of the server and the connection (these kinds),
# test_faults_answers.py those of the answers themselves (bodies, types, redirects, statuses).
SERVER_KINDS = frozenset(
    {
        "error_rate",
        "friendly_500_rate",
        "reset_rate",
        "latency_ms",
        "latency_jitter_ms",
        "drip_rate",
    }
)


def is_server_fault(scenario: Any) -> bool:
    return bool(fault_kinds(scenario) & SERVER_KINDS)
