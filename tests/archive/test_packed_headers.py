"""Response headers are kept compressed (``headers_packed``, migration m016), read back exactly.

An archive written before m016 holds the headers as JSON text in ``headers_json`` (and
``file_responses.headers_json`` was NOT NULL); opening it as a writer packs them in place.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlite_utils

from archive import headers, migrations, store
from archive.db import open_archive

T1 = "2026-01-01T00:00:00+00:00"
PAGE_HEADERS = json.dumps(
    [
        ["Content-Length", "20306"],
        ["Server", "Microsoft-IIS/8.5"],
        ["Set-Cookie", "a=1; path=/"],
        ["Set-Cookie", "b=ü"],
        ["Date", "Sun, 29 Nov 2026 01:20:16 GMT"],
    ],
    ensure_ascii=False,
)
FILE_HEADERS = json.dumps([["Content-Type", "image/jpeg"], ["Etag", '"c5b4"']])


def test_pack_is_exact_and_small() -> None:
    for text in (PAGE_HEADERS, FILE_HEADERS, "[]", json.dumps([["X", "\u0000\uffff" * 300]])):
        assert headers.unpack(headers.pack(text)) == text
    assert len(headers.pack(PAGE_HEADERS)) < len(PAGE_HEADERS.encode()) / 2
    assert headers.headers_json("[]", None) == "[]"  # a row written before m016
    assert headers.headers_json(None, None) is None
    with pytest.raises(ValueError, match="unknown packed headers format"):
        headers.unpack(b"\x02abc")


def test_new_rows_are_packed(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    page = store.save_page(
        db,
        url="http://127.0.0.1/p",
        status=200,
        headers=json.loads(PAGE_HEADERS),
        body=b"<html></html>",
        fetched_at=T1,
        run_id=None,
    )
    text, packed = db.execute(
        "SELECT headers_json, headers_packed FROM raw_pages WHERE id = ?", [page]
    ).fetchone()
    assert text is None and headers.headers_json(text, packed) == PAGE_HEADERS


def test_migration_packs_the_headers_of_an_existing_archive(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    migrations.migrations.apply(old, stop_before="m016_packed_headers")
    old.execute(
        "INSERT INTO raw_pages (id, url, status, headers_json, body, fetched_at, codec) "
        "VALUES (1, 'http://x/p', 200, ?, NULL, ?, 'zstd')",
        [PAGE_HEADERS, T1],
    )
    old.execute(
        "INSERT INTO raw_pages (id, url, status, headers_json, body, fetched_at, codec) "
        "VALUES (2, 'http://x/q', 200, NULL, NULL, ?, 'zstd')",
        [T1],
    )
    old.execute(
        "INSERT INTO file_responses (id, url, status, headers_json, sha256, path, size, "
        "content_type, fetched_at) VALUES (7, 'http://x/a.jpg', 200, ?, 'ab', 'ab.jpg', 3, "
        "'image/jpeg', ?)",
        [FILE_HEADERS, T1],
    )
    old.execute(
        "INSERT INTO revisits (url, fetched_at, status, file_response_id) "
        "VALUES ('http://x/a.jpg', ?, 200, 7)",
        [T1],
    )
    old.conn.commit()
    old.close()

    db = open_archive(path)  # the writer migrates
    assert "m016_packed_headers" in migrations.applied(db)
    got = {
        (table, rid): headers.headers_json(text, packed)
        for table in ("raw_pages", "file_responses")
        for rid, text, packed in db.execute(
            f"SELECT id, headers_json, headers_packed FROM {table}"
        ).fetchall()
    }
    assert got == {
        ("raw_pages", 1): PAGE_HEADERS,
        ("raw_pages", 2): None,
        ("file_responses", 7): FILE_HEADERS,
    }
    assert (
        db.execute("SELECT count(*) FROM raw_pages WHERE headers_json IS NOT NULL").fetchone()[0]
        == 0
    )
    assert (
        db.execute("SELECT count(*) FROM file_responses WHERE headers_json IS NULL").fetchone()[0]
        == 1
    )
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert [r[1] for r in db.execute("PRAGMA index_list(file_responses)")] == [
        "idx_file_responses_url"
    ]
    assert db.execute("SELECT file_response_id FROM revisits").fetchone()[0] == 7
