"""Readers during a crawl: searches, ``most-archive serve`` and ``most-archive backup``.

While a real crawl writes (a replica with a little latency so it lasts some seconds), readers
hammer the archive: ``archive.queries.search`` in-process, ``most-archive search`` in
subprocesses, the JSON API of a running ``most-archive serve``, and ``most-archive backup``.
None may see "database is locked", and none may see a half-written article: every article a
reader sees has exactly the image and attachment rows of its current revision (they are written
in one transaction). Each backup passes ``integrity_check`` and holds whole articles only.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from benchmarks import reliability as rel

from .support import MOST_ARCHIVE, cli, start_server

# One statement, so one read snapshot: each article with its image/attachment row counts and the
# counts its current revision says it has.
WHOLE_ARTICLES = (
    "select a.site_id, "
    "(select count(*) from images i where i.site_id = a.site_id) as images, "
    "json_array_length(r.images_json) as images_saved, "
    "(select count(*) from attachments t where t.site_id = a.site_id) as attachments, "
    "json_array_length(r.attachments_json) as attachments_saved "
    "from articles a join revisions r on r.site_id = a.site_id and r.revision = a.revision"
)


class Readers:
    """Collects what the readers saw: counts of reads, of partial archives seen, and failures."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reads: dict[str, int] = {}
        self.sizes: set[int] = set()
        self.failures: list[str] = []

    def saw(self, who: str, articles: list[dict[str, Any]]) -> None:
        half = [
            a
            for a in articles
            if (a["images"], a["attachments"]) != (a["images_saved"], a["attachments_saved"])
        ]
        with self.lock:
            self.reads[who] = self.reads.get(who, 0) + 1
            self.sizes.add(len(articles))
            if half:
                self.failures.append(f"{who} saw half-written articles: {half[:3]}")

    def fail(self, who: str, what: str) -> None:
        with self.lock:
            self.failures.append(f"{who}: {what}")


def _in_process(db: Path, readers: Readers, stop: threading.Event) -> None:
    from archive.db import open_archive
    from archive.queries import search
    from archive.search import parse_query

    while not stop.is_set():
        try:
            conn = open_archive(db, readonly=True)
            try:
                rows = [dict(r) for r in conn.query(WHOLE_ARTICLES)]
                search(conn, parse_query("khoa học"), limit=50)
                search(conn, parse_query("cong nghe OR dien"), limit=50)
            finally:
                conn.conn.close()
            readers.saw("queries", rows)
        except sqlite3.Error as exc:
            readers.fail("queries", repr(exc))
        time.sleep(0.02)


def _cli_search(db: Path, readers: Readers, stop: threading.Event) -> None:
    while not stop.is_set():
        done = cli("search", "khoa", "--json", "--limit", "5", db=db)
        if done.returncode != 0 or "locked" in done.stderr.lower():
            readers.fail("most-archive search", f"exit {done.returncode}: {done.stderr[-300:]}")
        else:
            json.loads(done.stdout)
            with readers.lock:
                readers.reads["most-archive search"] = (
                    readers.reads.get("most-archive search", 0) + 1
                )


def _serve(base: str, readers: Readers, stop: threading.Event) -> None:
    sql = urllib.parse.quote(WHOLE_ARTICLES)
    urls = [
        f"{base}/archive.json?sql={sql}&_shape=array",
        f"{base}/archive/articles.json?_shape=array&_size=20",
        f"{base}/archive/search.json?q=khoa&_shape=array",
    ]
    while not stop.is_set():
        for url in urls:
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    body = response.read().decode("utf-8")
            except urllib.error.HTTPError as exc:
                readers.fail("serve", f"{url.split('?')[0]}: HTTP {exc.code} {exc.read()[:300]!r}")
                continue
            except OSError as exc:
                readers.fail("serve", f"{url.split('?')[0]}: {exc!r}")
                continue
            if "locked" in body.lower():
                readers.fail("serve", f"{url.split('?')[0]}: {body[:300]}")
            elif "sql=" in url:
                readers.saw("serve", json.loads(body))


def _backups(db: Path, out: Path, readers: Readers, stop: threading.Event) -> None:
    n = 0
    while not stop.is_set():
        n += 1
        dest = out / f"backup-{n}.db"
        done = cli("backup", str(dest), db=db)
        if done.returncode != 0:
            readers.fail("backup", f"exit {done.returncode}: {done.stderr[-300:]}")
            continue
        broken = rel.problems(dest, files=False, live=True)
        if broken:
            readers.fail("backup", f"{dest.name}: {broken}")
        conn = sqlite3.connect(dest)
        try:
            readers.saw(
                "backup",
                [
                    dict(
                        zip(
                            (
                                "site_id",
                                "images",
                                "images_saved",
                                "attachments",
                                "attachments_saved",
                            ),
                            r,
                            strict=True,
                        )
                    )
                    for r in conn.execute(WHOLE_ARTICLES)
                ],
            )
        finally:
            conn.close()
        time.sleep(0.3)


def _wait_for_schema(db: Path, crawl: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and crawl.poll() is None:
        if db.exists():
            conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                if conn.execute(
                    "select 1 from sqlite_master where name = 'articles_fts'"
                ).fetchone():
                    return
            except sqlite3.Error:
                pass
            finally:
                conn.close()
        time.sleep(0.05)


def _start_serve(db: Path) -> tuple[subprocess.Popen[str], str]:
    proc, base = start_server([str(MOST_ARCHIVE), "serve", "--db", str(db), "--port", "0"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"serve exited {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/-/versions.json", timeout=5):
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("serve did not answer within 60 s")


@pytest.mark.e2e
def test_readers_during_a_crawl(tmp_path: Path) -> None:
    from replica.testing import running_replica

    db = tmp_path / "archive.db"
    readers = Readers()
    stop = threading.Event()
    with (
        rel.trap_server() as (trap, hits),
        running_replica(
            # half the articles of before, answers twice as slow: as long a crawl, less CPU
            articles=20,
            seed=5,
            offsite_base=trap,
            faults={"latency_ms": 50},
        ) as replica,
    ):
        crawl = subprocess.Popen(
            rel.crawl_args(replica.base_url, db),
            cwd=tmp_path,
            env=rel.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for_schema(db, crawl)
        serve, base = _start_serve(db)
        threads = [
            threading.Thread(target=_in_process, args=(db, readers, stop)),
            threading.Thread(target=_cli_search, args=(db, readers, stop)),
            threading.Thread(target=_serve, args=(base, readers, stop)),
            threading.Thread(target=_backups, args=(db, tmp_path, readers, stop)),
        ]
        for t in threads:
            t.start()
        try:
            _, err = crawl.communicate(timeout=240)
        finally:
            stop.set()
            for t in threads:
                t.join(timeout=120)
            serve.terminate()
            serve.wait(timeout=10)
        total = len(replica.site.article_ids())
    print(
        f"\nreaders during a crawl: reads {readers.reads}; archive sizes seen "
        f"{sorted(readers.sizes)} of {total}; failures {len(readers.failures)}"
    )
    assert crawl.returncode == 0, err[-2000:]
    assert readers.failures == [], "\n".join(readers.failures[:10])
    assert all(readers.reads.get(k) for k in ("queries", "most-archive search", "serve", "backup"))
    partial = [n for n in readers.sizes if 0 < n < total]
    assert partial, "no reader ever saw the archive part-way: the reads did not overlap the writes"
    assert rel.page_hits(hits) == []  # images and attachments are requisites (issue 11)
