"""Bad input never becomes an article and never crashes anything.

- A crawl of a mini-site whose article pages are empty, garbage, truncated, malformed, a PDF,
  or missing every selector: the crawl finishes with exit 1, only the real article is stored,
  every bad page is a fetch error with its reason, and its raw response is kept.
- Property-based (hypothesis, bounded): ``parse_article``, ``parse_listing``, ``parse_home`` and
  the feed parsers take any bytes or text, including mutations of real pages, and return their
  documented types, never raising.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from crawler.items import Article, Listing
from crawler.parsers import (
    parse_article,
    parse_home,
    parse_listing,
    parse_rss,
    parse_webservice_posts,
)

from .support import ROOT, Page, PageServer, article_page, crawl, listing_page, mini_site

SEED = (ROOT / "tests/fixtures/pages/seed-article/page.html").read_bytes()
GOOD = article_page("Bài viết thật", "<p>Một đoạn văn đầy đủ của bài viết.</p>")
TRUNCATED = GOOD[: GOOD.index(b"News_Time_Post") - 20]  # cut before the date and the body
NO_BODY = article_page("Tiêu đề", "")
NO_TITLE = article_page("", "<p>Thân bài không có tiêu đề.</p>")
NO_DATE = article_page("Không có ngày", "<p>Thân bài.</p>", date="")
DEEP = b"<html><body>" + b"<div>" * 20_000 + b"x" + b"</div>" * 20_000 + b"</body></html>"

# site id -> (what it is, the page)
BAD_PAGES: dict[int, tuple[str, Page]] = {
    201: ("empty body", Page(b"")),
    202: ("garbage bytes", Page(bytes(range(256)) * 64)),
    203: ("NUL bytes in HTML", Page(b"<html>\x00<body>\x00\x00<h1>x</h1></body></html>")),
    204: ("truncated before the date", Page(TRUNCATED)),
    205: ("no selector at all", Page("<html><body><p>Trang lỗi.</p></body></html>".encode())),
    206: ("body missing", Page(NO_BODY)),
    207: ("title missing", Page(NO_TITLE)),
    208: ("date missing", Page(NO_DATE)),
    209: ("a PDF served as HTML", Page(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF")),
    210: (
        "unclosed tags",
        Page(b"<html><body><div id='divArticleDescription2'><p><b><i><table><tr>"),
    ),
    211: ("20,000 nested divs", Page(DEEP)),
    212: ("UTF-16 bytes", Page("<html><body><h1>Tiêu đề</h1></body></html>".encode("utf-16"))),
    213: ("an image served as HTML", Page(b"\x89PNG\r\n\x1a\n" + b"\x00" * 500)),
}
GOOD_ID = 200
ARTICLE_URL = "http://127.0.0.1:8765/vn/tin-tuc/13245/bai-viet.aspx"


@pytest.mark.e2e
def test_bad_pages_are_recorded_never_stored(tmp_path: Path) -> None:
    pages = {GOOD_ID: Page(GOOD), **{i: page for i, (_, page) in BAD_PAGES.items()}}
    db = tmp_path / "archive.db"
    with PageServer(mini_site(pages)) as site:
        result = crawl(site.base_url, db)
    conn = sqlite3.connect(db)
    stored = {
        r[0]: r for r in conn.execute("SELECT site_id, title, published_at, body FROM articles")
    }
    errors = {
        int(url.rsplit("/", 2)[-2]): (reason, status)
        for url, reason, status in conn.execute(
            "SELECT url, reason, status FROM fetch_errors WHERE kind = 'article' "
            "AND resolved_at IS NULL"
        )
    }
    raw = {r[0] for r in conn.execute("SELECT url FROM raw_pages")}
    print(
        f"\nbad input: {len(BAD_PAGES)} bad pages, {len(stored)} stored, "
        f"{len(errors)} errors, exit {result.returncode}"
    )
    assert result.returncode == 1, result
    assert set(stored) == {GOOD_ID}, f"stored: {sorted(stored)}"
    for site_id, title, published_at, body in stored.values():
        assert title and published_at and body, site_id
    missing = {i: what for i, (what, _) in BAD_PAGES.items() if i not in errors}
    assert not missing, f"bad pages not in fetch_errors: {missing}"
    assert all(reason for reason, _ in errors.values())
    kept = {i for i in BAD_PAGES if any(f"/tin-tuc/{i}/" in u for u in raw)}
    # A document cut before </html> is a failed fetch (issue 13, point 8), not a page: retried
    # next run, its half never kept. Every other bad page is kept as it came.
    cut = {204, 210}
    assert all("truncated" in errors[i][0] for i in cut), {i: errors[i] for i in cut}
    assert kept == set(BAD_PAGES) - cut, f"raw pages not kept: {sorted(set(BAD_PAGES) - kept)}"


def test_an_embedded_player_does_not_swallow_the_paragraphs_after_it() -> None:
    """Old articles embed Flash/video players with a bare ``<embed>`` (a void element that
    libxml2 does not know is void): the paragraphs after it are still body paragraphs."""
    page = article_page(
        "Bài có video",
        '<p>Đoạn một.</p><embed src="/Images/video/clip.swf" width="400" height="300">'
        "<p>Đoạn hai.</p><p>Đoạn ba.</p>",
    )
    article = parse_article(page, ARTICLE_URL)
    assert article is not None
    assert article.body == ["Đoạn một.", "Đoạn hai.", "Đoạn ba."]


# --------------------------------------------------------------------------- properties
LISTING_URL = "http://127.0.0.1:8765/vn/chuyen-muc/493/Tin-tong-hop.aspx?page=2"
LISTING = listing_page([13245, 13246, 13247])
RSS = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>a</title><link>http://www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492"
    b"&amp;IDNews=13245</link><pubDate>12/7/2017 10:21:00 AM</pubDate></item>"
    b"<item><title>b</title><link>http:www.most.gov.vn/vn/tin-tuc/13246/x.aspx</link></item>"
    b"</channel></rss>"
)
POSTS = (
    b'<?xml version="1.0" encoding="utf-8"?><string xmlns="http://tempuri.org/">[{"id":13245,'
    b'"slug":"https://www.most.gov.vn/vn/tin-tuc/13245/a.aspx","title":"A ","catname":"X",'
    b'"publisheddate":"07/12/2017 10:21"},{"id":13246,"slug":"http://www.most.gov.vn/vn/tin-tuc/'
    b'13246/b.aspx","title":""B"","catname":"X","publisheddate":"07/12/2017 09:05"}]</string>'
)

FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """A real page, cut, spliced with random bytes, or with a slice removed."""
    n = len(original)
    a = draw(st.integers(0, n))
    b = draw(st.integers(a, min(n, a + 4000)))
    how = draw(st.sampled_from(["truncate", "insert", "delete", "replace"]))
    junk = draw(st.binary(max_size=200))
    if how == "truncate":
        return original[:a]
    if how == "insert":
        return original[:a] + junk + original[a:]
    if how == "delete":
        return original[:a] + original[b:]
    return original[:a] + junk + original[b:]


TAGS = ["div", "p", "span", "h1", "table", "tr", "td", "img", "a", "script", "form", "em", "font"]
ATTRS = [
    "id='divArticleDescription2'",
    "id='divArticleDescription3'",
    "id='divArticleDescription1'",
    "class='News_Time_Post'",
    "class='News_Detail_Title'",
    "class='listnews_item'",
    "class='Paging'",
    "id='x_ctl00_pnNguontin'",
    "class='ExternalClass1'",
    "class='listnews_item_title'",
    "href='/vn/tin-tuc/1/x.aspx'",
    "src='/Images/a.jpg'",
    "href='javascript:alert(1)'",
    "onclick='x()'",
    "value='3' selected",
]


@st.composite
def tag_soup(draw: st.DrawFn) -> str:
    """Random nesting of the site's own tags, ids and classes, with Vietnamese text and dates."""
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            parts.append(f"<{draw(st.sampled_from(TAGS))} {draw(st.sampled_from(ATTRS))}>")
        elif kind == 1:
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
        elif kind == 2:
            parts.append(
                draw(
                    st.sampled_from(
                        [
                            "Thứ Năm, 07/12/2017&nbsp;10:21",
                            "Ngày 99/99/9999",
                            "Nguồn:",
                            "đ\u0300",
                            "&#0;",
                            "&#xD800;",
                            "&bogus;",
                            "\u200b",
                            "31/02/2017 25:61",
                            "Trang 2/1",
                        ]
                    )
                )
            )
        else:
            parts.append(draw(st.text(max_size=30)))
    return "".join(parts)


def check_article(result: Article | None) -> None:
    assert result is None or isinstance(result, Article)
    if result is not None:
        assert isinstance(result.title, str) and isinstance(result.body, list)
        assert all(isinstance(p, str) for p in result.body)
        assert isinstance(result.body_html, str)
        assert result.published_at is None or result.published_at.endswith("+07:00")


def check_listing(result: Listing | None) -> None:
    assert result is None or isinstance(result, Listing)
    if result is not None:
        assert all(isinstance(i.url, str) for i in result.items)


@FUZZ
@given(data=st.one_of(st.binary(max_size=3000), mutated(SEED), tag_soup().map(str.encode)))
@example(data=b"")
@example(data=SEED[: len(SEED) // 2])
def test_parse_article_never_raises(data: bytes) -> None:
    check_article(parse_article(data, ARTICLE_URL))


@FUZZ
@given(text=st.one_of(st.text(max_size=2000), tag_soup()))
def test_parse_article_takes_any_text(text: str) -> None:
    check_article(parse_article(text, ARTICLE_URL))


@FUZZ
@given(data=st.one_of(st.binary(max_size=3000), mutated(LISTING), tag_soup().map(str.encode)))
def test_parse_listing_and_home_never_raise(data: bytes) -> None:
    check_listing(parse_listing(data, LISTING_URL))
    urls = parse_home(data, LISTING_URL)
    assert isinstance(urls, list) and all(isinstance(u, str) for u in urls)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=2000), mutated(RSS), mutated(POSTS), st.text().map(str.encode)
    )
)
def test_feed_parsers_never_raise(data: bytes) -> None:
    for parse in (parse_rss, parse_webservice_posts):
        urls = parse(data, "http://127.0.0.1:8765/rss/492/tin_tuc_su_kien.rss")
        assert isinstance(urls, list) and all(isinstance(u, str) for u in urls)


def test_real_pages_still_parse() -> None:
    """The fuzz inputs start from pages the parsers do read (so the mutations mean something)."""
    article = parse_article(SEED, ARTICLE_URL)
    assert article is not None and article.title and article.published_at and article.body
    listing = parse_listing(LISTING, LISTING_URL)
    assert listing is not None and len(listing.items) == 3
    assert len(parse_rss(RSS, "http://127.0.0.1:8765/rss/492/x.rss")) == 2
    assert len(parse_webservice_posts(POSTS, "http://127.0.0.1:8765/x")) == 2
