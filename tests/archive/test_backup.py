"""archive.backup: a consistent copy while another process keeps writing articles."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from archive.backup import BackupError, backup
from archive.db import ArchiveMissing, open_archive

ROOT = Path(__file__).resolve().parents[2]

# Writes articles (3 images each) one transaction at a time until the stop file appears.
WRITER = """
import sys
from pathlib import Path
from archive.db import open_archive
from archive import store
from crawler.items import Article, Image
db_path, stop = sys.argv[1], Path(sys.argv[2])
db = open_archive(db_path)
i = 0
while not stop.exists():
    i += 1
    a = Article(site_id=i, url=f"http://h/{i}", title=f"Bài {i}", lead="sapo",
                body=["x" * 2000] * 5, body_html="", published_at=None, category=None, source=None,
                images=[Image(f"http://h/{i}/{k}.jpg", f"Ảnh {k}") for k in range(3)], parser="t")
    store.save_article(db, a, page_id=None, fetched_at="2026-01-01T00:00:00+00:00")
    if i == 20:
        print("started", flush=True)
print(i, flush=True)
"""


def consistent_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        per_article = conn.execute(
            "SELECT count(*) FROM articles a WHERE (SELECT count(*) FROM images i "
            "WHERE i.site_id = a.site_id) != 3 OR (SELECT count(*) FROM revisions r "
            "WHERE r.site_id = a.site_id) != 1"
        ).fetchone()[0]
        assert per_article == 0, "an article without all of its rows"
        for fts in ("articles_fts", "articles_fts_exact"):
            assert conn.execute(f"SELECT count(*) FROM {fts}_docsize").fetchone()[0] == n
        return int(n)
    finally:
        conn.close()


def test_backup_during_concurrent_writes(tmp_path: Path) -> None:
    db_path, stop = tmp_path / "archive.db", tmp_path / "stop"
    open_archive(db_path).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), str(stop)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "started"
        counts = []
        for k in range(3):
            result = backup(db_path, tmp_path / f"copy{k}.db")
            counts.append(consistent_count(result.dest))
            assert result.articles == counts[-1] and result.size > 0
        stop.touch()
        total = int(writer.communicate(timeout=120)[0].strip())
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0
    # Taken while the writer ran (it stops only after the last copy): each copy is one commit.
    assert all(20 <= c <= total for c in counts)
    assert consistent_count(backup(db_path, tmp_path / "final.db").dest) == total
    assert sorted(p.name for p in tmp_path.glob("*.tmp")) == []


def test_backup_refuses_bad_destinations(tmp_path: Path) -> None:
    with pytest.raises(ArchiveMissing):
        backup(tmp_path / "none.db", tmp_path / "x.db")
    open_archive(tmp_path / "a.db").close()
    (tmp_path / "exists.db").write_bytes(b"keep")
    with pytest.raises(FileExistsError):
        backup(tmp_path / "a.db", tmp_path / "exists.db")
    assert (tmp_path / "exists.db").read_bytes() == b"keep"
    backup(tmp_path / "a.db", tmp_path / "exists.db", overwrite=True)
    with pytest.raises(BackupError):
        backup(tmp_path / "a.db", tmp_path / "a.db", overwrite=True)


def test_backup_never_renames_over_a_pipe_or_device(tmp_path: Path) -> None:
    """Even with overwrite, a destination that is not a regular file (a named pipe here; a
    device such as /dev/null alike) is refused and left as it was: renaming the copy over it
    replaced the node itself."""
    open_archive(tmp_path / "a.db").close()
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(BackupError, match="not a regular file"):
        backup(tmp_path / "a.db", fifo, overwrite=True)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("a.db")) == ["pipe"]


def test_backup_through_a_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    open_archive(tmp_path / "a.db").close()
    real = tmp_path / "backups" / "2026-11-29.db"
    real.parent.mkdir()
    real.write_bytes(b"old")
    link = tmp_path / "latest.db"
    link.symlink_to(real)
    backup(tmp_path / "a.db", link, overwrite=True)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert consistent_count(real) == 0
    assert sorted(p.name for p in real.parent.iterdir()) == ["2026-11-29.db"]
