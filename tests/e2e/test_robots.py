"""robots.txt (SITE.md §10.20): an error page means no rules; real rules are obeyed."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from replica.testing import running_mst_replica, running_replica

from .support import crawl, export, query

pytestmark = pytest.mark.e2e


def test_robots_error_page_with_status_200_means_no_rules(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with running_replica(articles=10, seed=11, robots="200") as rep:
        result = crawl(rep.base_url, db)
        served = rep.requests()
    assert result.returncode == 0, result.stderr[-3000:]
    assert any(r["path"] == "/robots.txt" and r["status"] == 200 for r in served)
    assert len(export(db)) == 10


@contextmanager
def robots_proxy(
    upstream: str, robots: bytes, status: int = 200
) -> Iterator[tuple[str, list[str]]]:
    """A loopback proxy of ``upstream`` that answers /robots.txt itself (with ``status``):
    ``(base_url, paths)``."""
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            paths.append(self.path)
            if self.path == "/robots.txt":
                code, headers, body = status, {"Content-Type": "text/plain"}, robots
            else:
                try:
                    with urllib.request.urlopen(upstream + self.path, timeout=30) as resp:
                        code, body = resp.status, resp.read()
                        headers = {"Content-Type": resp.headers.get("Content-Type", "")}
                except urllib.error.HTTPError as err:
                    code, body = err.code, err.read()
                    headers = {"Content-Type": err.headers.get("Content-Type", "")}
            # the replica's absolute links name its own port: make them name the proxy's
            body = body.replace(upstream_host, own_host)
            self.send_response(code)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    upstream_host = upstream.split("://", 1)[1].encode()
    own_host = f"127.0.0.1:{server.server_address[1]}".encode()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", paths
    finally:
        server.shutdown()
        server.server_close()


def test_robots_rules_are_obeyed(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    rules = (
        b"User-agent: *\nDisallow: /vn/chuyen-muc/493/\nDisallow: /Images/editor/files/\n"
        b"Crawl-delay: 0.01\n"
    )
    with (
        running_replica(articles=15, seed=12) as rep,
        robots_proxy(rep.base_url, rules) as (
            base,
            paths,
        ),
    ):
        result = crawl(base, db)
    assert result.returncode == 0, result.stderr[-3000:]
    assert paths[0] == "/robots.txt"
    assert not [p for p in paths if p.lower().startswith("/vn/chuyen-muc/493/")]
    assert not [p for p in paths if p.lower().startswith("/images/editor/files/")]
    assert [p for p in paths if p.lower().startswith("/vn/chuyen-muc/492/")], "nothing crawled"
    assert query(db, "SELECT count(*) FROM articles")[0][0] > 0
    assert "Crawl-delay 0.01 s: honoured" in result.stderr


def test_a_crawl_delay_beyond_reason_is_capped(tmp_path: Path) -> None:
    """``Crawl-delay: 1e308`` (a hostile or broken robots.txt) froze the crawl for good: its
    requests waited for ever, --max-duration could not end the run, nor a first SIGTERM. The
    delay is honoured up to ``ARCHIVE_MAX_CRAWL_DELAY`` (60 s; 0.05 s here), with a warning."""
    db = tmp_path / "archive.db"
    robots = b"User-agent: *\nCrawl-delay: 1e308\n"
    with (
        running_replica(articles=4, seed=12) as rep,
        robots_proxy(rep.base_url, robots) as (
            base,
            _,
        ),
    ):
        result = crawl(
            base,
            db,
            "-s",
            "ARCHIVE_FETCH_FILES=0",
            "-s",
            "ARCHIVE_MAX_CRAWL_DELAY=0.05",
            timeout=120,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Crawl-delay 1e+308 s" in result.stderr and "waiting 0.05 s" in result.stderr
    assert len(export(db)) == 4


@pytest.mark.parametrize("portal", ["most", "mst"])
def test_a_site_whose_robots_txt_forbids_everything_is_not_an_ok_run(
    tmp_path: Path, portal: str
) -> None:
    """A robots.txt that forbids the whole site (``Disallow: /``), as a site may put up for a
    while or by mistake: the crawl obeyed it, fetched nothing, and ended ``ok`` (exit 0), run
    after run, the archive frozen without a word. The rules are still obeyed, but the run says
    so: outcome ``forbidden``, exit 1, one clear line naming robots.txt."""
    db = tmp_path / "archive.db"
    start = (
        running_replica(articles=5, seed=13)
        if portal == "most"
        else running_mst_replica(articles=5, seed=13)
    )
    with start as rep, robots_proxy(rep.base_url, b"User-agent: *\nDisallow: /\n") as (base, paths):
        result = crawl(base, db)
    assert paths == ["/robots.txt"]  # nothing else asked for
    assert result.returncode == 1, result.stderr[-3000:]
    assert query(db, "SELECT outcome FROM runs") == [("forbidden",)]
    assert "robots.txt forbids" in result.stderr and "nothing was crawled" in result.stderr


@pytest.mark.parametrize("portal", ["most", "mst"])
def test_a_robots_txt_the_server_fails_to_give_fails_the_run(tmp_path: Path, portal: str) -> None:
    """robots.txt answered with a server error (503, retries spent) was read as "no rules": the
    crawl went on over the whole site, archived it and said ``ok`` (exit 0). RFC 9309 §2.3.1.4
    reads an unreachable robots.txt as complete disallow: nothing else is asked for. But the
    site did not forbid anything, it failed: what was refused is a recorded failure (the run
    ``partial``, exit 1, retried by the next run), never "forbidden" nor an obeyed rule, and
    the summary says robots.txt failed."""
    db = tmp_path / "archive.db"
    start = (
        running_replica(articles=5, seed=13)
        if portal == "most"
        else running_mst_replica(articles=5, seed=13)
    )
    with (
        start as rep,
        robots_proxy(rep.base_url, b"<h1>Service Unavailable</h1>", status=503) as (base, paths),
    ):
        result = crawl(base, db, "-s", "RETRY_TIMES=1", "-s", "ARCHIVE_RETRY_BACKOFF=0.01")
    assert paths == ["/robots.txt", "/robots.txt"]  # one retry, then nothing else asked for
    assert result.returncode == 1, result.stderr[-3000:]
    assert query(db, "SELECT outcome FROM runs") == [("partial",)]
    assert query(db, "SELECT count(*) FROM articles") == [(0,)]
    reasons = [r for (r,) in query(db, "SELECT reason FROM fetch_errors")]
    assert reasons and all("answered HTTP 503" in r and "RFC 9309" in r for r in reasons), reasons
    assert "robots.txt failed:  1" in result.stderr, result.stderr[-3000:]
    assert "answered HTTP 503" in result.stderr and "RFC 9309" in result.stderr
    assert "robots.txt forbids" not in result.stderr


def test_a_robots_txt_not_found_still_means_no_rules(tmp_path: Path) -> None:
    """The other side of the line: a 4xx robots.txt (RFC 9309 §2.3.1.3, "unavailable") is no
    rules, as on the SharePoint portal's 404 error page (SITE.md §10.20)."""
    db = tmp_path / "archive.db"
    with (
        running_replica(articles=3, seed=13) as rep,
        robots_proxy(rep.base_url, b"Not Found", status=410) as (base, _),
    ):
        result = crawl(base, db, "-s", "ARCHIVE_FETCH_FILES=0")
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(export(db)) == 3


def test_the_media_host_s_robots_txt_is_not_asked_for(tmp_path: Path) -> None:
    """mst's images and attachments come from a media host outside the site's family, fetched
    as the page shows them. Its robots.txt used to be asked for and dropped by the site guard,
    which logged 'dropped offsite request to …/robots.txt' and counted an offsite drop: a
    crawl that behaved as designed reading like one that went wrong. Now it is not asked for."""
    db = tmp_path / "archive.db"
    with running_mst_replica(articles=3, seed=13) as rep:
        result = crawl(rep.base_url, db)
        media = [r["path"] for r in rep.media_requests()]
    assert result.returncode == 0, result.stderr[-3000:]
    assert media and "/robots.txt" not in media
    assert query(db, "SELECT count(*) FROM files")[0][0] == len(media)
    assert "robots.txt" not in "\n".join(
        line for line in result.stderr.splitlines() if "offsite" in line
    ), result.stderr[-3000:]
    counts = query(db, "SELECT counts_json FROM runs")[0][0]
    assert '"offsite_dropped"' not in counts, counts
