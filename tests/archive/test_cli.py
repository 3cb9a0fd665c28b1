"""The archivists' commands through click (CliRunner) and as real subprocesses: output and
exit codes (0 ok, 1 clean error, 2 bad usage, 75 crawl lock held)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from test_queries_samples import ELECTRIC_V1, ELECTRIC_V2, build_archive

from archive.cli import main
from archive.lock import crawl_lock

EXE = Path(sys.executable).parent / "most-archive"


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("cli") / "archive.db")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def clean_error(result: Result, code: int, text: str) -> None:
    assert result.exit_code == code, result.output
    assert text in result.stderr
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- search ---------------------------------------------------------------------------------


def test_search_table(archive_path: Path) -> None:
    result = run("search", "má", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 articles match 'má'")
    assert lines[2].split()[:2] == ["1", "101"]  # exact hit first, no star
    assert "Chuyện của má" in lines[3] and "[Má] tôi kể" in lines[4]
    assert "2* 10" in result.stdout  # folded-only hits are starred


def test_search_json(archive_path: Path) -> None:
    result = run("search", "dien", "--json", "--limit", "5", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert [h["site_id"] for h in hits] == [104]
    assert set(hits[0]) >= {
        "site_id",
        "url",
        "title",
        "published_at",
        "category",
        "source",
        "snippet",
        "score",
    }
    assert hits[0]["title"] == ELECTRIC_V2.title and "[Điện]" in hits[0]["snippet"]


def test_search_filters_from_the_command_line(archive_path: Path) -> None:
    args = ["search", "học", "--json", "--db", str(archive_path)]

    def by(*extra: str) -> list[int]:
        return sorted(h["site_id"] for h in json.loads(run(*args, *extra).stdout))

    assert by("--since", "2024-02", "--category", "diem bao khcn") == [105, 107]
    assert by("--until", "2024-01-31") == [106]
    assert by("--source", "khoa hoc") == [101]
    assert by("--category", "Không có") == []


def test_search_without_hits(archive_path: Path) -> None:
    result = run("search", "xyzzy", "--db", str(archive_path))
    assert result.exit_code == 0 and "No articles match 'xyzzy'" in result.stdout
    result = run("search", "xyzzy", "--json", "--db", str(archive_path))
    assert json.loads(result.stdout) == []


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ('"bộ khoa', "unbalanced quote"),
        ("khoa OR", "OR at the end"),
        ("", "empty query"),
        ("(a", "never closed"),
        ("OR OR", "no words"),
        ("a NOT", "NOT at the end"),
    ],
)
def test_malformed_query_exits_2(archive_path: Path, query: str, why: str) -> None:
    result = run("search", query, "--db", str(archive_path))
    clean_error(result, 2, "malformed query")
    assert why in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--limit", "-1"],
        ["--offset", "-1"],
        ["--since", "May"],
        ["--nope"],
        [],
        ["--since", "2024-05", "--until", "2024-04"],
        ["--count", "--json"],
    ],
)
def test_bad_usage_exits_2(archive_path: Path, args: list[str]) -> None:
    result = run("search", *(["x"] if args else []), *args, "--db", str(archive_path))
    assert result.exit_code == 2


# --- databases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [["search", "x"], ["show", "1"], ["diff", "1"], ["export"], ["stats"]]
)
def test_missing_database_is_an_error_not_a_new_file(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "nope.db"
    clean_error(run(*command, "--db", str(missing)), 1, f"no archive at {missing}")
    assert list(tmp_path.iterdir()) == []


def test_database_from_environment(archive_path: Path, tmp_path: Path) -> None:
    result = run("stats", "--json", env={"MOST_ARCHIVE_DB": str(archive_path)})
    assert result.exit_code == 0 and json.loads(result.stdout)["articles"] == 7
    result = run("stats", env={"MOST_ARCHIVE_DB": str(tmp_path / "x.db")})
    clean_error(result, 1, "no archive at")


def test_not_an_archive(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not sqlite at all " * 100)
    clean_error(run("stats", "--db", str(text)), 1, str(text))
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t (x)").connection.close()
    clean_error(run("search", "x", "--db", str(empty)), 1, "not a most-archive database")


# --- show / diff ----------------------------------------------------------------------------


def test_show_text(archive_path: Path) -> None:
    result = run("show", "104", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(ELECTRIC_V2.title + "\n")
    assert "caption: Toàn cảnh Hội nghị tập huấn." in out
    files_dir = archive_path.with_name("archive-files").resolve()
    assert f"file:    {files_dir}/" in out and "not downloaded" in out
    assert "Quyết định số 01" in out and "Tin tổng hợp (493)" in out
    assert "Revisions (2, oldest first):" in out
    assert out.index(ELECTRIC_V1.title + "\n") > out.index("Revisions (2")


def test_show_json_by_url(archive_path: Path) -> None:
    url = "https://www.most.gov.vn/VN/tin-tuc/104/other-slug.aspx?ref=rss"
    result = run("show", url, "--json", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    a = json.loads(result.stdout)
    assert a["site_id"] == 104 and a["title"] == ELECTRIC_V2.title
    assert [r["revision"] for r in a["revisions"]] == [1, 2]
    assert a["revisions"][0]["title"] == ELECTRIC_V1.title
    assert {"first_seen", "last_seen", "body", "images", "attachments"} <= set(a["revisions"][0])
    assert a["images"][0]["path"] and a["images"][1]["path"] is None
    assert a["files_dir"].endswith("archive-files")


def test_show_unknown(archive_path: Path) -> None:
    clean_error(run("show", "999", "--db", str(archive_path)), 1, "no archived article")


def test_diff_last_two(archive_path: Path) -> None:
    result = run("diff", "104", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("--- article 104 revision 1")
    assert lines[1].startswith("+++ article 104 revision 2")
    assert f"-title: {ELECTRIC_V1.title}" in lines
    assert f"+title: {ELECTRIC_V2.title}" in lines
    assert f"-  {ELECTRIC_V1.body[0]}" in lines and f"+  {ELECTRIC_V2.body[0]}" in lines
    assert " lead: Tổng công ty Điện lực miền Trung họp tổng kết năm." in lines  # context


def test_diff_explicit_and_reversed(archive_path: Path) -> None:
    same = run("diff", "104", "1", "2", "--db", str(archive_path)).stdout
    assert same == run("diff", "104", "1", "--db", str(archive_path)).stdout
    back = run("diff", "104", "2", "1", "--db", str(archive_path)).stdout.splitlines()
    assert f"+title: {ELECTRIC_V1.title}" in back


def test_diff_edges(archive_path: Path) -> None:
    one = run("diff", "101", "--db", str(archive_path))
    assert one.exit_code == 0 and one.stdout == "" and "one revision only" in one.stderr
    clean_error(run("diff", "104", "1", "5", "--db", str(archive_path)), 1, "no revision 5")
    assert run("diff", "104", "1", "2", "3", "--db", str(archive_path)).exit_code == 2
    assert run("diff", "104", "0", "--db", str(archive_path)).exit_code == 2
    clean_error(run("diff", "999", "--db", str(archive_path)), 1, "no archived article")


# --- stats / backup / reparse ---------------------------------------------------------------


def test_stats_text(archive_path: Path) -> None:
    result = run("stats", "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Articles:     7 (8 revisions)" in out
    assert "Files:        1 downloaded" in out
    assert "incremental  ok" in out and "full         partial" in out
    assert "Open fetch errors: 1 (file 1)" in out


def test_backup(archive_path: Path, tmp_path: Path) -> None:
    dest = tmp_path / "copy.db"
    result = run("backup", str(dest), "--db", str(archive_path))
    assert result.exit_code == 0, result.output
    assert "7 articles" in result.stdout
    with sqlite3.connect(dest) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (7,)
    clean_error(run("backup", str(dest), "--db", str(archive_path)), 1, "--force")
    assert run("backup", str(dest), "--force", "--db", str(archive_path)).exit_code == 0
    clean_error(
        run("backup", str(tmp_path / "c2.db"), "--db", str(tmp_path / "x.db")), 1, "no archive at"
    )


def test_reparse_exits_75_while_a_crawl_holds_the_lock(tmp_path: Path) -> None:
    db_path = build_archive(tmp_path / "archive.db")
    with crawl_lock(db_path):
        result = run("reparse", "--db", str(db_path))
    assert result.exit_code == 75
    assert "another crawl holds" in result.stderr


def test_reparse_runs(tmp_path: Path) -> None:
    db_path = build_archive(tmp_path / "archive.db")
    result = run("reparse", "--db", str(db_path))
    assert result.exit_code in (0, 1), result.output  # 1: some stored pages did not parse
    assert result.stdout.startswith("re-parsed 7 articles:")
    with sqlite3.connect(db_path) as conn:  # nothing lost
        assert conn.execute("SELECT count(*) FROM revisions").fetchone()[0] >= 8


# --- the real executable --------------------------------------------------------------------


def test_real_subprocess(archive_path: Path) -> None:
    assert EXE.exists(), f"console script missing at {EXE} (pip install -e .)"
    out = subprocess.run(
        [str(EXE), "search", "Dang", "--json", "--db", str(archive_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert [h["site_id"] for h in json.loads(out.stdout)] == [104]
    bad = subprocess.run(
        [str(EXE), "search", '"unbalanced', "--db", str(archive_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "malformed query: unbalanced quote" in bad.stderr and "Traceback" not in bad.stderr
    export = subprocess.run(
        [str(EXE), "export", "--db", str(archive_path)],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert export.returncode == 0
    assert len(export.stdout.decode("utf-8").splitlines()) == 7
