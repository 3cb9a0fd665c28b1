"""The WARC export: valid for `warcio check`, one response record per stored page, replayable.

The archive is written through archive.store (tests/browser/sample_archive.py); the export is
read back with warcio's ArchiveIterator and compared with the stored raw pages record by
record: target URI, date, status, headers fixed for the decoded body, payload bytes.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive import store
from archive.db import open_archive
from archive.files import files_dir_for
from archive.queries import parse_date
from archive.rawpages import page_body
from archive.warc import status_line, warc_date, write_warc

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _sample_module() -> ModuleType:
    path = ROOT / "tests" / "browser" / "sample_archive.py"
    spec = importlib.util.spec_from_file_location("most_sample_archive", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


sample = _sample_module()


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = tmp_path_factory.mktemp("warc") / "archive.db"
    sample.fill_archive(path)
    # A second version of article 101: a second raw page at the same URL, fetched later.
    sample.save(path, sample.SAMPLES[0], version=2, fetched_at="2026-11-22T01:02:03+00:00")
    return path


def stored_pages(path: Path, where: str = "1 = 1") -> list[dict[str, Any]]:
    db = open_archive(path, readonly=True)
    try:
        pages = list(db.query(f"select * from raw_pages where {where} order by id"))
        for page in pages:  # the body as fetched, whatever the codec it is stored with
            page["body"] = page_body(db, int(page["id"]))
        return pages
    finally:
        db.conn.close()


def stored_files(path: Path) -> list[dict[str, Any]]:
    db = open_archive(path, readonly=True)
    try:
        return list(db.query("select * from files order by rowid"))
    finally:
        db.conn.close()


def export(path: Path, out: Path, **filters: str | None) -> int:
    db = open_archive(path, readonly=True)
    try:
        with out.open("wb") as fh:
            return write_warc(db, fh, **filters)
    finally:
        db.conn.close()


def read_records(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            entry: dict[str, Any] = {
                "type": record.rec_type,
                "uri": record.rec_headers.get_header("WARC-Target-URI"),
                "date": record.rec_headers.get_header("WARC-Date"),
                "payload": record.content_stream().read(),
            }
            if record.http_headers:
                entry["status_line"] = record.http_headers.statusline
                entry["headers"] = record.http_headers.headers
            records.append(entry)
    return records


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "warcio"), "check", "-v", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_full_export_passes_warcio_check_and_matches_every_page(
    archive_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "archive.warc.gz"
    written = export(archive_path, out)
    pages = stored_pages(archive_path)
    assert len(pages) == 6  # listing, 404, three articles, the second version of 101
    assert written == len(pages) + 1

    check = warcio_check(out)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "digest fail" not in check.stdout

    records = read_records(out)
    assert records[0]["type"] == "warcinfo"
    assert b"most-archive" in records[0]["payload"]
    responses = records[1:]
    assert [r["type"] for r in responses] == ["response"] * len(pages)
    for record, page in zip(responses, pages, strict=True):
        body = page["body"]
        assert record["uri"] == page["url"]
        assert record["payload"] == body
        assert record["date"] == warc_date(page["fetched_at"])
        assert record["status_line"] == status_line(page["status"])
        names = [name.lower() for name, _ in record["headers"]]
        assert "content-encoding" not in names and "transfer-encoding" not in names
        lengths = [v for n, v in record["headers"] if n.lower() == "content-length"]
        assert lengths == [str(len(body))]


def test_headers_are_kept_with_the_wire_ones_renamed(archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.warc.gz"
    export(archive_path, out)
    first_article = next(r for r in read_records(out)[1:] if r["uri"].endswith("/101/bai-101.aspx"))
    headers = first_article["headers"]
    assert ("Set-Cookie", "a=1; path=/") in headers and ("Set-Cookie", "b=2; path=/") in headers
    assert ("Server", "Microsoft-IIS/8.5") in headers
    assert ("X-Archive-Orig-Content-Encoding", "gzip") in headers
    assert ("Content-Type", "text/html; charset=utf-8") in headers
    not_found = next(r for r in read_records(out)[1:] if "/999/" in r["uri"])
    assert not_found["status_line"] == "404 Not Found"


def test_versions_of_one_url_are_separate_records(archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.warc.gz"
    export(archive_path, out)
    versions = [r for r in read_records(out)[1:] if r["uri"].endswith("/101/bai-101.aspx")]
    assert [r["date"] for r in versions] == ["2026-11-20T03:00:00Z", "2026-11-22T01:02:03Z"]
    assert "(cập nhật 2)".encode() in versions[1]["payload"]
    assert "(cập nhật 2)".encode() not in versions[0]["payload"]


@pytest.mark.parametrize(
    ("filters", "site_ids"),
    [
        ({"category": "Hoạt động của Đảng ủy"}, [102]),
        ({"category": "hoat dong cua dang uy"}, [102]),
        ({"since": parse_date("2024", end=False)}, [101, 103]),
        ({"until": parse_date("2023", end=True)}, [102]),
        (
            {"since": parse_date("2024-01", end=False), "until": parse_date("2024-01", end=True)},
            [103],
        ),
    ],
)
def test_filters_select_the_pages_of_the_matching_articles(
    archive_path: Path, tmp_path: Path, filters: dict[str, str], site_ids: list[int]
) -> None:
    out = tmp_path / "f.warc.gz"
    written = export(archive_path, out, **filters)
    uris = [r["uri"] for r in read_records(out)[1:]]
    expected = [
        p["url"]
        for p in stored_pages(archive_path)
        if any(f"/tin-tuc/{sid}/" in p["url"] for sid in site_ids)
    ]
    assert uris == expected and written == len(expected) + 1
    assert warcio_check(out).returncode == 0


def test_export_command_writes_a_valid_warc(archive_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.warc.gz"
    result = subprocess.run(
        [
            str(BIN / "most-archive"),
            "export",
            "--format",
            "warc",
            "--db",
            str(archive_path),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert warcio_check(out).returncode == 0
    files = len(stored_files(archive_path))
    assert files and len(read_records(out)) == len(stored_pages(archive_path)) + files + 1


def test_empty_archive_gives_a_valid_warc_with_only_warcinfo(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    open_archive(path).conn.close()
    out = tmp_path / "empty.warc.gz"
    assert export(path, out) == 1
    assert warcio_check(out).returncode == 0
    assert [r["type"] for r in read_records(out)] == ["warcinfo"]


def test_warc_dates_are_utc() -> None:
    assert warc_date("2026-11-20T10:05:00+07:00") == "2026-11-20T03:05:00Z"
    assert warc_date("2026-11-20T03:05:00") == "2026-11-20T03:05:00Z"
    assert status_line(599) == "599 "


# --- files, revisits, synthesised headers (issue 12) -----------------------------------------


def export_all(path: Path, out: Path, **filters: str | None) -> int:
    db = open_archive(path, readonly=True)
    try:
        with out.open("wb") as fh:
            return write_warc(db, fh, files_dir=files_dir_for(path), **filters)  # type: ignore[arg-type]
    finally:
        db.conn.close()


def warc_fields(path: Path) -> list[dict[str, Any]]:
    """Every record's WARC header fields (a dict) with its payload."""
    found = []
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            fields = dict(record.rec_headers.headers)
            fields["payload"] = record.content_stream().read()
            fields["http"] = record.http_headers.headers if record.http_headers else None
            found.append(fields)
    return found


@pytest.fixture(scope="module")
def revisited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive, then a crawl that found an article page and an image unchanged,
    a 304 re-check, and one image whose response headers were kept."""
    path: Path = tmp_path_factory.mktemp("revisits") / "archive.db"
    sample.fill_archive(path)
    db = open_archive(path)
    try:
        page = next(db.query("select * from raw_pages where url like '%/101/%' order by id"))
        body = store.page_body(db, page["id"])
        assert body is not None
        store.save_page(
            db,
            url=page["url"],
            status=200,
            headers=[("Content-Type", "text/html")],
            body=body,
            fetched_at="2026-11-25T00:00:00+00:00",
            run_id=None,
        )
        store.mark_checked(db, 101, fetched_at="2026-11-26T00:00:00+00:00", url=page["url"])
        data = sample.png(12, 12, (1, 2, 3))
        url = sample.BASE + "/Images/kept-headers.png"
        store.save_file(
            db,
            files_dir_for(path),
            url=url,
            body=data,
            content_type="image/png",
            fetched_at="2026-11-27T00:00:00+00:00",
            status=200,
            headers={"Content-Type": "image/png", "ETag": '"abc"'},
        )
        store.save_file(
            db,
            files_dir_for(path),
            url=url,
            body=data,
            content_type="image/png",
            fetched_at="2026-11-28T00:00:00+00:00",
            status=200,
            headers={"Content-Type": "image/png", "ETag": '"abc"'},
        )
        # an archive of an earlier release: one file with no kept response at all
        db.execute(
            "delete from file_responses where url = (select url from files order by rowid limit 1)"
        )
        db.conn.commit()
    finally:
        db.conn.close()
    return path


def test_every_file_is_a_response_record_with_its_bytes(revisited: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.warc.gz"
    export_all(revisited, out)
    check = warcio_check(out)
    assert check.returncode == 0, check.stdout + check.stderr
    records = warc_fields(out)
    responses = [r for r in records if r["WARC-Type"] == "response"]
    for f in stored_files(revisited):
        data = (files_dir_for(revisited) / f["path"]).read_bytes()
        mine = [r for r in responses if r["WARC-Target-URI"] == f["url"]]
        assert mine and all(r["payload"] == data for r in mine), f["url"]
    assert {r["WARC-Target-URI"] for r in responses} >= {p["url"] for p in stored_pages(revisited)}


def test_kept_headers_are_written_and_synthesised_ones_are_marked(
    revisited: Path, tmp_path: Path
) -> None:
    out = tmp_path / "h.warc.gz"
    export_all(revisited, out)
    records = warc_fields(out)
    assert "Synthesized-Headers" in records[0]["payload"].decode()  # the warcinfo says so
    files = {f["url"] for f in stored_files(revisited)}
    file_records = [
        r for r in records if r["WARC-Type"] == "response" and r["WARC-Target-URI"] in files
    ]
    kept = [r for r in file_records if ("ETag", '"abc"') in r["http"]]
    assert len(kept) == 1 and "WARC-Synthesized-Headers" not in kept[0]
    synthesised = [r for r in file_records if r.get("WARC-Synthesized-Headers") == "true"]
    assert synthesised, "a file of an earlier release must be marked"
    for r in synthesised:
        names = [n.lower() for n, _ in r["http"]]
        assert names == ["content-type", "content-length"]


def test_identical_refetches_are_revisit_records(revisited: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.warc.gz"
    export_all(revisited, out)
    records = warc_fields(out)
    by_id = {r["WARC-Record-ID"]: r for r in records}
    revisits = [r for r in records if r["WARC-Type"] == "revisit"]
    assert [r["WARC-Date"] for r in revisits] == [
        "2026-11-25T00:00:00Z",
        "2026-11-26T00:00:00Z",
        "2026-11-28T00:00:00Z",
    ]
    for r in revisits:
        original = by_id[r["WARC-Refers-To"]]
        assert original["WARC-Type"] == "response"
        assert r["WARC-Profile"].endswith("/revisit/identical-payload-digest")
        assert r["WARC-Refers-To-Target-URI"] == original["WARC-Target-URI"]
        assert r["WARC-Refers-To-Date"] == original["WARC-Date"]
        assert r["WARC-Payload-Digest"] == original["WARC-Payload-Digest"]


def test_a_filtered_export_holds_the_files_of_the_chosen_articles(
    revisited: Path, tmp_path: Path
) -> None:
    out = tmp_path / "f.warc.gz"
    export_all(revisited, out, category="Hoạt động của Đảng ủy")
    records = warc_fields(out)
    uris = {r["WARC-Target-URI"] for r in records if r["WARC-Type"] == "response"}
    db = open_archive(revisited, readonly=True)
    try:
        wanted = {
            r["url"]
            for r in db.query(
                "select f.url from files f join images i on i.url = f.url where i.site_id = 102"
            )
        }
    finally:
        db.conn.close()
    assert wanted and wanted <= uris
    assert all("/102/" in u or u in wanted for u in uris)
    assert warcio_check(out).returncode == 0


def test_wacz_without_the_wacz_program_is_a_clean_error(
    archive_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from archive.cli import main

    monkeypatch.setenv("MOST_ARCHIVE_WACZ", str(tmp_path / "no-such-wacz"))
    out = tmp_path / "x.wacz"
    result = CliRunner().invoke(
        main, ["export", "--format", "wacz", "--db", str(archive_path), "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "needs Webrecorder's wacz program" in result.output and "pipx install wacz" in (
        result.output
    )
    assert not out.exists()


def test_a_header_sent_in_utf8_keeps_its_characters_in_the_warc() -> None:
    """Headers are archived as the bytes came (latin-1 text, one character a byte). warcio
    percent-encodes a non-ASCII value (RFC 8187) from its characters: a UTF-8 file name became
    the UTF-8 of its latin-1 reading, "tÃ i liá»\\x87u.pdf". It now reads "tài liệu.pdf"."""
    from urllib.parse import unquote

    from archive.warc import http_headers

    sent = 'attachment; filename="tài liệu.pdf"'.encode().decode("latin-1")  # as stored
    latin = 'attachment; filename="café.pdf"'.encode("latin-1").decode("latin-1")  # not UTF-8
    block = http_headers(
        200, [("Content-Disposition", sent), ("X-Latin", latin)], 3, "application/pdf"
    )
    text = block.to_ascii_bytes().decode("ascii")
    (disposition,) = [line for line in text.split("\r\n") if line.startswith("Content-Disp")]
    assert unquote(disposition.split("UTF-8''", 1)[1]) == "tài liệu.pdf"
    (other,) = [line for line in text.split("\r\n") if line.startswith("X-Latin")]
    assert unquote(other.split("UTF-8''", 1)[1]) == "café.pdf"  # latin-1 bytes read as such
