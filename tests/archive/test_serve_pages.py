"""The web view's own pages (issue 12, points 1 and 5): every search hit page by page with
the exact total, any revision of an article, and a word-level diff between two revisions."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from archive.datasette.pages import page_numbers
from archive.serve import build_datasette
from tests.archive.test_queries_samples import build_archive


class Client:
    def __init__(self, db_path: Path) -> None:
        self.ds = build_datasette(db_path)
        asyncio.run(self.ds.invoke_startup())

    def get(self, path: str) -> Any:
        return asyncio.run(self.ds.client.get(path))

    def html(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.text[:500])
        return str(response.text)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Client:
    return Client(build_archive(tmp_path_factory.mktemp("pages") / "archive.db"))


def test_web_search_explains_and_counts(samples: Client) -> None:
    assert "Cannot search: unbalanced quote" in samples.html("/-/search?q=%22abc")
    assert "No article matches “zzzz”." in samples.html("/-/search?q=zzzz")
    html = samples.html("/-/search?q=l%C3%BAa")  # "lúa"
    assert "1 article matches “lúa”, showing 1–1" in html
    assert 'href="/-/article/most:105"' in html
    html = samples.html("/archive/search?q=hoc")  # the stored query links to every hit
    assert 'href="/-/search?q=hoc"' in html


def test_page_numbers_link_first_last_and_neighbours() -> None:
    assert page_numbers(1, 1) == [1]
    assert page_numbers(10, 30) == [1, None, 6, 7, 8, 9, 10, 11, 12, 13, 14, None, 30]
    assert page_numbers(2, 3) == [1, 2, 3]


def test_revision_page_shows_the_old_text(samples: Client) -> None:
    html = samples.html("/-/article/most:104/revision/1")
    assert "Điện lực miền Trung đẩy mạnh chuyển đổi số</h1>" in html
    assert "điện hạt nhân." in html and "Revision 1 of 2" in html
    html = samples.html("/-/article/104/revision/2")
    assert "năm 2025</h1>" in html and "(the current one)" in html
    assert 'href="/-/article/most:104/diff/1/2"' in html
    assert samples.get("/-/article/104/revision/9").status_code == 404
    assert samples.get("/-/article/999/revision/1").status_code == 404


def test_diff_page_marks_words(samples: Client) -> None:
    html = samples.html("/-/article/most:104/diff/1/2")
    assert "phát triển điện<del> hạt nhân.</del><ins> gió.</ins></p>" in html
    assert "chuyển đổi số<ins> năm 2025</ins>" in html
    assert "2 lines changed" in html
    article = samples.html("/-/article/most:104")
    assert 'href="/-/article/most:104/diff/1/2"' in article
    assert 'href="/-/article/most:104/revision/1"' in article


def test_exclusions_only_run_on_the_full_search_page(samples: Client) -> None:
    html = samples.html("/-/search?q=-%C4%91i%E1%BB%87n")  # "-điện"
    assert "6 articles match “-điện”" in html and "most:104" not in html
    stored = samples.html("/archive/search?q=-dien")
    assert "Cannot search: a query of exclusions only" in stored
    rows = samples.get("/archive/search.json?q=-dien&_shape=array").json()
    assert rows == []  # the SQL function matches nothing rather than fail
