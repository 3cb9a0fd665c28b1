"""Search that tells the truth (issue 12, point 1): exact totals, every hit, export by query.

The proof runs on 1,000 replica articles: ``search --count`` equals the number of articles a
brute-force scan of the exported JSON Lines finds for the same folded words, for a dozen
queries, and paging with ``--offset`` returns every hit exactly once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive.cli import main
from archive.normalize import fold
from archive.search import split_tokens

# (query, words that must all appear, words that must not), every word folded.
QUERIES = [
    ("khoa học", ["khoa", "hoc"], []),
    ("chuyen doi so", ["chuyen", "doi", "so"], []),
    ("Điện", ["dien"], []),
    ("dien", ["dien"], []),
    ("NAFOSTED", ["nafosted"], []),
    ("Hà Nội", ["ha", "noi"], []),
    ("hợp tác quốc tế", ["hop", "tac", "quoc", "te"], []),
    ("duong", ["duong"], []),
    ("triệu nay", ["trieu", "nay"], []),
    ("tue -dien", ["tue"], ["dien"]),
    ("ha -noi -duong", ["ha"], ["noi", "duong"]),
    ("-nafosted", [], ["nafosted"]),
    ("43", ["43"], []),
]

Rows = list[tuple[str, set[str]]]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def exported(replica_archive_1000: Path) -> Rows:
    """(key, folded tokens of title, lead, body, captions and source) of every article."""
    result = run("export", "--db", str(replica_archive_1000))
    assert result.exit_code == 0, result.output
    rows = []
    for line in result.stdout.splitlines():
        r = json.loads(line)
        texts = [
            r["title"],
            r["lead"],
            r["body"],
            r["source"] or "",
            *(i["caption"] or "" for i in r["images"]),
        ]
        rows.append((r["key"], set(split_tokens(fold(" ".join(texts))))))
    assert len(rows) == 1000
    return rows


def brute_force(rows: Rows, want: list[str], drop: list[str]) -> set[str]:
    return {
        key
        for key, tokens in rows
        if all(w in tokens for w in want) and not any(w in tokens for w in drop)
    }


@pytest.mark.parametrize(("query", "want", "drop"), QUERIES)
def test_count_equals_a_brute_force_scan(
    replica_archive_1000: Path, exported: Rows, query: str, want: list[str], drop: list[str]
) -> None:
    expected = brute_force(exported, want, drop)
    assert 0 < len(expected) < 1000 or query == "khoa học"
    result = run("search", "--count", "--db", str(replica_archive_1000), "--", query)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{len(expected)}\n"


@pytest.mark.parametrize(("query", "want", "drop"), [QUERIES[2], QUERIES[5], QUERIES[9]])
def test_paging_returns_every_hit_exactly_once(
    replica_archive_1000: Path, exported: Rows, query: str, want: list[str], drop: list[str]
) -> None:
    expected = brute_force(exported, want, drop)
    seen: list[str] = []
    offset, page = 0, 97
    while True:
        result = run(
            "search",
            "--json-object",
            "-n",
            str(page),
            "--offset",
            str(offset),
            "--db",
            str(replica_archive_1000),
            "--",
            query,
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert data["total"] == len(expected) and data["offset"] == offset
        if not data["results"]:
            break
        seen += [h["key"] for h in data["results"]]
        offset += page
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    everything = run("search", "--json", "-n", "0", "--db", str(replica_archive_1000), "--", query)
    assert [h["key"] for h in json.loads(everything.stdout)] == seen  # one order, paged or not


def test_table_says_the_total_and_the_shown_range(
    replica_archive_1000: Path, exported: Rows
) -> None:
    total = len(brute_force(exported, ["dien"], []))
    result = run("search", "dien", "-n", "5", "--offset", "10", "--db", str(replica_archive_1000))
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"{total:,} articles match 'dien', showing 11–15 ")
    assert result.stdout.splitlines()[2].lstrip().startswith("11")


def test_export_by_query_writes_every_match(replica_archive_1000: Path, exported: Rows) -> None:
    expected = brute_force(exported, ["ha"], ["noi", "duong"])
    result = run("export", "--query", "ha -noi -duong", "--db", str(replica_archive_1000))
    assert result.exit_code == 0, result.output
    keys = [json.loads(line)["key"] for line in result.stdout.splitlines()]
    assert set(keys) == expected and len(keys) == len(expected)
    assert f"exported {len(expected)} articles" in result.stderr


@pytest.mark.parametrize(
    "filters",
    [
        {"category": "tin tong hop"},
        {"category": "570"},
        {"category": "most:492"},
        {"since": "2025-06-01"},
        {"source": "KH&CN"},
        {"portal": "most"},
        {"category": "tin", "since": "2024-01-01", "until": "2025-09-01"},
    ],
)
def test_count_with_filters_equals_every_hit(
    replica_archive_1000: Path, filters: dict[str, str]
) -> None:
    """The count checks a category as a set, search row by row: both select the same."""
    from archive.db import open_archive
    from archive.queries import ArticleFilter, count_matches, prepare, ranked_ids
    from archive.search import parse_query

    db = open_archive(replica_archive_1000, readonly=True)
    try:
        prepare(db)
        flt = ArticleFilter(**filters)
        for query in ("dien", "-nafosted", "ha -noi"):
            node = parse_query(query)
            every = ranked_ids(db, node, flt, None)
            assert count_matches(db, node, filters=flt) == len(every)
            assert every or query != "dien"
            assert len({row_id for row_id, *_ in every}) == len(every)
    finally:
        db.conn.close()


def test_web_search_pages_through_every_hit(replica_archive_1000: Path) -> None:
    from tests.archive.test_serve_pages import Client

    client = Client(replica_archive_1000)
    total = int(run("search", "--count", "dien", "--db", str(replica_archive_1000)).stdout)
    keys: list[str] = []
    page = 1
    while True:
        html = client.html(f"/-/search?q=dien&size=200&page={page}")
        count = re.search(r'data-total="(\d+)" data-first="(\d+)" data-last="(\d+)"', html)
        assert count and int(count[1]) == total
        found = re.findall(r'<li data-key="([^"]+)">', html)
        if not found:
            assert "is past the last one" in html
            break
        assert int(count[2]) == len(keys) + 1 and int(count[3]) == len(keys) + len(found)
        keys += found
        if 'rel="next"' not in html:
            break
        page += 1
    assert len(keys) == len(set(keys)) == total > 200
    assert f"{total:,} articles match “dien”, showing 1–200" in client.html(
        "/-/search?q=dien&size=200"
    ).replace("\n", " ").replace("  ", " ")
