"""Issue 13, point 7: a query nested too deeply is a clear error everywhere, never a crash.

The bound lives in the query parser (archive.search); the CLI turns it into exit 2, `serve`
into HTTP 400 with the parser's message (also for Datasette's ``_searchmode=raw``, whose text
goes to FTS5 as typed), and the SQL functions into an expression that matches nothing.
"""

from __future__ import annotations

import asyncio
import importlib.util
import sqlite3
import sys
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from test_queries_samples import build_archive

from archive.cli import main
from archive.datasette.plugin import match_exact, match_folded
from archive.search import MAX_NESTING, QueryError, check_nesting, parse_query, to_fts
from archive.serve import build_datasette

ROOT = Path(__file__).resolve().parents[2]
DEEP = "(" * 250 + "dien" + ")" * 250
DEEP_MIXED = "a AND (" * 60 + "b" + ")" * 60


def _sample_module() -> ModuleType:
    path = ROOT / "tests" / "browser" / "sample_archive.py"
    spec = importlib.util.spec_from_file_location("most_sample_archive_nesting", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("query", [DEEP, DEEP_MIXED, "NOT (" * 100 + "x" + ")" * 100])
def test_parser_refuses_deep_nesting_with_a_message(query: str) -> None:
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_query(query)


def test_nesting_up_to_the_bound_still_parses() -> None:
    query = "(" * MAX_NESTING + "khoa OR (học)" + ")" * MAX_NESTING
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_query("(" + query + ")")
    node = parse_query(query[1:-1])
    # FTS5 accepts what the parser writes out for the deepest allowed query
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(x)")
    conn.execute("SELECT * FROM f WHERE f MATCH ?", (to_fts(node, str),)).fetchall()


def test_parentheses_inside_a_phrase_do_not_count() -> None:
    check_nesting('"' + "(" * 300 + '" x')
    parse_query('"' + "(" * 300 + 'khoa"')


def test_sql_functions_never_raise() -> None:
    assert match_folded(DEEP) == '""' and match_exact(DEEP) == '""'


def test_cli_search_exits_2_with_a_message(tmp_path: Path) -> None:
    db_path = build_archive(tmp_path / "archive.db")
    result = CliRunner().invoke(main, ["search", DEEP, "--db", str(db_path)])
    assert result.exit_code == 2, result.output
    assert "nested too deeply" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture(scope="module")
def datasette(tmp_path_factory: pytest.TempPathFactory) -> Any:
    path: Path = tmp_path_factory.mktemp("nesting") / "archive.db"
    _sample_module().fill_archive(path)
    ds = build_datasette(path)
    asyncio.run(ds.invoke_startup())
    return ds


@pytest.mark.parametrize(
    "url",
    [
        "/archive/search?q={q}",
        "/archive/search.json?q={q}",
        "/archive/articles?_search={q}",
        "/archive/articles.json?_search={q}",
        "/archive/articles.json?_search={q}&_searchmode=raw",
        "/archive/articles?_search={q}&_searchmode=raw",
        "/archive/articles.json?_search_title={q}",
    ],
)
def test_serve_answers_400_with_the_message(datasette: Any, url: str) -> None:
    response = asyncio.run(datasette.client.get(url.format(q=quote(DEEP))))
    assert response.status_code == 400, response.text[:300]
    assert "nested too deeply" in response.text
    if ".json" in url:
        assert response.json()["ok"] is False


def test_serve_custom_sql_with_a_deep_query_matches_nothing(datasette: Any) -> None:
    sql = quote(f"select most_match('{DEEP}') as m")
    response = asyncio.run(datasette.client.get(f"/archive.json?sql={sql}&_shape=array"))
    assert response.status_code == 200, response.text[:300]
    assert response.json() == [{"m": '""'}]


def test_serve_shallow_queries_unchanged(datasette: Any) -> None:
    for url in (
        "/archive/search.json?q=(dien)&_shape=array",
        "/archive/articles.json?_search=(dien)&_searchmode=raw&_shape=array",
        "/archive/articles.json?_search=%22unbalanced&_shape=array",
    ):
        response = asyncio.run(datasette.client.get(url))
        assert response.status_code == 200, (url, response.text[:300])
