"""A page that redirects to itself (crawler.cookiecheck).

A CDN's cookie check answers a client without its cookie with a 302 to the very URL asked for,
setting the cookie (en.qdnd.vn, 2026-10-06). The crawl keeps no cookies: it went round the
redirect to Scrapy's limit, and the duplicate filter dropped a listing's redirect without a
word, so a site behind the check ended ``ok``, exit 0, with nothing archived. Now the cookie a
page sets while redirecting to itself goes back to its host, and a page that redirects to
itself anyway is a recorded failure.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from replica.testing import running_mst_replica

from .support import ARTICLE_TEXTS as TEXTS
from .support import crawl, query, serving

pytestmark = pytest.mark.e2e

QUIET = ("-s", "ARCHIVE_FETCH_FILES=0")


def test_a_site_behind_a_cookie_check_is_archived_whole(tmp_path: Path) -> None:
    control, db = tmp_path / "control.db", tmp_path / "a.db"
    with running_mst_replica(articles=12, seed=7) as rep:
        assert crawl(rep.base_url, control, *QUIET).returncode == 0
    with running_mst_replica(articles=12, seed=7, faults={"cookie_check": True}) as rep:
        run = crawl(rep.base_url, db, *QUIET)
        log = rep.requests()
    assert run.returncode == 0, run.stderr[-3000:]
    assert dict(query(db, TEXTS)) == dict(query(control, TEXTS))
    checked = [e for e in log if e["fault"] == "cookie_check"]
    # the check costs the first request of the host (robots.txt) and nothing after it
    assert [e["path"] for e in checked] == ["/robots.txt"], [e["path"] for e in checked]
    assert all("muid_mly=" in e["headers"].get("Cookie", "") for e in log[1:])
    assert "cookie check" in run.stderr


class _SelfRedirect(BaseHTTPRequestHandler):
    cookie = ""  # a Set-Cookie to send with every redirect, or none

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("Location", f"http://{self.headers['Host']}{self.path}")
        if self.cookie:
            self.send_header("Set-Cookie", self.cookie)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("cookie", "why"),
    [("", "setting no cookie"), ("k=v; Path=/", "even with the cookie it set")],
    ids=["no-cookie", "cookie-that-does-not-help"],
)
def test_a_site_whose_pages_redirect_to_themselves_is_no_ok_run(
    tmp_path: Path, cookie: str, why: str
) -> None:
    db = tmp_path / "a.db"
    with serving(type("Handler", (_SelfRedirect,), {"cookie": cookie})) as base:
        run = crawl(base, db, *QUIET)
    assert run.returncode == 1, run.stderr[-3000:]
    assert query(db, "SELECT outcome FROM runs") == [("partial",)]
    reasons = [r for (r,) in query(db, "SELECT reason FROM fetch_errors")]
    assert reasons and all("redirects to itself" in r and why in r for r in reasons), reasons
