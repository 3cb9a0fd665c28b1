"""archive.lock: one crawl per database, across real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from archive.lock import LockHeld, crawl_lock, lock_path_for

ROOT = Path(__file__).resolve().parents[2]

# Holds the lock, says so, waits for a line on stdin, then writes to the archive and exits 0.
HOLDER = """
import sys
from archive.lock import crawl_lock
from archive.db import open_archive
from archive import store
db_path = sys.argv[1]
with crawl_lock(db_path):
    db = open_archive(db_path)
    run = store.start_run(db, site="s", mode="full")
    print("held", flush=True)
    sys.stdin.readline()
    store.finish_run(db, run, outcome="ok", counts={"pages_fetched": 1})
print("done", flush=True)
"""

TRY = """
import sys
from archive.lock import LockHeld, crawl_lock
try:
    with crawl_lock(sys.argv[1]):
        print("got it")
except LockHeld as exc:
    print("held by", exc.pid)
    sys.exit(75)
"""


def spawn(code: str, db_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, str(db_path)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def test_second_process_is_refused_at_once_and_first_is_unharmed(tmp_path: Path) -> None:
    db_path = tmp_path / "archive.db"
    holder = spawn(HOLDER, db_path)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(LockHeld) as info, crawl_lock(db_path):
            pass
        assert info.value.pid == holder.pid
        other = subprocess.run(
            [sys.executable, "-c", TRY, str(db_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert other.returncode == 75 and other.stdout.strip() == f"held by {holder.pid}"
        out, _ = holder.communicate("go\n", timeout=60)
    finally:
        if holder.poll() is None:
            holder.kill()
    assert holder.returncode == 0 and out.strip() == "done"
    import sqlite3

    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT outcome, pages_fetched FROM runs").fetchall() == [("ok", 1)]
    with crawl_lock(db_path) as path:  # free again
        assert path == lock_path_for(db_path) == tmp_path / "archive.db.lock"


def test_sigkill_releases_the_lock(tmp_path: Path) -> None:
    db_path = tmp_path / "archive.db"
    holder = spawn(HOLDER, db_path)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=60)
    assert lock_path_for(db_path).exists()  # the stale file does not matter
    with crawl_lock(db_path):
        pass


def test_same_process_second_lock_is_refused(tmp_path: Path) -> None:
    with crawl_lock(tmp_path / "a.db"), pytest.raises(LockHeld), crawl_lock(tmp_path / "a.db"):
        pass
    with crawl_lock(tmp_path / "a.db"):  # released by the first block's exit
        pass


def test_the_refusal_says_since_when_the_lock_is_held(tmp_path: Path) -> None:
    """A crawl that hangs (or a first crawl of days) makes every hourly run exit 75 with the
    same line: it names the holder's pid and since when it holds the lock, so that a cron
    admin sees a crawl held for days at a glance."""
    db_path = tmp_path / "archive.db"
    with crawl_lock(db_path) as lock:
        three_days_ago = os.stat(lock).st_mtime - 3 * 86400 - 2 * 3600
        os.utime(lock, (three_days_ago, three_days_ago))
        with pytest.raises(LockHeld) as info, crawl_lock(db_path):
            pass
    message = str(info.value)
    assert f"by pid {os.getpid()} since " in message and "UTC (3 d 2 h ago)" in message
    assert info.value.since == pytest.approx(three_days_ago)


def test_held_since_reads_as_an_age() -> None:
    from archive.lock import held_since

    start = 1_700_000_000.0  # 2023-11-14 22:13 UTC
    assert held_since(start, now=start + 59) == "2023-11-14 22:13 UTC (0 min ago)"
    assert held_since(start, now=start + 3 * 3600 + 125) == "2023-11-14 22:13 UTC (3 h 2 min ago)"
    assert held_since(start, now=start + 9 * 86400 + 7200) == "2023-11-14 22:13 UTC (9 d 2 h ago)"
    assert held_since(start, now=start - 60) == "2023-11-14 22:13 UTC"  # the clock went back


def _not_an_archive(path: Path, kind: str) -> None:
    if kind == "text":
        path.write_text("a note, not a database\n")
    else:  # another application's SQLite database
        import sqlite3

        conn = sqlite3.connect(path)
        conn.execute("PRAGMA application_id = 42")
        conn.execute("CREATE TABLE notes (x)")
        conn.commit()
        conn.close()


@pytest.mark.parametrize("kind", ["text", "foreign"])
def test_no_lock_file_is_left_beside_a_file_that_is_no_archive(tmp_path: Path, kind: str) -> None:
    """`crawl`, `migrate` and `reparse --db /etc/passwd` (or another application's database)
    refused the file, but left /etc/passwd.lock beside it: the lock is taken only on an
    archive, a new one, or a file that may become one."""
    from click.testing import CliRunner

    from archive.cli import main
    from archive.db import ArchiveUnusable

    path = tmp_path / "notes.db"
    _not_an_archive(path, kind)
    before = path.read_bytes()
    why = "is not an SQLite database" if kind == "text" else "belongs to another application"
    with pytest.raises(ArchiveUnusable, match=why), crawl_lock(path):
        pass
    for command in (["migrate"], ["reparse"]):
        result = CliRunner().invoke(main, [*command, "--db", str(path)])
        assert result.exit_code == 1, result.output
        assert why in result.stderr and "Traceback" not in result.output
    assert not lock_path_for(path).exists()
    assert path.read_bytes() == before


def test_the_lock_is_still_taken_on_new_empty_and_archived_files(tmp_path: Path) -> None:
    """What the check keeps: a missing file, an empty one and an archive are locked as before."""
    from archive.db import open_archive

    archived = tmp_path / "archive.db"
    open_archive(archived).close()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    for path in (tmp_path / "new.db", empty, archived):
        with crawl_lock(path) as lock:
            assert lock == lock_path_for(path) and lock.exists()
