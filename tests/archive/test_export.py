"""most-archive export: JSON Lines and CSV contents, filters, -o FILE, and the WARC branch."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_queries_samples import ARTICLES, ELECTRIC_V2, IMAGE_BYTES, build_archive
from warcio.archiveiterator import ArchiveIterator

from archive.cli import main
from archive.db import open_archive
from archive.export import CSV_COLUMNS
from archive.files import files_dir_for, resolve
from archive.normalize import join_body

REQUIRED_KEYS = {
    "site_id",
    "url",
    "title",
    "lead",
    "body",
    "published_at",
    "category",
    "source",
    "images",
    "attachments",
}


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("export") / "archive.db")
    return path


def export(archive_path: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, ["export", "--db", str(archive_path), *args])
    return result.exit_code, result.stdout_bytes, result.stderr


def test_jsonl_has_every_article_with_the_contract_keys(archive_path: Path) -> None:
    code, out, err = export(archive_path)
    assert code == 0, err
    assert "exported 7 articles" in err
    assert "Điện lực".encode() in out  # UTF-8, not \u escapes
    records = [json.loads(line) for line in out.decode("utf-8").splitlines()]
    assert [r["site_id"] for r in records] == sorted(a.site_id for a in ARTICLES)
    for r in records:
        assert set(r) >= REQUIRED_KEYS
    r = {r["site_id"]: r for r in records}[104]
    assert r["title"] == ELECTRIC_V2.title and r["lead"] == ELECTRIC_V2.lead
    assert r["body"] == join_body(ELECTRIC_V2.body) and "\n\n" in r["body"]
    assert (r["published_at"], r["category"], r["source"]) == (
        ELECTRIC_V2.published_at,
        ELECTRIC_V2.category,
        ELECTRIC_V2.source,
    )
    assert [set(i) for i in r["images"]] == [{"url", "caption", "path"}] * 2
    assert [i["caption"] for i in r["images"]] == ["Toàn cảnh Hội nghị tập huấn.", None]
    path = r["images"][0]["path"]
    assert resolve(files_dir_for(archive_path), path).read_bytes() == IMAGE_BYTES
    assert r["images"][1]["path"] is None
    assert r["attachments"] == [
        {"url": ELECTRIC_V2.attachments[0].url, "title": "Quyết định số 01", "path": None}
    ]


def test_decomposed_input_is_exported_nfc(archive_path: Path) -> None:
    _, out, _ = export(archive_path)
    r = {r["site_id"]: r for r in map(json.loads, out.decode().splitlines())}[105]
    assert r["title"] == "Nghiên cứu công nghệ sinh học"  # NFC literal


def test_csv_flattens_lists_into_parallel_cells(archive_path: Path) -> None:
    code, out, err = export(archive_path, "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8"), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(ARTICLES)
    row = {int(r["site_id"]): r for r in rows}[104]
    assert row["body"] == join_body(ELECTRIC_V2.body)
    assert row["image_urls"].split("\n") == [i.url for i in ELECTRIC_V2.images]
    assert row["image_captions"].split("\n") == ["Toàn cảnh Hội nghị tập huấn.", ""]
    assert row["image_paths"].split("\n")[0].endswith(".jpg")
    assert row["attachment_titles"] == "Quyết định số 01"
    assert row["categories"] == "Tin tức sự kiện; Tin tổng hợp"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "2024"], [101, 104, 105, 106, 107]),
        (["--until", "2023"], [102, 103]),
        (["--since", "2024-02", "--until", "2024-03"], [101, 107]),
        (["--category", "Điểm báo KHCN"], [102, 105, 107]),
        (["--category", "493"], [101, 104]),
    ],
)
def test_filters(archive_path: Path, args: list[str], expected: list[int]) -> None:
    code, out, err = export(archive_path, *args)
    assert code == 0, err
    assert [json.loads(line)["site_id"] for line in out.decode().splitlines()] == expected


def test_output_file_is_complete_and_alone(archive_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    code, out, err = export(archive_path, "-o", str(target))
    assert code == 0, err
    assert out == b""
    assert len(target.read_text(encoding="utf-8").splitlines()) == len(ARTICLES)
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]  # no partial file left


def test_unwritable_output_is_a_clean_error(archive_path: Path, tmp_path: Path) -> None:
    code, _, err = export(archive_path, "-o", str(tmp_path / "missing-dir" / "out.jsonl"))
    assert code == 1
    assert "cannot write" in err and "Traceback" not in err


def test_bad_format_and_date_are_usage_errors(archive_path: Path) -> None:
    assert export(archive_path, "--format", "xml")[0] == 2
    code, _, err = export(archive_path, "--since", "2024-02-30")
    assert code == 2 and "not a valid date" in err


def test_warc_branch_writes_the_raw_pages(archive_path: Path, tmp_path: Path) -> None:
    target = tmp_path / "archive.warc.gz"
    code, _, err = export(archive_path, "--format", "warc", "-o", str(target))
    assert code == 0, err
    with target.open("rb") as fh:
        records = [
            (r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(fh)
        ]
    assert records[0][0] == "warcinfo"
    db = open_archive(archive_path, readonly=True)
    files = {r["url"]: r["path"] for r in db.query("select url, path from files")}
    db.conn.close()
    responses = [uri for kind, uri in records if kind == "response"]
    # every article page, then every downloaded file (issue 12)
    assert sorted(u for u in responses if u not in files) == sorted(a.url for a in ARTICLES)
    assert sorted(u for u in responses if u in files) == sorted(files)
    code, out, _ = export(archive_path, "--format", "warc", "--category", "570")
    uris = [
        r.rec_headers.get_header("WARC-Target-URI")
        for r in ArchiveIterator(io.BytesIO(out))
        if r.rec_type == "response"
    ]
    chosen = next(a for a in ARTICLES if a.site_id == 107)
    assert [u for u in uris if u not in files] == [chosen.url]
    assert {u for u in uris if u in files} == {i.url for i in chosen.images if i.url in files} | {
        t.url for t in chosen.attachments if t.url in files
    }


# --- -o FILE that is not a plain file: a pipe, a device, a link -------------------------------
# (A regular file is written beside itself and renamed into place; renaming over anything else
# replaced the pipe or device node itself: `-o /dev/null`, run as root, made /dev/null a file.)


def test_output_into_a_named_pipe_writes_through_it(archive_path: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = export(archive_path, "-o", str(fifo))
    reader.join(timeout=30)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the pipe, not a file renamed over it
    assert len(got) == 1 and len(got[0].decode("utf-8").splitlines()) == len(ARTICLES)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no partial file left


def test_output_through_a_link_replaces_the_file_it_points_to(
    archive_path: Path, tmp_path: Path
) -> None:
    real = tmp_path / "exports" / "2026-11-29.jsonl"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(real)
    code, _, err = export(archive_path, "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert len(real.read_text(encoding="utf-8").splitlines()) == len(ARTICLES)
    assert sorted(p.name for p in real.parent.iterdir()) == ["2026-11-29.jsonl"]
