"""The markup-drift alarm (issue 11): article pages whose markup the parsers do not know."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.support import Page, PageServer, article_page, crawl, mini_site

from .support import query

pytestmark = pytest.mark.e2e

UNKNOWN = (
    "<html><head><meta charset='utf-8'><title>Bài {i}</title>"
    "<meta property='article:published_time' content='2026-11-20T10:00:00+07:00'>"
    "</head><body><main>"
    "<section class='story'><h2>Bài viết số {i} trong bố cục mới</h2>"
    "<span class='News_Time_Post'>Thứ Năm, 07/12/2017 10:21</span>"
    "<p>Một đoạn văn đủ dài của bài viết số {i}, trong một bố cục mà không bộ đọc nào của dự án "
    "biết: không có tiêu đề, ngày hay thân bài ở chỗ quen thuộc.</p>"
    "<p>Đoạn thứ hai của bài viết, cũng dài như thế, để bộ trích xuất chung có gì để đọc.</p>"
    "</section></main></body></html>"
)


def test_pages_of_unknown_markup_raise_the_drift_alarm(tmp_path: Path) -> None:
    articles = {i: Page(UNKNOWN.format(i=i).encode()) for i in range(100, 112)}
    articles[99] = Page(article_page("Bài quen thuộc", "<p>Thân bài như mọi khi.</p>"))
    with PageServer(mini_site(articles)) as site:
        result = crawl(site.base_url, tmp_path / "archive.db")
    # the generic extractor read every page whole: no error, yet the run exits 1 for the drift
    assert result.returncode == 1, result.stderr[-3000:]
    assert "errors:             0" in result.stderr
    assert "markup drift on portal most: 12 of the last 13 articles" in result.stderr
    assert "/vn/tin-tuc/10" in result.stderr  # with example URLs
    [(outcome, counts)] = query(tmp_path / "archive.db", "SELECT outcome, counts_json FROM runs")
    assert outcome == "partial"
    assert "most" in json.loads(counts)["drift"]
