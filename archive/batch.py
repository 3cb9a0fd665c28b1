"""Several writes in one transaction: how a crawl stores what it fetches.

A commit is the dearest part of storing an article: SQLite writes every page the
transaction touched, and FTS5 writes a new index segment (and now and then merges them).
:class:`WriteBatch` runs many writes (``store.save_page``, ``store.save_article``, …) inside
one ``BEGIN IMMEDIATE`` … ``COMMIT``, committing every :data:`BATCH_ITEMS` writes,
:data:`BATCH_SECONDS` after the batch opened (:meth:`WriteBatch.commit_if_due`, which the
crawl also calls on a timer) and when the crawl closes.

Each write still runs in its own savepoint, so one that fails undoes only itself. The
full-text rows are written at commit time, all at once (:func:`defer_fts`): a savepoint
flushes FTS5's pending index data, which would cost a segment per article again.

What a kill loses, and why nothing is lost for good: a ``kill -9`` takes the open batch with
it (at most :data:`BATCH_ITEMS` writes, :data:`BATCH_SECONDS` of crawling). Nothing outside
the database says those writes were made: the next crawl reads the archive to know what it
has, finds those articles (and their files) missing and fetches them again. A file written
to the files folder whose row was lost is written again, to the same content-addressed path.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["BATCH_ITEMS", "BATCH_SECONDS", "WriteBatch", "defer_fts"]

BATCH_ITEMS = 200  # writes per transaction at most
BATCH_SECONDS = 0.5  # an open batch is committed this long after it opened, at the latest

T = TypeVar("T")
Statement = tuple[str, list[Any]]

# The full-text statements waiting for the batch's commit, per open database.
_DEFERRED: weakref.WeakKeyDictionary[sqlite_utils.Database, list[Statement]] = (
    weakref.WeakKeyDictionary()
)


def defer_fts(db: sqlite_utils.Database, sql: str, params: list[Any]) -> None:
    """Run a full-text statement now, or at the commit of ``db``'s open batch."""
    queue = _DEFERRED.get(db)
    if queue is None:
        db.conn.execute(sql, params)
    else:
        queue.append((sql, params))


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

    def run(self, write: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """``write(*args, **kwargs)`` inside the batch (in a savepoint); commits when due."""
        if self._opened is None:
            self.db.conn.execute("BEGIN IMMEDIATE")
            self._opened = time.monotonic()
            _DEFERRED[self.db] = []
        queue = _DEFERRED[self.db]
        mark = len(queue)
        try:
            with self.db.atomic():
                result = write(*args, **kwargs)
        except BaseException:
            del queue[mark:]
            if not self.db.conn.in_transaction:  # the error ended the whole transaction
                self._reset()
            raise
        self.items += 1
        if self.items >= self.max_items:
            self.commit()
        else:
            self.commit_if_due()
        return result

    def commit_if_due(self) -> None:
        """Commit when the open batch is older than ``max_seconds``."""
        if self._opened is not None and time.monotonic() - self._opened >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        """Write the deferred full-text rows and commit (nothing to do when nothing is open)."""
        if self._opened is None:
            return
        queue = _DEFERRED.get(self.db, [])
        try:
            for sql, params in queue:
                self.db.conn.execute(sql, params)
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
        _DEFERRED.pop(self.db, None)
        self._opened = None
        self.items = 0
