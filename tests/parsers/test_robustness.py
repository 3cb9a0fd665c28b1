"""Bad input never raises: arbitrary bytes and mangled real pages give None or a partial record."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.items import Article, Listing
from crawler.parsers import (
    parse_article,
    parse_home,
    parse_listing,
    parse_rss,
    parse_webservice_posts,
)

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
REAL = [
    (PAGES / name / "page.html").read_bytes()
    for name in (
        "seed-article",
        "12-caption-several-images",
        "14-table-p-in-td",
        "listing-middle-page",
        "16-ckeditor-entities",
    )
]
ARTICLE_URL = "https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx"
LISTING_URL = "https://www.most.gov.vn/vn/chuyen-muc/493/Tin-tong-hop.aspx?page=2"
JUNK = st.binary(max_size=64) | st.sampled_from(
    [
        b"<",
        b">",
        b"</p>",
        b"<table>",
        b"<td>",
        b"&",
        b"&#x",
        b"\x00",
        b"\xff\xfe",
        b"\xe1\xba",
        b"<!--",
        b"<![CDATA[",
        b"<?xml version='1.0' encoding='latin-1'?>",
        b"<img src='",
    ]
)


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """A real page cut, with pieces deleted, replaced or inserted at random places."""
    page = draw(st.sampled_from(REAL))
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(page)))
        end = draw(st.integers(start, min(len(page), start + 2000)))
        page = page[:start] + draw(JUNK) + page[end:]
    if draw(st.booleans()):
        page = page[: draw(st.integers(0, len(page)))]
    return page


def _all_parsers(data: bytes) -> None:
    article = parse_article(data, ARTICLE_URL)
    assert article is None or isinstance(article, Article)
    if article is not None:
        assert article.site_id == 13245
        assert all(isinstance(p, str) and p == p.strip() and p for p in article.body)
    listing = parse_listing(data, LISTING_URL)
    assert listing is None or isinstance(listing, Listing)
    assert isinstance(parse_home(data, LISTING_URL), list)
    assert isinstance(parse_rss(data, LISTING_URL), list)
    assert isinstance(parse_webservice_posts(data, LISTING_URL), list)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    _all_parsers(data)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=2048))
def test_arbitrary_text_never_raises(text: str) -> None:
    article = parse_article(text, ARTICLE_URL)
    assert article is None or isinstance(article, Article)
    listing = parse_listing(text, LISTING_URL)
    assert listing is None or isinstance(listing, Listing)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mangled())
def test_mangled_real_pages_never_raise(data: bytes) -> None:
    _all_parsers(data)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_any_url_never_raises(url: str) -> None:
    parse_article(REAL[0], url)
    parse_listing(REAL[3], url)
    parse_home(REAL[3], url)


def test_a_control_character_after_the_body_does_not_raise() -> None:
    """Found by hypothesis: lxml reads a tail holding U+0001 but refuses to write it back."""
    from crawler.parsers import parse_article

    page = b"<div id=divArticleDescription2></div>\x01"
    parse_article(page, "https://www.most.gov.vn/vn/tin-tuc/123/x.aspx")  # must not raise
