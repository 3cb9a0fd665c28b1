"""Several writes in one transaction: how a crawl stores what it fetches.

A commit is the dearest part of storing an article: SQLite writes every page the
transaction touched, and FTS5 writes a new index segment (and now and then merges them).
:class:`WriteBatch` runs many writes (``store.save_page``, ``store.save_article``, …) inside
one ``BEGIN IMMEDIATE`` … ``COMMIT``. :class:`BatchWriter` is the thread that does every
write of a crawl through one: the crawl's pipeline hands it each item, and it commits after
:data:`~archive.defaults.BATCH_ITEMS` writes, :data:`~archive.defaults.BATCH_SECONDS` after
the batch opened, as soon as no write has come for
:data:`~archive.defaults.BATCH_IDLE_SECONDS` (a slow crawl commits each article almost at
once), and when it is closed. A write is reported done when it has run (the crawl goes on);
a commit that fails is reported apart, with the number of writes it lost.

Each write still runs in its own savepoint, so one that fails undoes only itself; the
savepoint's journal stays in memory (:func:`_journal_in_memory`). The
full-text rows are written at commit time, all at once (:func:`defer_fts`): a savepoint
flushes FTS5's pending index data, which would cost a segment per article again. A category
upserted once in a batch is not upserted again in it (:func:`category_known`).

What a kill loses, and why nothing is lost for good: a ``kill -9`` takes the open batch with
it (at most :data:`~archive.defaults.BATCH_ITEMS` writes, :data:`~archive.defaults.BATCH_SECONDS`
of crawling). Every record that says something was done (an article stored, a fetch error
resolved, a run finished, the walk's frontier) is a write of the same connection, in the
order the crawl made them, so it is committed with what it depends on or not at all:
the next crawl reads the archive to know what it has, finds those articles (and their files)
missing and fetches them again. A file written to the files folder whose row was lost is
written again, to the same content-addressed path.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from archive.db import write_savepoint
from archive.defaults import BATCH_IDLE_SECONDS, BATCH_ITEMS, BATCH_SECONDS

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "BATCH_IDLE_SECONDS",
    "BATCH_ITEMS",
    "BATCH_SECONDS",
    "BatchWriter",
    "WriteAbandoned",
    "WriteBatch",
    "category_known",
    "defer_fts",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Statement = tuple[str, list[Any]]
# Called on the writer thread once a write has run: (result, None), or (None, the exception).
Done = Callable[[Any, BaseException | None], None]
# Called on the writer thread when written work was lost: the exception (a failed commit, or a
# failed write that ended the whole transaction) and how many written writes went with it.
Lost = Callable[[BaseException, int], None]


class _Open:
    """What an open batch keeps until its commit: the deferred full-text statements and the
    categories already upserted in it."""

    __slots__ = ("categories", "fts")

    def __init__(self) -> None:
        self.fts: list[Statement] = []
        self.categories: dict[tuple[Any, ...], None] = {}


_OPEN: weakref.WeakKeyDictionary[sqlite_utils.Database, _Open] = weakref.WeakKeyDictionary()


def defer_fts(db: sqlite_utils.Database, sql: str, params: list[Any]) -> None:
    """Run a full-text statement now, or at the commit of ``db``'s open batch."""
    state = _OPEN.get(db)
    if state is None:
        db.conn.execute(sql, params)
    else:
        state.fts.append((sql, params))


def category_known(db: sqlite_utils.Database, key: tuple[Any, ...]) -> bool:
    """True when ``db``'s open batch has upserted the category row ``key`` (its portal, id,
    name and URL) already; otherwise False, and the caller is expected to upsert it now."""
    state = _OPEN.get(db)
    if state is None:
        return False
    if key in state.categories:
        return True
    state.categories[key] = None
    return False


def _runs(statements: list[Statement]) -> list[tuple[str, list[list[Any]]]]:
    """The deferred statements as one ``executemany`` per run of the same statement, table by
    table: each table's statements keep their order (a row's delete before its new insert);
    the two full-text tables are independent of each other."""
    by_table: dict[str, list[Statement]] = {}
    for sql, params in statements:  # every deferred statement is "INSERT INTO <table> ..."
        by_table.setdefault(sql.split(None, 3)[2], []).append((sql, params))
    runs: list[tuple[str, list[list[Any]]]] = []
    for table in by_table.values():
        for sql, params in table:
            if runs and runs[-1][0] == sql:
                runs[-1][1].append(params)
            else:
                runs.append((sql, [params]))
    return runs


def _journal_in_memory(db: sqlite_utils.Database) -> None:
    """Keep ``db``'s savepoint journals in memory (``PRAGMA temp_store = MEMORY``).

    A write's savepoint copies every page the write changes into a journal, to undo the write
    alone if it fails: 20 to 30 pages for an article (its row, the indexes, its images...).
    SQLite keeps that journal in memory up to 64 KiB, then spills it to a temporary file:
    every article's write did file I/O for nothing (measured: 20 µs of the 230 µs its SQL
    takes). In memory, a journal holds at most the pages of the one write in progress (it is
    emptied at each ``RELEASE``). The pragma cannot change inside a transaction, and changing
    it drops the connection's temporary tables: a batch's connection keeps none (set once,
    before the batch's first transaction).
    """
    if int(db.conn.execute("PRAGMA temp_store").fetchone()[0]) != 2:
        db.conn.execute("PRAGMA temp_store = MEMORY")


class WriteBatch:
    """Many archive writes, one transaction at a time (see the module's docstring).

    Use one batch per connection, from one thread; :meth:`close` commits what is open.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        max_items: int = BATCH_ITEMS,
        max_seconds: float = BATCH_SECONDS,
    ) -> None:
        self.db = db
        self.max_items = max_items
        self.max_seconds = max_seconds
        self.items = 0
        self.commits = 0
        self._opened: float | None = None
        self._journal_in_memory = False

    @property
    def open(self) -> bool:
        """A transaction of this batch is open (something written, not yet committed)."""
        return self._opened is not None

    def write(self, write: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``write(*args, **kwargs)`` inside the batch, in a savepoint; never commits.

        A write that fails is undone (its savepoint); when the error ended the whole
        transaction (SQLite does so on a full disk or an I/O error), the batch is gone too:
        :attr:`open` is then False.
        """
        if self._opened is None:
            if not self._journal_in_memory:
                _journal_in_memory(self.db)
                self._journal_in_memory = True
            self.db.conn.execute("BEGIN IMMEDIATE")
            self._opened = time.monotonic()
            _OPEN[self.db] = _Open()
        state = _OPEN[self.db]
        fts_mark, category_mark = len(state.fts), len(state.categories)
        try:
            with write_savepoint(self.db):
                result = write(*args, **kwargs)
        except BaseException:
            del state.fts[fts_mark:]
            for key in list(state.categories)[category_mark:]:
                del state.categories[key]
            if not self.db.conn.in_transaction:  # the error ended the whole transaction
                self._reset()
            raise
        self.items += 1
        return result

    def run(self, write: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """:meth:`write`, then commit when the batch is full or old enough."""
        result = self.write(write, *args, **kwargs)
        if self.due():
            self.commit()
        return result

    def seconds_left(self) -> float | None:
        """Seconds until the open batch is due by age (None: no batch open)."""
        if self._opened is None:
            return None
        return max(0.0, self._opened + self.max_seconds - time.monotonic())

    def due(self) -> bool:
        """The open batch holds ``max_items`` writes or is older than ``max_seconds``."""
        return self._opened is not None and (
            self.items >= self.max_items or time.monotonic() - self._opened >= self.max_seconds
        )

    def commit(self) -> None:
        """Write the deferred full-text rows and commit (nothing to do when nothing is open)."""
        if self._opened is None:
            return
        state = _OPEN.get(self.db)
        try:
            for sql, rows in _runs(state.fts if state else []):
                self.db.conn.executemany(sql, rows)
            self.db.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
        self.commits += 1
        self._reset()

    def rollback(self) -> None:
        """Drop the open batch."""
        if self.db.conn.in_transaction:
            self.db.conn.execute("ROLLBACK")
        self._reset()

    close = commit

    def _reset(self) -> None:
        _OPEN.pop(self.db, None)
        self._opened = None
        self.items = 0


_STOP = object()


class WriteAbandoned(Exception):
    """A queued write left unwritten: the writer was abandoned (:meth:`BatchWriter.abandon`)."""


class BatchWriter:
    """The thread that does every write of a crawl, many per transaction.

    :meth:`submit` queues a write; the thread runs the writes in the order they were
    submitted, in a :class:`WriteBatch` it commits after ``max_items`` writes,
    ``max_seconds`` after the batch opened, after ``idle_seconds`` without a new write, and
    at :meth:`close`. Each write's ``done`` is called on the writer thread once it has run
    (with its result or its exception); ``lost`` is called when a commit fails (a full disk,
    an I/O error) or a failed write ended the whole transaction, with the number of earlier
    writes that went with it. The connection is the thread's alone until :meth:`close` or
    :meth:`abandon` returns.
    """

    def __init__(
        self,
        db: sqlite_utils.Database,
        *,
        max_items: int = BATCH_ITEMS,
        max_seconds: float = BATCH_SECONDS,
        idle_seconds: float = BATCH_IDLE_SECONDS,
        lost: Lost | None = None,
        name: str = "archive-writer",
    ) -> None:
        self.batch = WriteBatch(db, max_items=max_items, max_seconds=max_seconds)
        self.idle_seconds = idle_seconds
        self.lost = lost
        self.failures: list[BaseException] = []  # what lost work, in order
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._abandon = threading.Event()
        # A daemon thread: a process stopped at once never waits for it at exit; a write cut
        # short by that exit is part of one SQLite transaction, wholly undone.
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def submit(self, write: Callable[..., Any], *args: Any, done: Done) -> None:
        """Queue ``write(*args)``; ``done`` is called once it has run."""
        self._jobs.put((write, args, done))

    def close(self, timeout: float | None = None) -> bool:
        """Write everything queued, commit, stop the thread; False if it did not stop within
        ``timeout`` seconds."""
        self._jobs.put(_STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def abandon(self, timeout: float | None = None) -> bool:
        """Stop as soon as the write in progress is done: commit what is written, leave the
        queued writes unwritten (their ``done`` gets :class:`WriteAbandoned`). For a process
        that must end at once (a second Ctrl-C): after this, another connection can write at
        once. False if the thread did not stop within ``timeout`` seconds."""
        self._abandon.set()
        self._jobs.put(_STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            left = self.batch.seconds_left()
            try:
                job = self._jobs.get(timeout=None if left is None else min(left, self.idle_seconds))
            except queue.Empty:  # nothing new for a while (or the batch is old): commit
                self._commit()
                continue
            if job is _STOP or self._abandon.is_set():
                self._commit()
                if self._abandon.is_set():
                    self._drop_queued(job)
                return
            write, args, done = job
            written = self.batch.items
            try:
                result = self.batch.write(write, *args)
            except Exception as exc:
                if not self.batch.open and written:  # it took the batch's earlier writes along
                    self._lose(exc, written)
                _report(done, None, exc)
                continue
            _report(done, result, None)
            if self.batch.due():
                self._commit()

    def _commit(self) -> None:
        written = self.batch.items
        try:
            self.batch.commit()
        except Exception as exc:
            self._lose(exc, written)

    def _lose(self, exc: BaseException, writes: int) -> None:
        self.failures.append(exc)
        if self.lost is None:
            logger.error("%d archive writes lost: %s", writes, exc)
            return
        try:
            self.lost(exc, writes)
        except Exception:  # the owner's own bug must not stop the writer
            logger.exception("the writer's lost callback failed")

    def _drop_queued(self, job: Any) -> None:
        while True:
            if job is not _STOP:
                _report(job[2], None, WriteAbandoned("the archive writer was stopped at once"))
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return


def _report(done: Done, result: Any, exc: BaseException | None) -> None:
    try:
        done(result, exc)
    except Exception:  # a callback's own bug must not stop the writer
        logger.exception("a write's done callback failed")
