"""Paging through the web view's tables reaches every row exactly once.

Datasette (0.65, and its 1.0 alphas) orders a table's first page by the sort column alone and
every later page by the sort column and then the primary key, which its ``_next`` token also
assumes: rows that tie on the sort column across the first page's end were never shown on any
page. The articles table is sorted by ``published_at`` (to the minute: articles published in
the same minute tie), ``fetch_errors`` by ``last_failed``; an archivist harvesting either
through the JSON or CSV API, or "Download CSV: stream all rows", lost rows without a word.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from archive import store
from archive.db import open_archive
from archive.runlog import record_error
from tests.archive.test_portals import T1, most_article, mst_article
from tests.archive.test_serve_pages import Client

SAME_MINUTE = "2025-07-04T10:19:00+07:00"


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Client:
    path = tmp_path_factory.mktemp("paging") / "archive.db"
    db = open_archive(path)
    # newest first: one article a day later, then five of the same minute, then an older one
    articles = [
        mst_article(197250705000000001, published_at="2025-07-05T08:00:00+07:00"),
        *(mst_article(197250704101900000 + n, published_at=SAME_MINUTE) for n in range(4)),
        most_article(102, published_at=SAME_MINUTE),
        most_article(101, published_at="2024-01-01T08:00:00+07:00"),
        most_article(103, published_at=None),
    ]
    for article in articles:
        store.save_article(db, article, page_id=None, fetched_at=T1)
    with db.conn:
        for n in range(7):  # seven failures in the same second
            url = f"https://mst.gov.vn/x-{n}.htm"
            record_error(db, url=url, kind="article", status=503, reason="503", run_id=None, at=T1)
    db.conn.close()
    return Client(path)


def _walk(web: Client, path: str) -> list[Any]:
    """Every row of a table's JSON, page by page through ``next_url``."""
    rows: list[Any] = []
    url: str | None = path
    while url:
        page = web.get(url).json()
        assert page.get("ok", True) is not False, page
        rows.extend(page["rows"])
        following = page.get("next_url")
        url = None if following is None else "?".join(urlsplit(following)[2:4])
    return rows


ARTICLES = "/archive/articles.json?_shape=objects&_col=key"


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("order", ["", "&_sort_desc=published_at", "&_sort=published_at"])
def test_paging_the_articles_reaches_each_once(web: Client, size: int, order: str) -> None:
    every = [r["key"] for r in web.get(f"{ARTICLES}{order}&_size=max").json()["rows"]]
    assert len(set(every)) == 8
    seen = [r["key"] for r in _walk(web, f"{ARTICLES}{order}&_size={size}")]
    assert len(seen) > size  # paged
    assert seen == every, f"page size {size}"
    if order != "&_sort=published_at":  # newest first, ties by id, the undated last
        assert seen[0] == "mst:197250705000000001" and seen[-1] == "most:103"


@pytest.mark.parametrize("order", ["", "&_sort_desc=published_at", "&_sort=published_at"])
def test_streaming_the_articles_as_csv_reaches_each_once(web: Client, order: str) -> None:
    """The "Download CSV: stream all rows" link (Datasette streams page after page, and takes no
    ``_next``): every article once, in the order of the row id."""
    response = web.get(f"/archive/articles.csv?_col=key&_stream=on&_size=2{order}")
    assert response.status_code == 200, response.text[:300]
    keys = [line.split(",")[-1] for line in response.text.splitlines()[1:]]
    assert len(keys) == len(set(keys)) == 8, keys


@pytest.mark.parametrize("size", [2, 3])
def test_paging_the_fetch_errors_reaches_each_once(web: Client, size: int) -> None:
    """(Whether Datasette's first page orders these ties differently from its later pages
    depends on SQLite's plan: this guards the same paging here.)"""
    path = f"/archive/fetch_errors.json?_shape=objects&_size={size}"
    seen = [r["url"] for r in _walk(web, path)]
    assert sorted(seen) == [f"https://mst.gov.vn/x-{n}.htm" for n in range(7)], seen
