"""A reader in a real browser opens an old revision of an article and the word-level diff
between two revisions, and pages through every search hit (issue 12, points 1 and 5).

Skips when Chromium is not installed (as every browser test here does).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from harness import Page, Served, chromium_page, find_chromium, running_serve

from tests.archive.test_queries_samples import build_archive

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser-revisions")
    db = build_archive(folder / "archive.db")
    with running_serve(db, folder) as served:
        yield served


@pytest.fixture(scope="module")
def page(chromium: str, served: Served) -> Iterator[Page]:
    with chromium_page(chromium) as page:
        yield page


def test_reader_opens_an_old_revision_and_its_diff(page: Page, served: Served) -> None:
    page.navigate(served.base_url + "/-/article/most:104")
    page.wait_for("document.querySelector('a.diff-last') !== null")

    # What changed in the last revision, word by word.
    page.evaluate("document.querySelector('a.diff-last').click()")
    page.wait_for("location.pathname === '/-/article/most:104/diff/1/2'")
    marks = page.evaluate(
        "({removed: [...document.querySelectorAll('div.most-diff del')].map(d => d.textContent),"
        " added: [...document.querySelectorAll('div.most-diff ins')].map(i => i.textContent)})"
    )
    assert marks == {"removed": [" hạt nhân."], "added": [" năm 2025", " gió."]}

    # The old revision itself, from the diff page.
    page.evaluate(
        "[...document.querySelectorAll('p.meta a')].find(a => a.textContent === 'revision 1')"
        ".click()"
    )
    page.wait_for("location.pathname === '/-/article/most:104/revision/1'")
    seen = page.evaluate(
        "({title: document.querySelector('h1.title').textContent.trim(),"
        " body: document.querySelector('div.body').innerText})"
    )
    assert seen["title"] == "Điện lực miền Trung đẩy mạnh chuyển đổi số"
    assert "phát triển điện hạt nhân." in seen["body"]


def test_reader_pages_through_search_hits(page: Page, served: Served) -> None:
    page.navigate(served.base_url + "/-/search?q=hoc&size=2")
    page.wait_for("document.querySelector('p.result-count') !== null")
    first = page.evaluate("[...document.querySelectorAll('.most-hits li')].map(l => l.dataset.key)")
    page.evaluate("document.querySelector('a[rel=next]').click()")
    page.wait_for("location.search.includes('page=2')")
    second = page.evaluate(
        "[...document.querySelectorAll('.most-hits li')].map(l => l.dataset.key)"
    )
    total = page.evaluate("document.querySelector('p.result-count').dataset.total")
    assert len(first) == 2 and set(first).isdisjoint(second)
    assert len(first) + len(second) == int(total) == 4
