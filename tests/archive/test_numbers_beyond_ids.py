"""Numbers no archive can hold, typed where an id, a category or a count goes.

SQLite's INTEGER has 64 bits; Python's ``int`` has no bound, and ``str.isdigit`` takes "²",
which ``int`` refuses. Typed by a user (``show 99999999999999999999999``, ``--category ²``,
``-n 10**23``) or linked in the web view, each once ended in a traceback (OverflowError,
ValueError) or an HTTP 500. Such an id names no article and no category: the commands say so
as for any id they do not find; a count beyond any archive means "all of them".
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive.cli import main
from tests.archive.test_queries_samples import build_archive
from tests.archive.test_serve_pages import Client

HUGE = "9" * 23  # beyond 2**63
BEYOND = str(2**63)  # the first number SQLite's INTEGER cannot hold


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("numbers") / "archive.db")
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


@pytest.mark.parametrize("ref", [HUGE, BEYOND, f"mst:{HUGE}", f"most:{BEYOND}", "²", "mst:²"])
def test_show_and_diff_of_an_id_beyond_any_article(archive_path: Path, ref: str) -> None:
    for command in (["show", ref], ["diff", ref]):
        result = run(*command, "--db", str(archive_path))
        no_traceback(result)
        assert result.exit_code == 1, result.output
        assert f"no archived article matches {ref!r}" in result.stderr


@pytest.mark.parametrize("category", [HUGE, BEYOND, f"most:{HUGE}", "²"])
def test_a_category_beyond_any_id_selects_nothing_and_says_why(
    archive_path: Path, category: str
) -> None:
    db = ["--db", str(archive_path)]
    for extra in ([], ["--count"], ["--json-object"]):
        result = run("search", "học", "--category", category, *extra, *db)
        no_traceback(result)
        assert result.exit_code == 0, result.output
        if extra == ["--json-object"]:
            assert json.loads(result.stdout)["total"] == 0
        elif extra == ["--count"]:
            assert result.stdout.strip() == "0"
        else:
            assert "--category" in result.output and "no category" in result.output
    result = run("export", "--format", "jsonl", "--category", category, *db)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


def test_a_category_given_by_its_id_still_selects_it(archive_path: Path) -> None:
    """What the fix keeps: a category id an archive holds (bare or with its portal)."""
    for category in ("493", "most:493"):
        db = ["--db", str(archive_path)]
        result = run("search", "--category", category, "--json", *db, "--", "-zzzz")
        assert result.exit_code == 0, result.output
        assert {h["site_id"] for h in json.loads(result.stdout)} == {101, 104}


@pytest.mark.parametrize("option", ["--limit", "--offset"])
def test_a_count_beyond_any_archive(archive_path: Path, option: str) -> None:
    db = ["--db", str(archive_path)]
    every = run("search", "học", "--json", "--limit", "0", *db)
    assert every.exit_code == 0, every.output
    for value in (HUGE, BEYOND):
        result = run("search", "học", option, value, "--json", *db)
        no_traceback(result)
        assert result.exit_code == 0, result.output
        hits = json.loads(result.stdout)
        # a limit beyond any archive is every hit; an offset beyond it, none
        assert hits == (json.loads(every.stdout) if option == "--limit" else [])
    result = run("search", "học", option, HUGE, "--json-object", *db)
    no_traceback(result)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"] == len(json.loads(every.stdout))


def test_the_web_view_answers_404_for_an_id_beyond_any_article(archive_path: Path) -> None:
    web = Client(archive_path)
    for ref in (HUGE, f"mst:{HUGE}", BEYOND):
        for path in (f"/-/article/{ref}", f"/-/article/{ref}/revision/1"):
            assert web.get(path).status_code == 404, path
