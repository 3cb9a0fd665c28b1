"""``most-archive verify``: fixity of the database, the raw pages and the stored files.

One sample archive (tests/browser/sample_archive.py, written through archive.store) is made per
module; each test damages its own copy and runs the real command.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sqlite3
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.files import files_dir_for

ROOT = Path(__file__).resolve().parents[2]


def _sample_module() -> ModuleType:
    name = "most_sample_archive"
    if name in sys.modules:
        return sys.modules[name]
    path = ROOT / "tests" / "browser" / "sample_archive.py"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = tmp_path_factory.mktemp("verify") / "archive.db"
    _sample_module().fill_archive(path)
    return path


@pytest.fixture
def archive(pristine: Path, tmp_path: Path) -> Path:
    """A copy of the sample archive (database and files folder) this test may damage."""
    path = tmp_path / "archive.db"
    shutil.copy2(pristine, path)
    shutil.copytree(files_dir_for(pristine), files_dir_for(path))
    return path


def run(db: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["verify", "--db", str(db), *args])
    return result.exit_code, result.stdout


def report(db: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, out = run(db, "--json", *args)
    return code, json.loads(out)


def stored_files(db: Path) -> list[Path]:
    files = sorted(p for p in files_dir_for(db).rglob("*") if p.is_file())
    assert files, "the sample archive has downloaded images"
    return files


def test_a_fresh_archive_has_no_problem(archive: Path) -> None:
    code, data = report(archive)
    assert code == 0
    assert data["ok"] is True and data["problems"] == 0
    assert data["database"] == {"integrity_check": ["ok"], "ok": True}
    assert data["raw_pages"]["checked"] == 5 and data["raw_pages"]["corrupt"] == []
    files = data["files"]
    assert files["checked"] == len(stored_files(archive))
    assert files["missing"] == files["corrupt"] == files["stray"] == []
    code, text = run(archive)
    assert code == 0 and text.splitlines()[-1].startswith("OK: database ok; 5 raw pages")


def test_a_flipped_byte_in_a_stored_file_is_corrupt(archive: Path) -> None:
    victim = stored_files(archive)[0]
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    code, found = report(archive)
    assert code == 1 and found["ok"] is False and found["problems"] == 1
    rel = victim.relative_to(files_dir_for(archive)).as_posix()
    assert [f["path"] for f in found["files"]["corrupt"]] == [rel]
    assert found["files"]["missing"] == []
    code, text = run(archive)
    assert code == 1 and f"corrupt file {rel}" in text and "FAILED" in text


def test_a_deleted_file_is_missing(archive: Path) -> None:
    victim = stored_files(archive)[-1]
    victim.unlink()
    code, found = report(archive)
    assert code == 1 and found["problems"] == 1
    rel = victim.relative_to(files_dir_for(archive)).as_posix()
    assert [f["path"] for f in found["files"]["missing"]] == [rel]
    assert found["files"]["missing"][0]["url"].startswith("http")
    assert found["files"]["corrupt"] == []


def test_a_stray_file_is_reported_and_fails_only_with_strict(archive: Path) -> None:
    stray = files_dir_for(archive) / "00" / "11" / ("0011" + "ab" * 30 + ".jpg")
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"no row refers to me")
    code, found = report(archive)
    assert code == 0 and found["ok"] is True
    assert found["files"]["stray"] == [stray.relative_to(files_dir_for(archive)).as_posix()]
    code, text = run(archive)
    assert code == 0 and "stray file 00/11/" in text and "not a failure without --strict" in text
    code, found = report(archive, "--strict")
    assert code == 1 and found["problems"] == 1 and found["strict"] is True


def test_a_raw_page_that_does_not_match_its_digest_is_corrupt(archive: Path) -> None:
    conn = sqlite3.connect(archive)
    with conn:
        conn.execute("UPDATE raw_pages SET body_sha256 = ? WHERE id = 3", ["0" * 64])
    conn.close()
    code, found = report(archive)
    assert code == 1
    assert [(p["id"], p["problem"]) for p in found["raw_pages"]["corrupt"]] == [
        (3, "body does not match body_sha256")
    ]


def test_a_damaged_database_fails(archive: Path) -> None:
    # The pages of an index hold garbage: integrity_check names it, the tables still read.
    conn = sqlite3.connect(archive)
    conn.execute("PRAGMA journal_mode=DELETE")
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'idx_articles_published'"
    ).fetchone()[0]
    conn.close()
    with archive.open("r+b") as fh:
        fh.seek((root - 1) * page_size)
        fh.write(b"\xff" * 64)
    code, found = report(archive)
    assert code == 1 and found["database"]["ok"] is False
    assert found["database"]["integrity_check"] != ["ok"]


def test_no_archive_is_a_clean_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["verify", "--db", str(tmp_path / "none.db")])
    code, out = result.exit_code, result.output
    assert code == 1 and "no archive at" in out and "Traceback" not in out


def test_progress_goes_to_stderr_and_quiet_silences_it(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive import fixity

    monkeypatch.setattr(fixity, "PROGRESS_SECONDS", 0.0)  # as if every check took long
    result = CliRunner().invoke(main, ["verify", "--json", "--db", str(archive)])
    assert result.exit_code == 0
    assert "raw pages checked" in result.stderr and "files checked" in result.stderr
    assert json.loads(result.stdout)["ok"] is True  # stdout stays one JSON document
    quiet = CliRunner().invoke(main, ["verify", "-q", "--db", str(archive)])
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_raw_page_that_does_not_decompress_is_corrupt(archive: Path) -> None:
    conn = sqlite3.connect(archive)
    with conn:
        conn.execute("UPDATE raw_pages SET body = ? WHERE id = 2", [b"\x28\xb5\x2f\xfd garbage"])
    conn.close()
    code, found = report(archive)
    assert code == 1
    [page] = found["raw_pages"]["corrupt"]
    assert page["id"] == 2 and page["problem"].startswith("does not decompress")
