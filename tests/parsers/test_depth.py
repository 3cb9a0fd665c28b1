"""A page nested deeper than libxml2 reads (256 elements): the parser stops at that depth and
drops the rest of the document, so an article came out cut, its later paragraphs, images and
source line gone, and was archived as whole. Such a page is not read at all (None: the crawl
records it as a failure, loudly, and the next run tries again); a page nested less deep reads
in full."""

from __future__ import annotations

import pytest

from benchmarks.corpus import mst_replica_pages, replica_pages
from crawler.items import Article
from crawler.parsers import parse_article


def _nested_after_first_paragraph(portal: str, depth: int) -> tuple[bytes, str, Article]:
    page = mst_replica_pages(3, seed=1)[2] if portal == "mst" else replica_pages(1, seed=1)[0]
    whole = parse_article(page.html, page.url)
    assert whole is not None and len(whole.body) > 2
    html = page.html.decode("utf-8")
    at = html.find("</p>", html.find(whole.body[0][:20])) + len("</p>")
    nest = "<div>" * depth + "x" + "</div>" * depth
    return (html[:at] + nest + html[at:]).encode("utf-8"), page.url, whole


@pytest.mark.parametrize("portal", ["most", "mst"])
def test_a_page_nested_too_deep_is_not_read_cut(portal: str) -> None:
    html, url, _ = _nested_after_first_paragraph(portal, 300)
    assert parse_article(html, url) is None


@pytest.mark.parametrize("portal", ["most", "mst"])
def test_a_page_nested_less_deep_is_read_in_full(portal: str) -> None:
    html, url, whole = _nested_after_first_paragraph(portal, 200)
    article = parse_article(html, url)
    assert article is not None
    assert article.body[-1] == whole.body[-1] and len(article.body) >= len(whole.body)
    assert (article.images, article.source, article.tags) == (
        whole.images,
        whole.source,
        whole.tags,
    )
