"""archive.batch: many writes per transaction, each still all-or-nothing; the crawl's writer
thread (BatchWriter) reports a write done only once it is committed."""

from __future__ import annotations

import dataclasses
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from archive import store
from archive.batch import BatchWriter, WriteBatch
from archive.db import open_archive
from archive.queries import search
from crawler.items import Article, Image

ROOT = Path(__file__).resolve().parents[2]
T1 = "2026-01-01T00:00:00+00:00"


def article(site_id: int, title: str = "Điện lực miền Trung") -> Article:
    return Article(
        site_id=site_id,
        url=f"http://h/vn/tin-tuc/{site_id}/a.aspx",
        title=title,
        lead="Sapo",
        body=["Đoạn một.", f"Bài {site_id}."],
        body_html="<p>Đoạn một.</p>",
        published_at="2026-01-01T10:00:00+07:00",
        category=None,
        source=None,
        parser="t",
        images=[Image(f"http://h/{site_id}.jpg", "Ảnh toàn cảnh")],
    )


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)  # another connection: sees only what was committed
    try:
        if table.startswith("articles_fts"):  # the rows an FTS index holds: its docsize table
            table += "_docsize"
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def test_a_batch_commits_every_n_writes_and_at_close(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = open_archive(path)
    batch = WriteBatch(db, max_items=3, max_seconds=3600)
    for sid in (1, 2):
        batch.run(store.save_article, db, article(sid), page_id=None, fetched_at=T1)
    assert count(path, "articles") == 0  # not committed yet: other readers see nothing
    batch.run(store.save_article, db, article(3), page_id=None, fetched_at=T1)
    assert count(path, "articles") == 3 and batch.commits == 1
    batch.run(store.save_article, db, article(4), page_id=None, fetched_at=T1)
    batch.close()
    assert count(path, "articles") == 4
    # The full-text rows were written at commit: every article is found, once.
    assert sorted(h.site_id for h in search(db, "dien luc")) == [1, 2, 3, 4]
    assert count(path, "articles_fts") == count(path, "articles_fts_exact") == 4


def test_a_failing_write_undoes_only_itself(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    batch = WriteBatch(db, max_items=100, max_seconds=3600)
    batch.run(store.save_article, db, article(1), page_id=None, fetched_at=T1)
    bad: list[Any] = [(1, "c", None), ("not-a-number", "x", None)]
    with pytest.raises(sqlite3.IntegrityError):
        batch.run(
            store.save_article, db, article(2, "Khác"), page_id=None, fetched_at=T1, listed_in=bad
        )
    batch.run(store.save_article, db, article(1, "Thủy sản"), page_id=None, fetched_at=T1)
    batch.close()
    assert [r["site_id"] for r in db.query("SELECT site_id FROM articles")] == [1]
    assert [h.site_id for h in search(db, "thuy san")] == [1]
    assert search(db, "khac") == [] and search(db, "dien luc") == []  # old words deleted
    assert [r["revision"] for r in db.query("SELECT revision FROM revisions")] == [1, 2]


def test_a_rolled_back_batch_leaves_nothing(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    batch = WriteBatch(db, max_items=100, max_seconds=3600)
    batch.run(store.save_article, db, article(1), page_id=None, fetched_at=T1)
    batch.rollback()
    store.save_article(db, article(2), page_id=None, fetched_at=T1)  # outside any batch
    assert [h.site_id for h in search(db, "dien luc")] == [2]


# Writes articles 1.. in batches of 7, printing the committed count after each commit.
WRITER = """
import sys
from archive import store
from archive.batch import BatchWriter, WriteBatch
from archive.db import open_archive
from tests.archive.test_batch import article, T1
db = open_archive(sys.argv[1])
batch = WriteBatch(db, max_items=7, max_seconds=3600)
sid = 0
while True:
    sid += 1
    batch.run(store.save_article, db, article(sid), page_id=None, fetched_at=T1)
    if batch.items == 0:
        print(sid, flush=True)
"""


def test_sigkill_loses_at_most_the_open_batch(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    open_archive(path).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    committed = 0
    for _ in range(5):
        line = writer.stdout.readline()
        assert line, "writer stopped early"
        committed = int(line)
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    stored = count(path, "articles")
    # Whatever the writer got to before the kill: every committed batch whole, the open one
    # gone entirely (the count is a whole number of batches), nothing half-written.
    assert stored >= committed and stored % 7 == 0
    assert count(path, "articles_fts") == count(path, "articles_fts_exact") == stored
    assert count(path, "revisions") == count(path, "images") == stored


# --------------------------------------------------------------------------- BatchWriter


def _deadline_poll(check: Any, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def _save(db: Any, a: Article) -> str:
    return store.save_article(db, a, page_id=None, fetched_at=T1)


class Outcomes:
    """What each write's ``done`` reported, and what the writer said it lost."""

    def __init__(self) -> None:
        self.results: list[tuple[Any, BaseException | None]] = []
        self.lost: list[tuple[BaseException, int]] = []

    def done(self, result: Any, exc: BaseException | None) -> None:
        self.results.append((result, exc))

    def on_lost(self, exc: BaseException, writes: int) -> None:
        self.lost.append((exc, writes))


def test_an_idle_writer_commits_its_batch_without_being_closed(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = open_archive(path)
    seen = Outcomes()
    writer = BatchWriter(db, max_items=100, max_seconds=3600, idle_seconds=0.05)
    # The writer is held until the three writes are queued: a test thread descheduled for
    # longer than idle_seconds between two submits (a loaded machine) must not split them.
    gate = threading.Event()
    writer.submit(gate.wait, 10, done=lambda result, exc: None)
    for sid in (1, 2, 3):
        writer.submit(_save, db, article(sid), done=seen.done)
    gate.set()
    # No close: the writer commits by itself once no write has come for idle_seconds.
    _deadline_poll(lambda: writer.batch.commits > 0)
    assert count(path, "articles") == 3
    assert seen.results == [("new", None)] * 3
    assert writer.batch.commits == 1  # one transaction for the three
    assert count(path, "articles_fts") == 3
    assert writer.close(timeout=10)


def test_a_failed_commit_reports_every_write_it_lost(tmp_path: Path) -> None:
    """A disk that fills up (SQLITE_FULL: the database may not grow) loses the open batch:
    none of it is left half-written, the writer says how many writes went with it, and goes
    on with the next batch once there is room."""
    path = tmp_path / "a.db"
    db = open_archive(path)
    seen = Outcomes()
    writer = BatchWriter(db, max_items=100, max_seconds=3600, idle_seconds=3600, lost=seen.on_lost)

    def disk_full() -> None:  # the database may not grow past what it holds now
        pages = db.conn.execute("PRAGMA page_count").fetchone()[0]
        db.conn.execute(f"PRAGMA max_page_count = {pages}")

    def disk_freed() -> None:
        db.conn.execute("PRAGMA max_page_count = 1073741823")

    long = dataclasses.replace(article(3), body=[f"Đoạn {i} " * 400 for i in range(40)])
    for sid in (1, 2):
        writer.submit(_save, db, article(sid), done=seen.done)
    writer.submit(disk_full, done=seen.done)
    writer.submit(_save, db, long, done=seen.done)
    assert writer.close(timeout=10)
    assert seen.results[:3] == [("new", None), ("new", None), (None, None)]
    [(exc, writes)] = seen.lost
    assert isinstance(exc, sqlite3.OperationalError) and "full" in str(exc), exc
    assert writes == 3  # the batch's written writes (the long one failed on its own)
    assert count(path, "articles") == 0 and count(path, "articles_fts") == 0
    # the same connection writes again once the disk has room
    writer = BatchWriter(db, max_items=100, max_seconds=3600, idle_seconds=3600, lost=seen.on_lost)
    writer.submit(disk_freed, done=seen.done)
    writer.submit(_save, db, article(4), done=seen.done)
    assert writer.close(timeout=10)
    assert seen.results[-1] == ("new", None) and len(seen.lost) == 1
    assert count(path, "articles") == 1 and count(path, "articles_fts_exact") == 1


def test_abandon_commits_what_is_written_and_drops_what_is_queued(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = open_archive(path)
    seen = Outcomes()
    writer = BatchWriter(db, max_items=100, max_seconds=3600, idle_seconds=3600)
    started, release = threading.Event(), threading.Event()

    def slow_save(sid: int) -> str:
        started.set()
        release.wait(10)  # the write in progress when the process is told to end at once
        return store.save_article(db, article(sid), page_id=None, fetched_at=T1)

    writer.submit(_save, db, article(1), done=seen.done)
    writer.submit(slow_save, 2, done=seen.done)
    for sid in (3, 4):
        writer.submit(_save, db, article(sid), done=seen.done)
    assert started.wait(10)
    ended: list[bool] = []
    stopper = threading.Thread(target=lambda: ended.append(writer.abandon(timeout=10)))
    stopper.start()
    _deadline_poll(lambda: writer._abandon.is_set())
    release.set()
    stopper.join(10)
    assert ended == [True]
    # the two written articles are committed (another connection can write at once) ...
    assert count(path, "articles") == 2
    store.start_run(open_archive(path), site="http://h", mode="full")
    # ... the queued ones were never written, and said so
    assert [(r, type(e).__name__) for r, e in seen.results] == [
        ("new", "NoneType"),
        ("new", "NoneType"),
        (None, "WriteAbandoned"),
        (None, "WriteAbandoned"),
    ]


def test_a_batch_keeps_its_savepoint_journals_in_memory(tmp_path: Path) -> None:
    """A write's savepoint journal (every page the write changes) stays in memory instead of
    spilling to a temporary file past 64 KiB; a big write that fails is still undone whole."""
    db = open_archive(tmp_path / "a.db")
    batch = WriteBatch(db, max_items=100, max_seconds=3600)
    for sid in range(1, 41):
        batch.run(
            store.save_article, db, article(sid, "Điện lực " * 400), page_id=None, fetched_at=T1
        )
    batch.commit()
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY

    def rewrite_then_fail() -> None:  # changes far more than 64 KiB of existing pages
        db.execute("UPDATE articles SET title = title || title")
        raise RuntimeError("half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        batch.run(rewrite_then_fail)
    batch.run(store.save_article, db, article(41), page_id=None, fetched_at=T1)
    batch.close()
    titles = {r["title"] for r in db.query("SELECT title FROM articles WHERE site_id <= 40")}
    assert titles == {"Điện lực " * 400}
    assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 41
