"""archive.files: content-addressed, atomic, and no URL can place a file outside the folder."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive import store
from archive.db import open_archive
from archive.files import (
    ALLOWED_EXTENSIONS,
    extension_for,
    files_dir_for,
    relative_path,
    resolve,
    write_blob,
)

HOSTILE_URLS = [
    "http://h/../../../etc/passwd",
    "http://h/%2e%2e/%2e%2e/%2e%2e/etc/passwd.jpg",
    "http://h/a/..%2f..%2f..%2fescape.pdf",
    "/etc/passwd",
    "file:///etc/passwd",
    "http://h/a%00.jpg",
    "http://h/a\x00b/../../x.png",
    "http://h/" + "A" * 5000 + ".pdf",
    "http://h/x.jpg/../../../../../../tmp/evil.sh",
    "http://h/C:\\Windows\\evil.exe",
    "http://h/%2F%2Fetc%2Fshadow.docx",
    "http://[::1/bad",
    "",
]


def test_files_dir_is_beside_the_database(tmp_path: Path) -> None:
    assert files_dir_for(tmp_path / "archive.db") == tmp_path / "archive-files"
    assert files_dir_for("x/demo.sqlite") == Path("x/demo-files")


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_stay_inside(tmp_path: Path, url: str) -> None:
    root = tmp_path / "archive-files"
    body = url.encode("utf-8", "surrogatepass") + b"!"
    sha, rel = write_blob(root, body, url=url, content_type=None)
    target = (root / rel).resolve()
    assert root.resolve() in target.parents
    assert target.read_bytes() == body and sha == hashlib.sha256(body).hexdigest()
    assert rel == f"{sha[:2]}/{sha[2:4]}/{sha}{Path(rel).suffix}"
    assert len(rel) < 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive-files"]


@settings(max_examples=300, deadline=None)
@given(url=st.text(max_size=300), ctype=st.one_of(st.none(), st.text(max_size=80)))
def test_extension_is_always_from_the_allow_list(url: str, ctype: str | None) -> None:
    ext = extension_for(url, ctype)
    assert ext in ALLOWED_EXTENSIONS | {".bin"} and ext != ".jpeg"
    assert "/" not in ext and "\x00" not in ext and ".." not in ext


@pytest.mark.parametrize(
    ("url", "ctype", "ext"),
    [
        ("http://h/a.JPG", None, ".jpg"),
        ("http://h/a.jpeg", "application/octet-stream", ".jpg"),
        ("http://h/a", "image/png; charset=binary", ".png"),
        ("http://h/a.png", "application/pdf", ".pdf"),
        ("http://h/Truy%20xuat%201.docx", None, ".docx"),
        ("http://h/a.svg", "image/svg+xml", ".bin"),
        ("http://h/a.exe", None, ".bin"),
        ("http://h/a.php?x=.pdf", None, ".bin"),
    ],
)
def test_extension_choice(url: str, ctype: str | None, ext: str) -> None:
    assert extension_for(url, ctype) == ext


def test_relative_path_and_resolve_refuse_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        relative_path("../" + "a" * 61, ".jpg")
    with pytest.raises(ValueError):
        relative_path("a" * 64, ".sh")
    for bad in ("../x", "/etc/passwd", "a/../../x", "a\x00b"):
        with pytest.raises(ValueError):
            resolve(tmp_path, bad)
    assert resolve(tmp_path, "ab/cd/x.jpg") == (tmp_path / "ab/cd/x.jpg").resolve()


def test_write_is_idempotent_and_leaves_no_temp_files(tmp_path: Path) -> None:
    root = tmp_path / "f"
    first = write_blob(root, b"same", url="http://h/a.pdf", content_type=None)
    mtime = (root / first[1]).stat().st_mtime_ns
    assert write_blob(root, b"same", url="http://h/other.pdf", content_type=None) == first
    assert (root / first[1]).stat().st_mtime_ns == mtime
    names = [p.name for p in root.rglob("*") if p.is_file()]
    assert names == [f"{first[0]}.pdf"]


def test_save_file_records_the_row(tmp_path: Path) -> None:
    db = open_archive(tmp_path / "a.db")
    files_dir = files_dir_for(tmp_path / "a.db")
    jpeg = "image/jpeg"
    rec = store.save_file(
        db, files_dir, url="http://h/i.jpg", body=b"v1", content_type=jpeg, fetched_at="t1"
    )
    assert (files_dir / rec.path).read_bytes() == b"v1" and rec.size == 2
    rec2 = store.save_file(
        db, files_dir, url="http://h/i.jpg", body=b"v2", content_type=jpeg, fetched_at="t2"
    )
    rows = list(db.query("SELECT * FROM files"))
    assert len(rows) == 1 and rows[0]["sha256"] == rec2.sha256 and rows[0]["fetched_at"] == "t2"
    assert (files_dir / rec.path).exists()  # the old content is kept
    assert os.path.commonpath([files_dir, files_dir / rec2.path]) == str(files_dir)
