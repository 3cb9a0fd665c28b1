"""Hostile values typed into the archivists' commands and the web view.

Each test here is one kind of input that once ended in a Python traceback, an HTTP 500 or a
misleading message: the last day a date can name (``--until 9999``), bytes that are not UTF-8
on the command line (a shell passes ``$'\\xff'`` as it is; Python reads it as a lone
surrogate), a ``--db`` the system refuses to look at (a name too long, a folder without
permission) or an empty one, an archive stored under a name that is not UTF-8, a lock file
that cannot be created, a ``--host`` that is no host name, and query-string values of
Datasette's own table views (a column to sort by that does not exist, a number beyond 64 bits,
a NUL character). The answer is always the command's own: exit 1 with ``Error: …``, exit 2
with a usage error, or HTTP 400/404 with a message.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result

from archive import store
from archive.backup import backup
from archive.cli import main
from archive.db import open_archive
from archive.queries import parse_date
from tests.archive.test_portals import BIG, T1, mst_article
from tests.archive.test_queries_samples import build_archive
from tests.archive.test_serve_pages import Client
from tests.archive.unprivileged import WHY_NOT, run_unprivileged, unprivileged_python

NOT_UTF8 = "\udcff"  # what Python makes of the byte 0xff in argv (surrogateescape)
TOO_LONG = "x" * 5000  # longer than any file name (ENAMETOOLONG)


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("hostile") / "archive.db")
    db = open_archive(path)
    store.save_article(db, mst_article(BIG), page_id=None, fetched_at=T1)
    db.conn.close()
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def clean(result: Result) -> None:
    """No traceback: the command ended through click (a message and an exit code)."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("until", ["9999", "9999-12", "9999-12-31"])
def test_until_the_last_year_a_date_can_name_takes_every_article(
    archive_path: Path, until: str
) -> None:
    """The day after 9999-12-31 is no date: the bound was an OverflowError traceback
    (``9999-12-31``) or "year 10000 is out of range" for a year the user typed right."""
    db = ["--db", str(archive_path)]
    every = run("search", "học", "--count", *db)
    result = run("search", "học", "--count", "--until", until, *db)
    clean(result)
    assert result.exit_code == 0, result.output
    assert result.stdout == every.stdout
    for fmt in ("jsonl", "warc"):
        result = run("export", "--format", fmt, "--since", "2024", "--until", until, *db)
        clean(result)
        assert result.exit_code == 0, result.output
    bound = parse_date(until, end=True)
    assert bound > "9999-12-31T23:59:59+07:00"
    assert parse_date("9999-12-31", end=False) < bound


# --- text that is not UTF-8 -------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["show", "{}"],
        ["show", "mst:1{}"],
        ["diff", "{}"],
        ["search", "học", "--category", "x{}y"],
        ["search", "học", "--source", "{}"],
        ["search", "a{}"],
        ["export", "--category", "{}"],
        ["export", "--query", "{}"],
        ["export", "--format", "warc", "--category", "{}"],
        ["reparse", "--parser-version", "{}"],
        ["serve", "--host", "{}"],
    ],
    ids=lambda a: " ".join(a[:3]).replace("{}", "\\xff"),
)
def test_text_that_is_not_utf8_is_a_usage_error(archive_path: Path, args: list[str]) -> None:
    """``$'\\xff'`` typed where text goes: once an UnicodeEncodeError traceback where the text
    reached SQLite or the resolver (show, diff, --category, serve --host)."""
    result = run(*[a.replace("{}", NOT_UTF8) for a in args], "--db", str(archive_path))
    clean(result)
    assert result.exit_code == 2, result.output
    assert "not valid UTF-8" in result.stderr


# --- paths --------------------------------------------------------------------------------------


COMMANDS = [
    ["search", "học"],
    ["show", "104"],
    ["diff", "104"],
    ["export"],
    ["stats"],
    ["verify"],
    ["migrate"],
    ["reparse"],
    ["backup", "/nonexistent-folder/copy.db"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_a_db_path_the_system_refuses_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    """A name too long (ENAMETOOLONG) was an OSError traceback from the first look at it."""
    result = run(*args, "--db", str(tmp_path / TOO_LONG))
    clean(result)
    assert result.exit_code == 2, result.output
    assert "File name too long" in result.stderr
    result = CliRunner(env={"MOST_ARCHIVE_DB": str(tmp_path / TOO_LONG)}).invoke(main, args)
    clean(result)
    assert result.exit_code == 2, result.output


def test_a_db_in_a_folder_one_may_not_enter(tmp_path: Path, archive_path: Path) -> None:
    """As another user: a --db in a folder without permission was a PermissionError traceback
    in every command but backup."""
    if unprivileged_python() is None:
        pytest.skip(WHY_NOT)
    private = tmp_path / "private"
    private.mkdir()
    shutil.copy(archive_path, private / "archive.db")
    private.chmod(0o700)
    tmp_path.chmod(0o755)
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from archive.cli import main\n"
        "for args in (['search', 'hoc'], ['show', '104'], ['migrate'], ['reparse']):\n"
        "    r = CliRunner().invoke(main, [*args, '--db', sys.argv[1]])\n"
        "    ok = r.exception is None or isinstance(r.exception, SystemExit)\n"
        "    print(args[0], r.exit_code, ok, 'Permission denied' in r.stderr)\n"
    )
    done = run_unprivileged(script, str(private / "archive.db"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.split("\n")
    for command in ("search", "show", "migrate", "reparse"):
        assert f"{command} 2 True True" in lines, done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["search", "học", "--db", ""],
        ["backup", "", "--db", "{db}"],
        ["export", "-o", "", "--db", "{db}"],
    ],
    ids=["--db", "backup DEST", "export -o"],
)
def test_an_empty_path_is_a_usage_error(archive_path: Path, args: list[str]) -> None:
    """``-o ''`` was a ValueError traceback; ``backup ''`` said "'.' exists"."""
    result = run(*[a.replace("{db}", str(archive_path)) for a in args])
    clean(result)
    assert result.exit_code == 2, result.output
    assert "empty" in result.stderr
    assert "'.'" not in result.stderr and " . " not in result.stderr


def test_an_archive_stored_under_a_name_that_is_not_utf8(
    tmp_path: Path, archive_path: Path
) -> None:
    """Linux file names are bytes: an archive saved as ``$'\\xff'.db`` is read like any
    other (every reader and backup failed: UnicodeEncodeError building SQLite's file: URI;
    a WARC export to such a name too, in its warcinfo record)."""
    odd = tmp_path / f"{NOT_UTF8}.db"
    shutil.copy(archive_path, odd)
    db = ["--db", str(odd)]
    for args in (["search", "học", "--count"], ["diff", "104"], ["stats"], ["export"]):
        result = run(*args, *db)
        clean(result)
        assert result.exit_code == 0, (args, result.output)
    # (the command prints the name as it is, which CliRunner's strict UTF-8 output refuses)
    assert backup(odd, tmp_path / "copy.db").articles == 8
    result = run("export", "-o", str(tmp_path / f"out{NOT_UTF8}.warc.gz"), "--format", "warc", *db)
    clean(result)
    assert result.exit_code == 0, result.output
    assert os.path.getsize(tmp_path / f"out{NOT_UTF8}.warc.gz") > 0
    result = run("serve", "--port", "0", *db)  # Datasette cannot: it says so, before listening
    clean(result)
    assert result.exit_code == 1, result.output
    assert "cannot open a path that is not UTF-8" in result.stderr


def test_migrate_says_when_its_lock_cannot_be_created(tmp_path: Path, archive_path: Path) -> None:
    """The lock file cannot be created (here a folder holds its name): reparse said so, migrate
    ended in an IsADirectoryError traceback."""
    copy = tmp_path / "archive.db"
    shutil.copy(archive_path, copy)
    (tmp_path / "archive.db.lock").mkdir()
    for command in ("migrate", "reparse"):
        result = run(command, "--db", str(copy))
        clean(result)
        assert result.exit_code == 1, result.output
        assert "archive.db.lock" in result.stderr, result.stderr


# --- serve ----------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["a" * 64 + ".example", "a..b"])
def test_serve_refuses_a_host_that_is_no_name(archive_path: Path, host: str) -> None:
    """A DNS label over 63 characters or an empty one: a UnicodeError traceback (the IDNA
    codec) instead of "cannot listen"."""
    result = run("serve", "--host", host, "--port", "0", "--db", str(archive_path))
    clean(result)
    assert result.exit_code == 1, result.output
    assert f"cannot listen on {host}" in result.stderr
    assert "another --port" not in result.stderr


@pytest.fixture(scope="module")
def web(archive_path: Path) -> Client:
    return Client(archive_path)


HUGE = "9" * 23


@pytest.mark.parametrize(
    "path",
    [
        "/archive/articles?_sort=no_such_column",
        "/archive/articles?_sort_desc=no_such_column",
        "/archive/articles.json?_sort=no_such_column",
        f"/archive/articles?site_id__gt={HUGE}",
        f"/archive/articles.json?site_id__lt={2**64}",
        "/archive/articles?site_id__gt=%C2%B2",  # "²": str.isdigit says yes, int() no
        "/archive/articles?_facet=%00",
        "/archive/articles?_facet_year=%00",
        "/archive/articles?_where=%00",
        "/archive/articles?site_id__in=%5B",  # "["
        "/archive/articles.json?site_id__in=%5B1%2C%5D",  # "[1,]"
        "/archive/articles?_through=x",
        "/archive/articles?_through=%7B%7D",  # "{}"
        "/archive/articles?_through=%5B%5D",  # "[]"
        "/archive/articles?_through=1",
        "/archive/images/1,1",  # its primary key is (portal, site_id, position)
    ],
)
def test_datasette_table_views_answer_400_for_values_they_cannot_run(
    web: Client, path: str
) -> None:
    """Datasette's own table views answered these with HTTP 500."""
    response = web.get(path)
    assert response.status_code == 400, (path, response.text[:300])
    if ".json" in path:
        assert response.json()["ok"] is False


def test_the_table_views_still_sort_and_filter(web: Client) -> None:
    """What the 400s keep: a real column sorts, a number that fits filters."""
    rows = web.get("/archive/articles.json?_sort=site_id&_shape=array&_col=key").json()
    assert rows[0]["key"] == "most:101"
    rows = web.get("/archive/articles.json?site_id__gt=106&_shape=array&_col=key").json()
    assert {r["key"] for r in rows} == {"most:107", f"mst:{BIG}"}
    assert json.loads(json.dumps(rows))


# --- export --format wacz: $MOST_ARCHIVE_WACZ ------------------------------------------------


@pytest.mark.parametrize("where", ["too long", "a folder"])
def test_a_wacz_program_that_is_no_file(
    tmp_path: Path, archive_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """$MOST_ARCHIVE_WACZ naming a name too long was an OSError traceback; naming a folder
    said only "install it", as if the variable were not set."""
    program = tmp_path / TOO_LONG if where == "too long" else tmp_path
    monkeypatch.setenv("MOST_ARCHIVE_WACZ", str(program))
    result = run(
        "export", "--format", "wacz", "-o", str(tmp_path / "x.wacz"), "--db", str(archive_path)
    )
    clean(result)
    assert result.exit_code == 1, result.output
    assert "needs Webrecorder's wacz program" in result.stderr
    assert f"$MOST_ARCHIVE_WACZ is {program}, which is no program file" in result.stderr


def test_a_wacz_program_that_fails_in_bytes_not_utf8(
    tmp_path: Path, archive_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its messages were decoded as UTF-8 strictly: a UnicodeDecodeError traceback."""
    program = tmp_path / "wacz"
    program.write_bytes(b"#!/bin/sh\nprintf 'bad \\377 bytes' >&2\nexit 3\n")
    program.chmod(0o755)
    monkeypatch.setenv("MOST_ARCHIVE_WACZ", str(program))
    result = run(
        "export", "--format", "wacz", "-o", str(tmp_path / "x.wacz"), "--db", str(archive_path)
    )
    clean(result)
    assert result.exit_code == 1, result.output
    assert "WACZ packaging failed: bad \ufffd bytes" in result.stderr
    assert not (tmp_path / "x.wacz").exists()


def test_a_stored_file_replaced_by_a_pipe_is_left_out_of_a_warc(
    tmp_path: Path, archive_path: Path
) -> None:
    """A named pipe where a stored image should be: the WARC export waited on it forever
    (``verify`` already calls it missing; ``serve`` answers 404)."""
    copy = tmp_path / "archive.db"
    shutil.copy(archive_path, copy)
    shutil.copytree(archive_path.with_name("archive-files"), tmp_path / "archive-files")
    (stored,) = (p for p in (tmp_path / "archive-files").rglob("*") if p.is_file())
    stored.unlink()
    os.mkfifo(stored)
    out = tmp_path / "x.warc.gz"
    # Should the export wait on the pipe again, a writer that opens and closes it ends that
    # wait (an end of file), so the test fails instead of hanging the suite.
    rescue = threading.Timer(10, lambda: os.close(os.open(stored, os.O_WRONLY | os.O_NONBLOCK)))
    rescue.start()
    try:
        result = run("export", "--format", "warc", "-o", str(out), "--db", str(copy))
    finally:
        rescue.cancel()
    clean(result)
    assert result.exit_code == 0, result.output
    assert "is not a regular file" in result.stderr
    assert out.stat().st_size > 0


# --- standard output that refuses writes ------------------------------------------------------


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize(
    "args",
    [
        ["search", "học"],
        ["export"],
        ["export", "--format", "warc"],
        ["--help"],
    ],
    ids=lambda a: " ".join(a),
)
def test_standard_output_that_refuses_writes(
    archive_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    """``> /dev/full`` (a disk full under a redirection): an OSError traceback from every
    command, even ``--help``; now one line and exit 1, as for ``-o /dev/full``. (In process:
    standard output is /dev/full itself, as the shell would make it.)"""
    db = [] if args == ["--help"] else ["--db", str(archive_path)]
    with open("/dev/full", "w") as full:
        monkeypatch.setattr(sys, "stdout", full)
        with pytest.raises(SystemExit) as ended:
            main.main([*args, *db], prog_name="most-archive")
    assert ended.value.code == 1
    assert "Error: cannot write standard output: No space left on device" in capsys.readouterr().err


# --- the query syntax -------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["NEAR(", "x(", "khoa học (", "a OR ("])
def test_a_parenthesis_left_open_at_the_end_is_named(
    archive_path: Path, web: Client, query: str
) -> None:
    """An opening parenthesis with nothing after it was "empty query: type at least one
    word", for a query with words in it."""
    result = run("search", query, "--db", str(archive_path))
    clean(result)
    assert result.exit_code == 2, result.output
    position = query.rindex("(") + 1
    assert f"unbalanced parenthesis: '(' at character {position} is never closed" in (result.stderr)
    assert "empty query" not in result.stderr
    assert "unbalanced parenthesis" in web.html(f"/-/search?q={quote(query)}")


# --- an export that selects nothing -----------------------------------------------------------


FAKE_WACZ = b"""#!/bin/sh
# writes an empty file where -o says, as the real program writes its package there
while [ $# -gt 0 ]; do if [ "$1" = "-o" ]; then shift; : > "$1"; fi; shift; done
"""


@pytest.mark.parametrize("fmt", ["warc", "wacz", "jsonl"])
def test_an_export_that_selects_nothing_says_which_filter(
    tmp_path: Path, archive_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """A WARC or WACZ export of a filter that selects nothing ended in "exported 1 WARC
    records", silent about the filter (JSON Lines and CSV named it, as the docs promise)."""
    program = tmp_path / "wacz"
    program.write_bytes(FAKE_WACZ)
    program.chmod(0o755)
    monkeypatch.setenv("MOST_ARCHIVE_WACZ", str(program))
    out = str(tmp_path / f"x.{fmt}")
    db = ["--db", str(archive_path), "-o", out, "--format", fmt]
    result = run("export", "--category", "²", *db)
    clean(result)
    assert result.exit_code == 0, result.output
    assert "--category '²': no category's name contains it" in result.stderr
    result = run("export", "--query", "zzzz", *db)
    assert "--query 'zzzz': no article matches it" in result.stderr
    result = run("export", "--category", "Tin", *db)  # it selects articles: no reason given
    assert result.exit_code == 0, result.output
    assert "no category" not in result.stderr and "no article" not in result.stderr


def test_a_nul_in_the_query_string_is_refused_before_any_facet_starts(
    tmp_path: Path, recwarn: pytest.WarningsRecorder
) -> None:
    """A NUL (%00) once reached Datasette's facets, which SQLite then refused, leaving the
    other facets' coroutines unawaited: a RuntimeWarning on the server's standard error for
    every such request. Refused first (plugin.nul_problem), with the same 400."""
    import gc

    web = Client(build_archive(tmp_path / "archive.db"))
    for path in ("/archive/articles.json?_facet=%00", "/archive/articles.json?_facet_year=%00"):
        response = web.get(path)
        assert response.status_code == 400, path
        body = json.loads(response.text)
        assert body["title"] == "Invalid request" and "NUL" in body["error"]
    gc.collect()
    never_awaited = [w for w in recwarn if "never awaited" in str(w.message)]
    assert never_awaited == []
