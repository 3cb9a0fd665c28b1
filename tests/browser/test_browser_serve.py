"""A reader in a real browser: `most-archive serve` in a subprocess, headless Chromium over CDP.

The reader opens the search page, types a query without diacritics into the form and submits
it, sees the matching titles (with their diacritics), clicks one and reads the article: its
title, its captions, its images actually loaded from the archive's files folder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Page, Served, chromium_page, find_chromium, running_serve
from sample_archive import SAMPLES, fill_archive

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        pytest.skip("chromium not installed: apt-get install chromium")
    return found


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "archive.db"
    fill_archive(db)
    with running_serve(db, folder) as served:
        yield served


@pytest.fixture(scope="module")
def page(chromium: str, served: Served) -> Iterator[Page]:
    with chromium_page(chromium) as page:
        yield page


def js(value: str) -> str:
    return json.dumps(value)


def test_reader_searches_without_diacritics_and_reads_an_article(
    page: Page, served: Served
) -> None:
    # The search page, as a reader reaches it from the menu.
    page.navigate(served.base_url + "/archive/search")
    page.wait_for("document.querySelector('input[name=q]') !== null")
    assert page.evaluate("document.title") == "Search articles · archive"

    # Type a query without diacritics and submit the form.
    page.evaluate(
        "(() => { const q = document.querySelector('input[name=q]'); q.value = 'dien luc';"
        " q.form.submit(); return true; })()"
    )
    page.wait_for("location.search.includes('q=dien')")
    titles = page.evaluate(
        "[...document.querySelectorAll('td.col-title a')].map(a => a.textContent.trim())"
    )
    assert titles == [SAMPLES[0].title]  # "Điện lực ...": found without its diacritics

    # Click the title: the article page.
    page.evaluate("document.querySelector('td.col-title a').click()")
    page.wait_for("location.pathname === '/-/article/most:101'")
    seen = page.evaluate(
        "({title: document.querySelector('h1').textContent.trim(),"
        " lead: document.querySelector('p.lead').textContent.trim(),"
        " body: document.querySelector('div.body').innerText,"
        " captions: [...document.querySelectorAll('figcaption')].map(c => c.textContent.trim()),"
        " images: [...document.querySelectorAll('article img')].map(i => ({"
        "   src: i.getAttribute('src'), complete: i.complete,"
        "   width: i.naturalWidth, height: i.naturalHeight}))})"
    )
    assert seen["title"] == SAMPLES[0].title
    assert seen["lead"] == SAMPLES[0].lead
    assert "Sáng 20/11, đoàn công tác đã thăm nhà máy điện." in seen["body"]
    assert seen["captions"] == list(SAMPLES[0].captions)
    # Both images are there and decoded: their real sizes (sample_archive.png: 40x30, 50x30).
    assert [(i["complete"], i["width"], i["height"]) for i in seen["images"]] == [
        (True, 40, 30),
        (True, 50, 30),
    ]
    assert all(i["src"].startswith("/-/files/") for i in seen["images"])


def test_reader_browses_articles_by_year_facet(page: Page, served: Served) -> None:
    page.navigate(served.base_url + "/archive/articles")
    page.wait_for("document.querySelector('.facet-results') !== null")
    years = page.evaluate(
        "[...document.querySelectorAll('.facet-info')].filter(f => "
        "f.textContent.includes('(year)')).flatMap(f => [...f.querySelectorAll('li a')]"
        ".map(a => a.textContent.trim()))"
    )
    assert years == ["2024", "2023"]
    page.evaluate(
        "[...document.querySelectorAll('.facet-info li a')].find(a => "
        "a.textContent.trim() === '2023').click()"
    )
    page.wait_for("location.search.includes('published_at__startswith=2023')")
    titles = page.evaluate(
        "[...document.querySelectorAll('td.col-title a')].map(a => a.textContent.trim())"
    )
    assert titles == [SAMPLES[1].title]


def test_article_without_downloaded_images_shows_captionless_notice(
    page: Page, served: Served
) -> None:
    page.navigate(served.base_url + "/-/article/103")
    page.wait_for("document.querySelector('h1') !== null")
    assert page.evaluate("document.querySelectorAll('article img').length") == 0
    assert "Image not downloaded" in page.evaluate("document.querySelector('figure').innerText")


def test_serve_log_is_clean(served: Served, page: Page) -> None:
    page.navigate(served.base_url + "/archive")
    page.wait_for("document.querySelector('h1') !== null")
    log = served.log_text()
    assert "Traceback" not in log and "locked" not in log
    assert Path(served.log).exists()
