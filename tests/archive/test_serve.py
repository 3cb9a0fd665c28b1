"""most-archive serve: Datasette over a real archive, in process (Datasette's own ASGI client).

The archive is written through archive.store (tests/browser/sample_archive.py). What a reader
gets: metadata for every table and column, facets, the stored queries with folded search, the
article page with its images from the files folder, raw blobs hidden, nothing written.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sqlite3
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from archive.db import open_archive
from archive.serve import build_datasette, load_metadata, serve_command

ROOT = Path(__file__).resolve().parents[2]


def _sample_module() -> ModuleType:
    path = ROOT / "tests" / "browser" / "sample_archive.py"
    spec = importlib.util.spec_from_file_location("most_sample_archive", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


sample = _sample_module()


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = tmp_path_factory.mktemp("serve") / "archive.db"
    sample.fill_archive(path)
    return path


class Client:
    """Synchronous wrapper over ``datasette.client`` (one event loop per request)."""

    def __init__(self, db_path: Path) -> None:
        self.ds = build_datasette(db_path)
        asyncio.run(self.ds.invoke_startup())

    def get(self, path: str, **kwargs: Any) -> Any:
        return asyncio.run(self.ds.client.get(path, **kwargs))

    def json(self, path: str) -> Any:
        response = self.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return response.json()


@pytest.fixture(scope="module")
def client(archive_path: Path) -> Client:
    return Client(archive_path)


# --- metadata -----------------------------------------------------------------------------


def test_every_table_and_column_has_help(tmp_path: Path) -> None:
    """Checked against the schema the migrations create, so a new column needs its help text."""
    db = open_archive(tmp_path / "fresh.db")
    meta = load_metadata(tmp_path)["databases"]["archive"]["tables"]
    missing = []
    for table in db.table_names():
        if table.startswith("articles_fts") or meta.get(table, {}).get("hidden"):
            continue
        info = meta.get(table)
        if not info or not info.get("description"):
            missing.append(table)
            continue
        missing += [f"{table}.{c}" for c in db[table].columns_dict if c not in info["columns"]]
    assert missing == []


def test_database_is_named_archive_and_fts_tables_hidden(client: Client) -> None:
    data = client.json("/archive.json")
    tables = {t["name"]: t for t in data["tables"]}
    assert not tables["articles"]["hidden"]
    assert tables["articles_fts"]["hidden"] and tables["articles_fts_exact"]["hidden"]
    assert tables["articles"]["count"] == 3
    assert [d["name"] for d in client.json("/-/databases.json")] == ["archive"]


def test_table_page_shows_descriptions_and_column_help(client: Client) -> None:
    html = client.get("/archive/articles").text
    assert "Click a title to read the article" in html
    assert "Publication time from the page" in html  # column help for published_at


# --- facets -------------------------------------------------------------------------------


def test_facets_category_year_source(client: Client) -> None:
    facets = client.json("/archive/articles.json")["facet_results"]
    counts = {name: {r["value"]: r["count"] for r in f["results"]} for name, f in facets.items()}
    assert counts["category"] == {"Tin tổng hợp": 2, "Hoạt động của Đảng ủy": 1}
    assert counts["published_at"] == {"2024": 2, "2023": 1}  # the year facet
    assert facets["published_at"]["type"] == "year"
    assert counts["source"] == {"Trung tâm Truyền thông KH&CN": 1, "Văn phòng Đảng ủy": 1}


def test_selecting_a_year_filters_the_articles(client: Client) -> None:
    data = client.json("/archive/articles.json?published_at__startswith=2023")
    assert [r[0] for r in data["rows"]] == [102]
    selected = [r for r in data["facet_results"]["published_at"]["results"] if r["selected"]]
    assert [r["value"] for r in selected] == ["2023"]


# --- stored queries -----------------------------------------------------------------------


def _ids(client: Client, path: str) -> list[int]:
    return [r["site_id"] for r in client.json(path + "&_shape=array")]


@pytest.mark.parametrize(
    ("query", "expected"),  # a list: in this order; a set: any order
    [
        ("dien", [101, 102]),  # điện (101) and diễn (102) both fold to "dien"
        ("điện", [101, 102]),  # the exact diacritics rank first
        ("diễn", [102, 101]),
        ("Dang", [102, 101]),  # Đảng: đ folds to d
        ('"nha may dien"', [101]),  # a phrase, without diacritics
        ("ma tran", [103]),
        ("tổng*", [102, 101]),  # prefix: tổng kết / Tổng công ty
        ("dien NOT luc", [102]),  # Điện lực (101) excluded
        ("dien*luc", [101]),  # "*" inside a word is not syntax: the phrase "dien luc"
        ("dien AND (hoi OR nha)", {101, 102}),
        ('"unbalanced', []),  # malformed: nothing, not an error page
        ("", []),
    ],
)
def test_search_query_folds_and_ranks_exact_first(
    client: Client, query: str, expected: list[int] | set[int]
) -> None:
    from urllib.parse import quote

    found = _ids(client, f"/archive/search.json?q={quote(query)}")
    assert (set(found) if isinstance(expected, set) else found) == expected


def test_search_form_page_renders(client: Client) -> None:
    response = client.get("/archive/search?q=dien")
    assert response.status_code == 200
    html = response.text
    assert "<title>Search articles · archive</title>" in html
    assert 'href="/-/article/most:101"' in html  # titles link to the article page, by key


def test_search_page_explains_a_malformed_query(client: Client) -> None:
    html = client.get("/archive/search?q=%22kh%C3%B4ng+%C4%91%C3%B3ng").text  # '"không đóng'
    assert "Cannot search: unbalanced quote" in html
    assert "No article matches" not in html
    html = client.get("/archive/search?q=zzzz").text
    assert "No article matches “zzzz”." in html and "Cannot search" not in html


def test_table_search_box_ignores_diacritics(client: Client) -> None:
    rows = client.json("/archive/articles.json?_search=%C4%90%E1%BA%A3ng&_shape=array")
    assert {r["site_id"] for r in rows} == {101, 102}  # "Đảng"
    rows = client.json("/archive/articles.json?_search=dang&_shape=array")
    assert {r["site_id"] for r in rows} == {101, 102}


def test_latest_and_by_source(client: Client) -> None:
    assert [r["site_id"] for r in client.json("/archive/latest.json?_shape=array")] == [
        101,
        103,
        102,
    ]
    assert _ids(client, "/archive/by_source.json?source=truyen%20thong") == [101]
    assert _ids(client, "/archive/by_source.json?source=DANG%20UY") == [102]
    assert _ids(client, "/archive/by_source.json?source=") == [103]  # no source
    sources = client.json("/archive/sources.json?_shape=array")
    assert {s["source"]: s["articles"] for s in sources} == {
        "Trung tâm Truyền thông KH&CN": 1,
        "Văn phòng Đảng ủy": 1,
    }


# --- the article page ---------------------------------------------------------------------


def test_article_page_has_body_images_and_captions(client: Client, archive_path: Path) -> None:
    html = client.get("/-/article/101").text
    assert '<h1 class="title">Điện lực miền Trung ứng dụng khoa học công nghệ</h1>' in html
    assert "<figcaption>Toàn cảnh buổi làm việc tại nhà máy</figcaption>" in html
    assert "<figcaption>Bộ trưởng phát biểu</figcaption>" in html
    assert "<p>Sáng 20/11, đoàn công tác đã thăm nhà máy điện.</p>" in html
    assert "Nguồn: Trung tâm Truyền thông KH&amp;CN" in html
    db = open_archive(archive_path, readonly=True)
    files = {
        r["url"]: r["path"]
        for r in db.query(
            "select f.url, f.path from files f join images i on i.url = f.url "
            "where i.site_id = 101 order by i.position"
        )
    }
    assert len(files) == 2
    for rel in files.values():
        assert f'<img src="/-/files/{rel}"' in html
        response = client.get(f"/-/files/{rel}")
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/png"
        assert response.content == (archive_path.parent / "archive-files" / rel).read_bytes()


def test_article_without_downloaded_image_links_out_without_loading(client: Client) -> None:
    html = client.get("/-/article/103").text
    assert "Image not downloaded" in html
    assert "<img" not in html  # nothing is fetched from the original site


def test_unknown_article_and_bad_file_paths_are_404(client: Client) -> None:
    assert client.get("/-/article/999").status_code == 404
    for path in (
        "/-/files/../archive.db",
        "/-/files/%2e%2e/%2e%2e/etc/passwd",
        "/-/files/00/00/" + "0" * 64 + ".png",
    ):
        assert client.get(path, follow_redirects=True).status_code == 404, path


def test_row_page_links_to_the_article(client: Client) -> None:
    assert 'href="/-/article/most:102"' in client.get("/archive/articles/102").text


# --- blobs, read-only ---------------------------------------------------------------------


def test_raw_blobs_hidden_from_default_views(client: Client) -> None:
    data = client.json("/archive/raw_pages.json")
    assert "body" not in data["columns"] and "url" in data["columns"]
    assert "body_html" not in client.json("/archive/articles.json")["columns"]
    assert "<Binary" not in client.get("/archive/raw_pages").text
    asked = client.json("/archive/raw_pages.json?_col=body&_col=url")
    assert asked["columns"] == ["id", "body", "url"]


def test_serving_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    sample.fill_archive(path)
    open_archive(path).conn.close()  # a clean close: checkpointed, no WAL left behind
    before = path.read_bytes()
    client = Client(path)
    for url in (
        "/archive/articles",
        "/archive/search.json?q=dien",
        "/-/article/101",
        "/archive/raw_pages.json",
        "/archive/articles.json?_search=dien",
    ):
        assert client.get(url).status_code == 200
    response = client.get("/archive.json?sql=" + "delete from articles")
    assert response.status_code == 400  # refused: not a select
    # Below Datasette's SQL check, the connection itself refuses to write.
    database = client.ds.get_database("archive")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        asyncio.run(database.execute("delete from articles"))
    assert path.read_bytes() == before


# --- the command --------------------------------------------------------------------------


def test_help_has_an_example() -> None:
    result = CliRunner().invoke(serve_command, ["--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "most-archive serve --db archive.db" in result.output
    assert "127.0.0.1" in result.output


def test_missing_or_foreign_database_is_a_clean_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(serve_command, ["--db", str(missing)])
    assert result.exit_code == 1
    assert "no archive at" in result.output and "Traceback" not in result.output
    assert not missing.exists()
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.commit()
    result = CliRunner().invoke(serve_command, ["--db", str(other)])
    assert result.exit_code == 1 and "not a most-archive database" in result.output


def test_metadata_is_valid_json_for_datasette(tmp_path: Path) -> None:
    metadata = load_metadata(tmp_path)
    json.dumps(metadata)  # Datasette serves it at /-/metadata.json
    assert metadata["plugins"]["most-archive"]["files_dir"] == str(tmp_path)


def test_a_taken_port_is_a_clean_error(archive_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(serve_command, ["--db", str(archive_path), "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.output
    assert "Traceback" not in result.output


def test_only_web_addresses_become_links() -> None:
    from archive.datasette.plugin import web_link

    assert web_link("https://www.most.gov.vn/a b.jpg") == "https://www.most.gov.vn/a b.jpg"
    for bad in ("javascript:alert(1)", " JaVaScRiPt:x", "data:text/html,x", "/relative", None):
        assert web_link(bad) is None


def test_custom_sql_can_use_the_search_functions(client: Client) -> None:
    from urllib.parse import quote

    sql = (
        "select a.site_id from articles_fts join articles a on a.site_id = articles_fts.rowid "
        "where articles_fts match most_match('dien luc') order by articles_fts.rank"
    )
    assert client.json(f"/archive.json?sql={quote(sql)}&_shape=array") == [{"site_id": 101}]
    fold_sql = quote("select most_fold('Đảng') as f")
    folded = client.json(f"/archive.json?sql={fold_sql}&_shape=array")
    assert folded == [{"f": "dang"}]


def test_a_withdrawn_article_is_marked_on_its_page_and_in_search(tmp_path: Path) -> None:
    from archive import store
    from archive.db import open_archive

    path = tmp_path / "archive.db"
    sample.fill_archive(path)
    db = open_archive(path)
    try:
        assert store.mark_withdrawn(db, 102, at="2026-11-27T05:00:00+00:00", status=404)
    finally:
        db.conn.close()
    web = Client(path)
    gone = web.get("/-/article/102").text
    assert "Withdrawn" in gone and "2026-11-27T05:00:00+00:00" in gone
    assert "Withdrawn" not in web.get("/-/article/101").text
    rows = web.json("/archive/search.json?q=dang&_shape=objects")["rows"]
    marks = {r["site_id"]: r["withdrawn_at"] for r in rows}
    assert marks[102] == "2026-11-27T05:00:00+00:00"
    assert all(v is None for k, v in marks.items() if k != 102)
