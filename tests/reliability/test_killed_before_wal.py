"""The archive checks on an archive whose writer was killed before it switched to WAL.

A crawl killed while it creates its archive (before ``journal_mode=WAL``) leaves a hot rollback
journal beside the database. The next crawl rolls it back when it opens the file; a read-only
connection cannot, and SQLite answers "attempt to write a readonly database". The crash loop of
``make reliability`` (which CI runs) checks the archive after every kill: it must see the archive
as the next run will, not fail on it.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.reliability.checks import connect, problems

# A writer in rollback-journal mode whose cache spills into the database file mid-transaction,
# then waits there to be killed.
_WRITER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size = 1")
conn.execute("BEGIN")
conn.executemany("INSERT INTO t VALUES (?)", ((b"x" * 3000,) for _ in range(200)))
print("spilled", flush=True)
time.sleep(60)
"""


def test_a_hot_journal_is_rolled_back_as_the_next_run_would(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (v BLOB)")
        conn.execute("INSERT INTO t VALUES (x'00')")
    writer = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "spilled"
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait()
    journal = db.with_name(db.name + "-journal")
    deadline = time.monotonic() + 5
    while not journal.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert journal.stat().st_size > 0, "no hot journal left: the test proves nothing"
    # what a plain read-only connection says (and what the checks said before)
    plain = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        plain.execute("SELECT count(*) FROM t").fetchone()
        raise AssertionError("a read-only connection read past a hot journal")
    except sqlite3.OperationalError as exc:
        assert "readonly" in str(exc)
    finally:
        plain.close()
    found = problems(db, files=False, live=True)
    assert found == []  # no articles table yet: nothing more to say (live)
    conn = connect(db)
    try:
        assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 1  # rolled back
    finally:
        conn.close()
