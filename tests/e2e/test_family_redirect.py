"""The legacy portal behind a redirect to another host of its family (issue 11).

``www.most.gov.vn`` answers every request with a 301 to ``most.mst.gov.vn``, which serves the
SharePoint replica; pages write their links with both hosts and with the bare ``most.gov.vn``.
The crawl is given ``http://www.most.gov.vn:PORT`` and must follow the redirect, go on at
``most.mst.gov.vn``, archive everything, say that it moved (log, run counts, ``stats``), and
fetch each article once, whatever host its links were written with.

The real host names resolve to 127.0.0.1 through a test-only resolver
(``tests/e2e/family_dns.py``, Scrapy's ``TWISTED_DNS_RESOLVER`` setting); a small front server
on one loopback port answers for both names (by the ``Host`` header) and hands the new host's
requests to the replica, writing the replica's own address in its answers as the family's
hosts. Requisites (images, attachments) are fetched from loopback only because the site itself
is on loopback (crawler/requisites.py); with an outside site they would be refused.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from crawler.requisites import refusal
from replica.site import Site
from replica.testing import running_replica

from . import support
from .support import ROOT, _cli, export, field_mismatches, query

pytestmark = pytest.mark.e2e

OLD, NEW, BARE = "www.most.gov.vn", "most.mst.gov.vn", "most.gov.vn"
ARTICLE = re.compile(r"/vn/tin-tuc/(\d+)/|[?&]IDNews=(\d+)", re.IGNORECASE)


@dataclass
class Front:
    """What the front server saw: ``(host, path)`` of every request, in order."""

    port: int
    hits: list[tuple[str, str]] = field(default_factory=list)


@contextmanager
def family_front(replica_url: str) -> Iterator[Front]:
    """``OLD:PORT`` → 301 to ``NEW:PORT``; ``NEW:PORT`` and ``BARE:PORT`` → the replica, its
    own address written as ``NEW`` (``www.`` forms as ``OLD``, ``https`` ones as ``BARE``)."""
    replica_netloc = replica_url.split("//", 1)[1]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            host = (self.headers.get("Host") or "").lower()
            name = host.rsplit(":", 1)[0]
            with lock:
                front.hits.append((name, self.path))
            if name == OLD:
                self._answer(301, {"Location": f"http://{NEW}:{front.port}{self.path}"}, b"")
            elif name in (NEW, BARE):
                self._forward()
            else:
                self._answer(421, {}, b"misdirected")

        do_HEAD = do_GET

        def _forward(self) -> None:
            conn = http.client.HTTPConnection(replica_netloc, timeout=30)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            conn.request(self.command, self.path, headers=headers)
            resp = conn.getresponse()
            body = rewrite(resp.read())
            out = {
                k: v
                for k, v in resp.getheaders()
                if k.lower() not in ("content-length", "connection", "transfer-encoding")
            }
            if "Location" in out:
                out["Location"] = rewrite(out["Location"].encode()).decode()
            conn.close()
            self._answer(resp.status, out, body)

        def _answer(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    def rewrite(data: bytes) -> bytes:
        port = front.port
        for old, new in (
            (f"www.{replica_netloc}", f"{OLD}:{port}"),
            (f"https://{replica_netloc}", f"https://{BARE}:{port}"),
            (replica_netloc, f"{NEW}:{port}"),
        ):
            data = data.replace(old.encode(), new.encode())
        return data

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    front = Front(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield front
    finally:
        server.shutdown()
        server.server_close()


def scrapy_crawl(site: str, db: Path) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl most -a site=SITE`` with the family's names resolved onto loopback."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    env.pop("MOST_ARCHIVE_DB", None)
    return support.scrapy_crawl(
        db, "TWISTED_DNS_RESOLVER=tests.e2e.family_dns.FamilyResolver", site=site, env=env
    )


def through(port: int, path: str) -> bytes:
    """A page as the front server serves it on the new host."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Host": f"{NEW}:{port}"})
        return conn.getresponse().read()
    finally:
        conn.close()


def test_the_legacy_portal_behind_a_family_redirect_is_archived_whole(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with running_replica(articles=30, seed=5) as rep, family_front(rep.base_url) as front:
        done = scrapy_crawl(f"http://{OLD}:{front.port}", db)
        served = [r["path"] for r in rep.requests()]
        pages = b"".join(through(front.port, p) for p in sorted(set(served)) if "/tin-tuc/" in p)
        # the truth of the same site as served from the new host
        moved = Site(30, 5, 0, f"http://{NEW}:{front.port}", rep.site.hosts.offsite_base)
        truth = {i: moved.truth(i) for i in moved.article_ids()}
    assert done.returncode == 0, done.stderr[-3000:]
    log = done.stderr
    # the crawl moved host, and says so
    assert "a host of the same portal: the crawl goes on" in log, log[-3000:]
    assert "'archive/moved_within_family': 1" in log, log[-3000:]
    [(site, counts_json)] = query(db, "SELECT site, counts_json FROM runs")
    assert site == f"http://{OLD}:{front.port}"  # the run is the site's as given
    assert site == f"http://{OLD}:{front.port}"
    counts = json.loads(counts_json)
    assert counts["site_served"] == f"http://{NEW}:{front.port}", counts
    assert counts["moved_within_family"] == 1, counts
    [last] = json.loads(_cli("stats", "--json", "--db", str(db)))["runs"]
    assert (last["site"], last["site_served"]) == (site, counts["site_served"]), last
    said = f"was served by http://{NEW}:{front.port}"
    assert said in _cli("stats", "--db", str(db)).decode(), "`stats` does not say it moved"
    # only the root was asked of the old host; everything else of the new one
    old_paths = [p for host, p in front.hits if host == OLD]
    assert old_paths and set(old_paths) <= {"/", "/robots.txt"}, old_paths
    # everything archived, once, with its content
    records = export(db)
    assert sorted(r["site_id"] for r in records) == sorted(truth)
    new_base = f"http://{NEW}:{front.port}"
    # an image or attachment written with an alias host is archived as written (the parsers
    # keep offsite-looking requisite URLs), and fetched from the site: compare on the new host
    for r in records:
        for part in r["images"] + r["attachments"]:
            part["url"] = re.sub(rf"^https?://[^/]*:{front.port}", new_base, part["url"])
    wrong = {r["site_id"]: field_mismatches(r, truth[r["site_id"]], new_base) for r in records}
    assert {k: v for k, v in wrong.items() if v} == {}
    # the requisites came from loopback only because the site is there: for a site on the web,
    # the same files on a loopback address would be refused (crawler/requisites.py)
    assert refusal(f"{new_base}/Images/x.jpg", ["127.0.0.1"], site_internal=False)
    assert refusal(f"{new_base}/Images/x.jpg", ["127.0.0.1"], site_internal=True) is None
    files = Counter(p for p in served if p.startswith(("/Images/", "/Lists/", "/Upload")))
    assert files and max(files.values()) == 1, files.most_common(3)
    assert query(db, "SELECT count(*) FROM revisions") == [(len(truth),)]
    assert query(db, "SELECT count(*) FROM files")[0][0] > 0
    # pages link articles with the old host, the bare one and the new one: one request each
    for alias in (
        f"http://{OLD}:{front.port}/vn/tin-tuc/",
        f"https://{BARE}:{front.port}/vn/tin-tuc/",
    ):
        assert alias.encode() in pages, f"no article linked as {alias}…: the test proves nothing"
    per_article = Counter(int(m.group(1) or m.group(2)) for p in served if (m := ARTICLE.search(p)))
    assert set(per_article) == set(truth)
    assert [i for i, n in per_article.items() if n != 1] == [], per_article


def test_most_archive_crawl_applies_the_process_settings_it_is_given(tmp_path: Path) -> None:
    """``-s`` reaches the settings Scrapy reads once for the whole process (the DNS resolver,
    its timeout, the reactor's thread pool), not only each site's crawler: here the resolver
    that puts the family's names on loopback. Before, ``most-archive crawl`` built the process
    from the project's settings alone, and the real names did not resolve."""
    db = tmp_path / "archive.db"
    with running_replica(articles=10, seed=5) as rep, family_front(rep.base_url) as front:
        done = support.crawl(
            f"http://{OLD}:{front.port}",
            db,
            "-s",
            "TWISTED_DNS_RESOLVER=tests.e2e.family_dns.FamilyResolver",
            "-s",
            "ARCHIVE_FETCH_FILES=False",
        )
        served = [r["path"] for r in rep.requests()]
    assert done.returncode == 0, done.stderr[-3000:]
    assert {host for host, _ in front.hits} >= {OLD, NEW}
    assert any("/tin-tuc/" in p for p in served)
    assert query(db, "SELECT count(*) FROM articles")[0][0] == 10
