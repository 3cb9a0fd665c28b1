"""Read-only archives (issue 12, point 3): the readers work on an archive in a folder nobody
may write, as an unprivileged user; they never migrate; a WAL they cannot read is refused.

The archive lives in a folder of mode 0555 (the database 0444) and every reader runs as the
``nobody`` user (CI runs as root, whom permissions do not stop): search, show, diff, stats,
export, export --revisions and the web view (Datasette, as ``serve`` builds it), in one
unprivileged Python process (tests/archive/unprivileged.py).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.readonly import unread_wal_frames
from tests.archive.test_queries_samples import build_archive
from tests.archive.unprivileged import WHY_NOT, run_unprivileged, unprivileged_python

ROOT = Path(__file__).resolve().parents[2]
Read = dict[str, dict[str, dict[str, str]]]
RELEASE = ROOT / "tests" / "fixtures" / "archives" / "release-0af8c00"

# Run as the unprivileged user, for each database given: each command in-process (CliRunner),
# the web view through Datasette's own client; prints {db: {name: {exit, stdout, stderr}}}.
READERS = r"""
import asyncio, json, sys
from click.testing import CliRunner
from archive.cli import main

def read(db):
    commands = {
        "search": ["search", "dien", "--db", db],
        "count": ["search", "--count", "hoc", "--db", db],
        "show": ["show", "104", "--db", db],
        "diff": ["diff", "104", "--word", "--db", db],
        "stats": ["stats", "--db", db],
        "export": ["export", "--db", db],
        "revisions": ["export", "--revisions", "--db", db],
        "verify": ["verify", "--quiet", "--db", db],
    }
    out = {}
    for name, args in commands.items():
        r = CliRunner().invoke(main, args)
        out[name] = {"exit": r.exit_code, "stdout": r.stdout, "stderr": r.stderr}
    try:
        from archive.serve import build_datasette
        ds = build_datasette(db)
        asyncio.run(ds.invoke_startup())
        page = asyncio.run(ds.client.get("/-/search?q=dien"))
        out["serve"] = {"exit": 0, "stdout": page.text, "stderr": str(page.status_code)}
    except Exception as exc:
        out["serve"] = {"exit": 1, "stdout": "", "stderr": getattr(exc, "message", repr(exc))}
    return out

print(json.dumps({db: read(db) for db in sys.argv[1:]}))
"""


@pytest.fixture(scope="module")
def folders() -> Iterator[dict[str, Path]]:
    """Archives in folders of mode 0555, each database 0444: clean, with a WAL holding
    committed changes (stale), with a WAL already checkpointed, of an earlier release."""
    if unprivileged_python() is None:
        pytest.skip(WHY_NOT)
    base = Path(tempfile.mkdtemp(prefix="most-read-only-", dir="/tmp"))
    base.chmod(0o755)
    made: dict[str, Path] = {}
    try:
        work = base / "work"
        work.mkdir()
        source = build_archive(work / "archive.db")
        made["clean"] = _place(base / "clean", [source])
        # A crawl still running when the archive was copied: its WAL holds a committed change.
        writer = sqlite3.connect(source)
        writer.execute("PRAGMA wal_autocheckpoint = 0")
        writer.execute("UPDATE articles SET title = 'Đổi tên sau khi sao chép' WHERE site_id = 101")
        writer.commit()
        wal, shm = Path(f"{source}-wal"), Path(f"{source}-shm")
        made["stale"] = _place(base / "stale", [source, wal])  # no index: SQLite cannot use it
        made["indexed"] = _place(base / "indexed", [source, wal, shm])  # SQLite reads it
        writer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        made["checkpointed"] = _place(base / "checkpointed", [source, wal])
        writer.close()
        made["old"] = _place(base / "old", [RELEASE / "archive.db"])
        yield made
    finally:
        for folder in (base, *made.values()):
            folder.chmod(0o755)
        shutil.rmtree(base, ignore_errors=True)


def _place(folder: Path, files: list[Path]) -> Path:
    folder.mkdir()
    for f in files:
        shutil.copyfile(f, folder / f.name)
        (folder / f.name).chmod(0o444)
    (folder / "archive-files").mkdir()
    folder.chmod(0o555)
    return folder / "archive.db"


@pytest.fixture(scope="module")
def read_as_nobody(folders: dict[str, Path]) -> Read:
    """Every reader on every folder, in one unprivileged process: {folder: {reader: result}}."""
    done = run_unprivileged(READERS, *(str(db) for db in folders.values()))
    assert done.returncode == 0, done.stderr[-3000:]
    by_path = json.loads(done.stdout)
    return {name: by_path[str(db)] for name, db in folders.items()}


@pytest.fixture(scope="module")
def clean_results(read_as_nobody: Read) -> dict[str, dict[str, str]]:
    return read_as_nobody["clean"]


@pytest.mark.parametrize(
    "name", ["search", "count", "show", "diff", "stats", "export", "revisions", "serve"]
)
def test_readers_work_in_a_folder_nobody_may_write(
    clean_results: dict[str, dict[str, str]], name: str
) -> None:
    result = clean_results[name]
    assert result["exit"] == 0, result
    assert "readonly" not in result["stderr"] and "Traceback" not in result["stdout"]


def test_what_the_readers_read(
    clean_results: dict[str, dict[str, str]], folders: dict[str, Path]
) -> None:
    assert clean_results["search"]["stdout"].startswith("1 article matches 'dien'")
    assert clean_results["count"]["stdout"] == "4\n"
    assert "Điện lực miền Trung" in clean_results["show"]["stdout"]
    assert "{+ gió.+}" in clean_results["diff"]["stdout"]
    assert len(clean_results["export"]["stdout"].splitlines()) == 7
    assert len(clean_results["revisions"]["stdout"].splitlines()) == 8
    assert "1 article matches" in clean_results["serve"]["stdout"]
    folder = folders["clean"].parent
    assert sorted(p.name for p in folder.iterdir()) == ["archive-files", "archive.db"]


def test_a_wal_with_unread_changes_is_refused(
    folders: dict[str, Path], read_as_nobody: Read
) -> None:
    db = folders["stale"]
    assert unread_wal_frames(db) > 0
    results = read_as_nobody["stale"]
    for name in ("search", "show", "stats", "export", "serve"):
        assert results[name]["exit"] == 1, (name, results[name])
        message = results[name]["stderr"]
        assert "write-ahead log (archive.db-wal) holds" in message, message
        assert "to a writable folder" in message
    assert "Đổi tên" not in json.dumps(results)  # nothing was read, stale or not


def test_a_wal_with_its_index_is_read_with_its_changes(read_as_nobody: Read) -> None:
    """With the -shm beside it, SQLite reads a WAL on read-only media itself (mode=ro)."""
    results = read_as_nobody["indexed"]
    assert results["search"]["exit"] == 0 and results["serve"]["exit"] == 0
    assert "Đổi tên sau khi sao chép" in results["export"]["stdout"]


def test_a_checkpointed_wal_is_read(folders: dict[str, Path], read_as_nobody: Read) -> None:
    """Without its index, a WAL whose frames are all in the database file holds nothing an
    immutable open would miss: read (the frames' checksums and the file say so)."""
    db = folders["checkpointed"]
    assert unread_wal_frames(db) == 0
    results = read_as_nobody["checkpointed"]
    assert results["search"]["exit"] == 0
    assert "Đổi tên sau khi sao chép" in results["export"]["stdout"]  # the checkpointed change


def test_an_old_schema_on_read_only_media_says_how_to_upgrade_a_copy(
    read_as_nobody: Read,
) -> None:
    results = read_as_nobody["old"]
    for name in ("search", "stats", "serve"):
        message = results[name]["stderr"]
        assert results[name]["exit"] == 1, (name, results[name])
        assert "cannot be upgraded where it is" in message, message
        assert "Upgrade a writable copy" in message and "most-archive migrate --db COPY/" in message


def test_verify_checks_an_archive_nobody_may_write(
    clean_results: dict[str, dict[str, str]],
) -> None:
    """verify reads the database and every raw page on read-only media; the sample archive names
    one image it never stored, which verify reports (exit 1) rather than failing to open."""
    result = clean_results["verify"]
    assert "readonly" not in result["stderr"] and "Traceback" not in result["stdout"]
    assert "database ok; 7 raw pages checked, 0 corrupt" in result["stdout"], result
    assert "1 missing" in result["stdout"] and result["exit"] == 1, result
