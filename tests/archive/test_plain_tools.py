"""The plain tools work (issue 12, point 6): ``sqlite-utils search archive.db articles dien``
and ``datasette archive.db`` (no metadata, no plugin) find the articles holding "điện".

They detect the full-text table by the convention sqlite-utils' ``enable_fts`` records: an
FTS table created with ``content="articles"``. Both run in a subprocess, as a user runs them,
so nothing of ``most-archive serve`` (its plugin, its metadata) is loaded.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from archive.migrations import FTS_EXACT, FTS_FOLDED
from tests.archive.test_queries_samples import build_archive

BIN = Path(sys.executable).parent
ELECTRIC = 104  # the sample article whose title and lead hold "Điện"


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    which = shutil.which(name)
    if which is None:
        pytest.skip(f"{name} is not installed")
    return which


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = build_archive(tmp_path_factory.mktemp("plain") / "archive.db")
    return path


def holding_dien(db_path: Path) -> set[int]:
    """The articles whose text holds "điện" in any case (a scan, not the index)."""
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT site_id, title || ' ' || lead || ' ' || body FROM articles")
        return {sid for sid, text in rows if "điện" in text.lower()}
    finally:
        conn.close()


def test_sqlite_utils_detects_the_folded_table(archive_path: Path) -> None:
    db = sqlite_utils.Database(archive_path)
    try:
        assert db["articles"].detect_fts() == FTS_FOLDED  # never the exact one
    finally:
        db.close()


def test_sqlite_utils_search_finds_dien(archive_path: Path) -> None:
    expected = holding_dien(archive_path)
    assert ELECTRIC in expected
    done = subprocess.run(
        [
            tool("sqlite-utils"),
            "search",
            str(archive_path),
            "articles",
            "dien",
            "-c",
            "site_id",
            "-c",
            "title",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert {r["site_id"] for r in json.loads(done.stdout)} == expected


# Plain Datasette in its own process (nothing of most-archive's plugin or metadata loaded):
# the table page, a search, a search that matches nothing.
DATASETTE = r"""
import asyncio, json, sys
from datasette.app import Datasette
ds = Datasette(files=[sys.argv[1]])
async def main():
    await ds.invoke_startup()
    page = await ds.client.get("/archive/articles")
    found = await ds.client.get(
        "/archive/articles.json?_search=dien&_shape=array&_col=site_id&_col=title")
    nothing = await ds.client.get("/archive/articles.json?_search=zzzz&_shape=array")
    plugins = await ds.client.get("/-/plugins.json")
    print(json.dumps({"page": page.text, "found": found.json(), "nothing": nothing.json(),
                      "plugins": plugins.json()}))
asyncio.run(main())
"""


def test_datasette_without_metadata_or_plugin_searches(archive_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", DATASETTE, str(archive_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout)
    assert answers["plugins"] == []  # plain Datasette
    assert 'name="_search"' in answers["page"]  # the search box is shown
    assert {r["site_id"] for r in answers["found"]} == holding_dien(archive_path)
    assert answers["nothing"] == []  # not "every row"


def test_by_hand_queries_of_the_guide(archive_path: Path) -> None:
    """The queries docs/archivists.md shows for sqlite3 users answer as it says."""
    conn = sqlite3.connect(archive_path)
    try:
        folded = conn.execute(
            f"SELECT a.site_id FROM {FTS_FOLDED} JOIN articles a ON a.id = {FTS_FOLDED}.rowid "
            f"WHERE {FTS_FOLDED} MATCH 'dien' ORDER BY a.id DESC"
        ).fetchall()
        assert {r[0] for r in folded} == holding_dien(archive_path)
        exact = conn.execute(
            f"SELECT a.site_id FROM {FTS_EXACT} JOIN articles a ON a.id = {FTS_EXACT}.rowid "
            f"WHERE {FTS_EXACT} MATCH 'điện'"
        ).fetchall()
        assert {r[0] for r in exact} == holding_dien(archive_path)
        titles = conn.execute(
            f"SELECT count(*) FROM {FTS_FOLDED} WHERE {FTS_FOLDED} MATCH 'title : dien'"
        ).fetchone()[0]
        assert titles == 1
        assert (
            conn.execute(
                f"SELECT count(*) FROM {FTS_FOLDED} WHERE {FTS_FOLDED} MATCH 'điện'"
            ).fetchone()[0]
            == 0
        )  # the plain tools do not fold what is typed: đ stays đ
    finally:
        conn.close()


def test_a_rebuild_by_a_plain_tool_fails_rather_than_unfold_the_index(
    archive_path: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    shutil.copyfile(archive_path, copy)
    conn = sqlite3.connect(copy)
    try:
        with pytest.raises(sqlite3.OperationalError):  # "SQL logic error": no captions there
            conn.execute(f"INSERT INTO {FTS_FOLDED} ({FTS_FOLDED}) VALUES ('rebuild')")
        conn.rollback()
        hits = conn.execute(f"SELECT count(*) FROM {FTS_FOLDED} WHERE {FTS_FOLDED} MATCH 'dien'")
        assert hits.fetchone()[0] == len(holding_dien(copy))  # the index is as it was
    finally:
        conn.close()
