"""Discovery pages of mst.gov.vn, hand-written in the shapes SITE-mst.md §3.3, §3.4 and §5 give:
zone pages, ``trang-N`` pages, the timeline fragment, the home menu, sitemaps and RSS feeds."""

# ruff: noqa: E501  (hand-written pages keep their lines as a site writes them)
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.items import Listing
from crawler.parsers.feed_items import FeedItem, parse_feed_items, parse_pubdate
from crawler.parsers.mst_listing import PageLink, feed_links, page_links, parse_zone
from crawler.parsers.sitemaps import Sitemap, SitemapEntry, normalise_lastmod, parse_sitemap

BASE = "https://mst.gov.vn"
ZONE_URL = f"{BASE}/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm"

ZONE_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>Khoa học và công nghệ - Bộ Khoa học và Công nghệ</title></head><body>
<input type="hidden" id="hdZoneId" value="1972001">
<div class="box-cate"><h1 class="title-zone"><a href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm">Khoa học và công nghệ</a></h1></div>
<div class="list__focus">
 <div class="box-category-item">
  <a class="box-category-link-with-avatar img-resize" href="/thong-cao-bao-chi-197250704101929995.htm"
     title="Thông cáo báo chí về mã vùng" data-id="197250704101929995">
   <img class="box-category-avatar" data-type="avatar" src="https://mic.mediacdn.vn/zoom/240_150/639352410187198464/2025/7/4/a.jpg" alt="">
  </a>
  <div class="box-category-content">
   <h3><a class="box-category-link-title" data-type="title" data-linktype="newsdetail"
     data-id="197250704101929995" href="/thong-cao-bao-chi-197250704101929995.htm"
     title="Thông cáo báo chí về mã vùng">Thông cáo báo chí về
       mã vùng</a></h3>
   <p class="box-category-sapo">Kể từ 01/7/2025&nbsp;mã vùng thay đổi.</p>
   <span class="box-category-time time-ago" title="10:19 , 04/07/2025">04/07/2025</span>
  </div>
 </div>
</div>
<div class="list__news">
 <div class="box-category-item">
  <a href="https://mic.gov.vn/internet-viet-nam-197136077.htm" title="Internet Việt Nam"><img data-src="/img/x.jpg" src="data:image/gif;base64,R0l"></a>
  <p>Sapo cũ.</p>
 </div>
 <div class="box-category-item">
  <a class="box-category-link-title" href="/thong-cao-bao-chi-197250704101929995.htm?utm=1">Lặp lại</a>
 </div>
 <div class="box-category-item"><a href="javascript:;">Không có liên kết</a></div>
</div>
<div class="sidebar"><div class="box-category-item"><a class="box-category-link-title" href="/xem-nhieu-197250101000000001.htm">Xem nhiều</a></div></div>
<aside><h3>Tin mới</h3><div class="list__news list__newest"><div class="box-category-item"><a class="box-category-link-title" href="/tin-moi-197250101000000002.htm">Tin mới</a></div></div></aside>
</body></html>"""

TIMELINE = """<div class="box-stream-item" data-id="197250601080000111">
 <a class="box-stream-link-with-avatar" href="/bai-mot-197250601080000111.htm" title="Bài một"><img src="/a.jpg"></a>
 <div class="box-stream-content"><h3><a class="box-stream-link-title" data-linktype="newsdetail" href="/bai-mot-197250601080000111.htm">Bài một</a></h3>
 <a class="box-stream-category" href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm">Khoa học và công nghệ</a>
 <span class="box-stream-time" title="2025-06-01T08:00:00">1 ngày trước</span>
 <p class="box-stream-sapo">Sapo một</p></div>
</div>
<div class="box-stream-item"><h3><a class="box-stream-link-title" href="/bai-hai-19724042616014143.htm">Bài hai</a></h3></div>
"""

HOME = """<html><head>
<link rel="alternate" type="application/rss+xml" title="Trang chủ" href="/rss/home.rss">
</head><body><nav class="menu"><ul>
<li><a href="/">Trang chủ</a></li>
<li><a href="/tin-tuc-su-kien.htm">Tin tức sự kiện</a>
 <ul><li><a href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm">Khoa học và công nghệ</a></li>
     <li><a href="https://www.mst.gov.vn/tin-tuc-su-kien/chuyen-doi-so.htm">Chuyển đổi số</a></li>
     <li><a href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm"><img src="/i.png"></a></li></ul></li>
<li><a href="/van-ban-phap-luat.htm">Văn bản</a></li><li><a href="#top">Lên đầu</a></li>
<li><a href="/rss/tin-tuc-su-kien/chuyen-doi-so.rss">RSS</a></li>
</ul></nav></body></html>"""


def test_zone_page_items_id_and_name() -> None:
    listing = parse_zone(ZONE_PAGE.encode(), ZONE_URL)
    assert isinstance(listing, Listing)
    assert listing.category_id == 1972001
    assert listing.category == "Khoa học và công nghệ"
    assert [(i.url, i.title, i.summary, i.date, i.thumbnail) for i in listing.items] == [
        (
            f"{BASE}/thong-cao-bao-chi-197250704101929995.htm",
            "Thông cáo báo chí về mã vùng",
            "Kể từ 01/7/2025 mã vùng thay đổi.",
            "2025-07-04",
            "https://mic.mediacdn.vn/zoom/240_150/639352410187198464/2025/7/4/a.jpg",
        ),
        (
            "https://mic.gov.vn/internet-viet-nam-197136077.htm",
            "Internet Việt Nam",
            "Sapo cũ.",
            None,
            f"{BASE}/img/x.jpg",
        ),
        (f"{BASE}/thong-cao-bao-chi-197250704101929995.htm?utm=1", "Lặp lại", "", None, None),
    ]  # the sidebars' items are not the zone's; a javascript: link is no item
    assert listing.next_url is None and listing.page is None


def test_trang_n_page_with_next_link() -> None:
    page = ZONE_PAGE.replace(
        "</body>", '<div class="pagination"><a rel="next" href="trang-3.htm">Sau</a></div></body>'
    )
    url = f"{BASE}/tin-tuc-su-kien/khoa-hoc-va-cong-nghe/trang-2.htm"
    listing = parse_zone(page, url)
    assert listing is not None
    assert listing.next_url == f"{BASE}/tin-tuc-su-kien/khoa-hoc-va-cong-nghe/trang-3.htm"


def test_timeline_fragment() -> None:
    url = f"{BASE}/timelinelist/1972001/2.htm"
    listing = parse_zone(TIMELINE, url)
    assert listing is not None
    assert listing.category_id is None and listing.category is None
    assert [(i.url, i.title, i.summary, i.date) for i in listing.items] == [
        (f"{BASE}/bai-mot-197250601080000111.htm", "Bài một", "Sapo một", "2025-06-01"),
        (f"{BASE}/bai-hai-19724042616014143.htm", "Bài hai", "", None),
    ]


def test_timeline_fragment_of_category_items_and_empty_page() -> None:
    url = f"{BASE}/timelinelist/1972001/9.htm"
    items = ZONE_PAGE[ZONE_PAGE.index('<div class="list__news">') :].replace(
        '<div class="list__news">', ""
    )
    listing = parse_zone(items, url)
    assert listing is not None
    assert [i.title for i in listing.items] == ["Internet Việt Nam", "Lặp lại"]  # no sidebar's
    assert parse_zone(b"", url) is None
    assert parse_zone(b"<html><body></body></html>", url) is None  # past the last page


def test_not_a_zone_page() -> None:
    assert parse_zone(b"<html><body><p>404</p></body></html>", ZONE_URL) is None
    assert parse_zone(b"%PDF-1.4 ...", ZONE_URL) is None


def test_zone_without_name_element_falls_back_to_title() -> None:
    page = ZONE_PAGE.replace('<h1 class="title-zone">', "<div>").replace("</a></h1>", "</a></div>")
    listing = parse_zone(page, ZONE_URL)
    assert listing is not None and listing.category == "Khoa học và công nghệ"


def test_home_links_and_feeds() -> None:
    links = page_links(HOME, BASE + "/")
    assert (
        PageLink(f"{BASE}/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm", "Khoa học và công nghệ")
        in links
    )
    assert (
        PageLink("https://www.mst.gov.vn/tin-tuc-su-kien/chuyen-doi-so.htm", "Chuyển đổi số")
        in links
    )
    assert len([x for x in links if x.url.endswith("khoa-hoc-va-cong-nghe.htm")]) == 1
    assert not any(x.url.endswith("#top") for x in links)
    assert feed_links(HOME, BASE + "/") == [
        f"{BASE}/rss/home.rss",
        f"{BASE}/rss/tin-tuc-su-kien/chuyen-doi-so.rss",
    ]


INDEX = """<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
 <sitemap><loc>https://mst.gov.vn/sitemaps/sitemaps-2026-6-16-20.xml</loc><lastmod>2026-06-20T00:00:00+07:00</lastmod></sitemap>
 <sitemap><loc> https://mst.gov.vn/sitemaps/sitemaps-2026-6-21-25.xml </loc><lastmod>2026-06-24T09:30:00Z</lastmod></sitemap>
 <sitemap><loc><![CDATA[https://mst.gov.vn/sitemaps/sitemaps-2026-6-01-05.xml]]></loc></sitemap>
 <sitemap><loc>/sitemaps/sitemaps-2026-6-11-15.xml</loc><lastmod>2026-06-15</lastmod></sitemap>
</sitemapindex>"""

SHARD = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
 <url><loc>https://mst.gov.vn/bai-mot-197260621080000111.htm</loc>
  <lastmod>2026-06-21T08:00:00+07:00</lastmod>
  <image:image><image:loc>https://mic.mediacdn.vn/1/2026/6/21/a.jpg</image:loc>
   <image:title><![CDATA[Ảnh <một>]]></image:title><image:caption><![CDATA[Chú thích]]></image:caption></image:image>
 </url>
 <url><loc>https://mst.gov.vn/bai-hai-197136077.htm</loc><lastmod>not a date</lastmod></url>
 <url><loc>https://mst.gov.vn/bai-mot-197260621080000111.htm</loc></url>
 <url><lastmod>2026-06-21</lastmod></url>
</urlset>"""


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(INDEX.encode(), f"{BASE}/sitemap.xml")
    assert sitemap.kind == "index"
    assert [(e.loc, e.lastmod) for e in sitemap.entries] == [
        (f"{BASE}/sitemaps/sitemaps-2026-6-16-20.xml", "2026-06-20T00:00:00+07:00"),
        (f"{BASE}/sitemaps/sitemaps-2026-6-21-25.xml", "2026-06-24T16:30:00+07:00"),
        (f"{BASE}/sitemaps/sitemaps-2026-6-01-05.xml", None),
        (f"{BASE}/sitemaps/sitemaps-2026-6-11-15.xml", "2026-06-15T00:00:00+07:00"),
    ]
    assert [e.loc[-11:] for e in sitemap.newest_first()] == [
        "6-21-25.xml",
        "6-16-20.xml",
        "6-11-15.xml",
        "6-01-05.xml",
    ]


def test_sitemap_shard_with_images() -> None:
    sitemap = parse_sitemap(SHARD, f"{BASE}/sitemaps/sitemaps-2026-6-21-25.xml")
    assert sitemap.kind == "urlset"
    assert sitemap.entries == [
        SitemapEntry(
            f"{BASE}/bai-mot-197260621080000111.htm",
            "2026-06-21T08:00:00+07:00",
            ("https://mic.mediacdn.vn/1/2026/6/21/a.jpg",),
        ),
        SitemapEntry(f"{BASE}/bai-hai-197136077.htm", None),
    ]


def test_sitemap_without_namespace_truncated_or_not_xml() -> None:
    bare = INDEX.replace(' xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"', "")
    assert len(parse_sitemap(bare, f"{BASE}/sitemap.xml").entries) == 4
    cut = SHARD[: SHARD.index("bai-hai")]
    assert [e.loc for e in parse_sitemap(cut, BASE).entries] == [
        f"{BASE}/bai-mot-197260621080000111.htm"
    ]
    for junk in (
        b"",
        b"<html><body>404</body></html>",
        b"\xff\xfe\x00",
        b"{}",
        b"<rss/>",
        b"<image:caption>x</image:caption>",
    ):  # a prefix without its namespace
        assert parse_sitemap(junk, BASE) == Sitemap(None)
    assert (
        len(
            parse_sitemap(
                SHARD.replace(' xmlns:image="http://www.google.com/schemas/sitemap-image/1.1"', ""),
                BASE,
            ).entries
        )
        == 2
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-06-15T00:00:00+07:00", "2026-06-15T00:00:00+07:00"),
        ("2026-06-15", "2026-06-15T00:00:00+07:00"),
        ("2026-06-14T17:00:00Z", "2026-06-15T00:00:00+07:00"),
        ("2026-06-15T08:00:00.123+07:00", "2026-06-15T08:00:00+07:00"),
        ("2026-06-15T08:00:00", "2026-06-15T08:00:00+07:00"),
        ("15/06/2026", None),
        ("", None),
        # moved to +07:00, these leave the years datetime can hold: no lastmod, never a crash
        ("9999-12-31T23:00:00-05:00", None),
        ("0001-01-01T00:00:00+14:00", None),
    ],
)
def test_lastmod_forms(value: str, expected: str | None) -> None:
    assert normalise_lastmod(value) == expected


RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel>
<title>Trang chủ - Bộ Khoa học và Công nghệ</title><link>https://mst.gov.vn</link>
<atom:link href="https://mst.gov.vn/rss/home.rss" rel="self" type="application/rss+xml"/>
<item><title><![CDATA[Thông cáo báo chí]]></title>
 <link>https://mst.gov.vn/thong-cao-bao-chi-197250704101929995.htm</link>
 <description><![CDATA[<a href="https://mst.gov.vn/thong-cao-bao-chi-197250704101929995.htm"><img src="https://mic.mediacdn.vn/a.jpg" /></a>Kể từ 01/7/2025 mã vùng &amp; số thay đổi.]]></description>
 <pubDate>Sun, 12 Jul 2026 07:00:00 +0700</pubDate></item>
<item><title>Bài hai</title><link>https://mic.gov.vn/bai-hai-197136077.htm</link>
 <description>Sapo hai</description><pubDate>10/2/2026 9:25:00 PM</pubDate></item>
<item><title>Bài ba</title><link> /bai-ba-19724042616014143.htm </link><pubDate>Sat, 11 Jul 2026 17:00:00 GMT</pubDate></item>
<item><title>Không ngày</title><link>https://mst.gov.vn/khong-ngay-197250101000000001.htm</link><pubDate>hôm qua</pubDate></item>
<item><title>Lặp</title><link>https://mst.gov.vn/thong-cao-bao-chi-197250704101929995.htm</link></item>
<item><title>Không link</title></item>
</channel></rss>"""


def test_rss_items_with_both_pubdate_forms() -> None:
    items = parse_feed_items(RSS.encode(), f"{BASE}/rss/home.rss")
    assert items == [
        FeedItem(
            f"{BASE}/thong-cao-bao-chi-197250704101929995.htm",
            "Thông cáo báo chí",
            "Kể từ 01/7/2025 mã vùng & số thay đổi.",
            "2026-07-12T07:00:00+07:00",
        ),
        FeedItem(
            "https://mic.gov.vn/bai-hai-197136077.htm",
            "Bài hai",
            "Sapo hai",
            "2026-10-02T21:25:00+07:00",
        ),
        FeedItem(f"{BASE}/bai-ba-19724042616014143.htm", "Bài ba", "", "2026-07-12T00:00:00+07:00"),
        FeedItem(f"{BASE}/khong-ngay-197250101000000001.htm", "Không ngày", "", None),
    ]


def test_atom_entries() -> None:
    atom = """<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>
    <link rel="alternate" href="https://mst.gov.vn/a-197250704101929995.htm"/>
    <summary>S</summary><updated>2026-07-12T00:00:00Z</updated></entry></feed>"""
    assert parse_feed_items(atom, BASE) == [
        FeedItem(f"{BASE}/a-197250704101929995.htm", "A", "S", "2026-07-12T07:00:00+07:00")
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Sun, 12 Jul 2026 07:00:00 +0700", "2026-07-12T07:00:00+07:00"),
        ("Sun, 12 Jul 2026 00:00:00 GMT", "2026-07-12T07:00:00+07:00"),
        ("12 Jul 2026 07:00 +0700", "2026-07-12T07:00:00+07:00"),
        ("10/2/2026 9:25:00 AM", "2026-10-02T09:25:00+07:00"),
        ("10/2/2026 12:05:00 AM", "2026-10-02T00:05:00+07:00"),
        ("10/2/2026 12:05:00 PM", "2026-10-02T12:05:00+07:00"),
        ("12/31/2025 23:59:59", "2025-12-31T23:59:59+07:00"),
        ("2026-07-12T07:00:00+07:00", "2026-07-12T07:00:00+07:00"),
        ("13/31/2025 9:00:00 AM", None),
        ("10/2/2026 13:05:00 PM", None),
        ("", None),
        ("hôm qua", None),
        ("Sun, 99 Jul 2026 07:00:00 +0700", None),
    ],
)
def test_pubdate_forms(value: str, expected: str | None) -> None:
    assert parse_pubdate(value) == expected


def test_feed_junk() -> None:
    for junk in (b"", b"<html><body>404</body></html>", b"\x00\x00", b"<rss><channel><item>"):
        assert parse_feed_items(junk, BASE) == []


JUNK = st.binary(max_size=64) | st.sampled_from(
    [
        b"<",
        b">",
        b"</item>",
        b"<loc>",
        b"]]>",
        b"<![CDATA[",
        b"&",
        b"&#x",
        b"\x00",
        b"\xff\xfe",
        b"<pubDate>",
        b"</sitemap>",
        b"<?xml version='1.0' encoding='latin-1'?>",
        b'value="x"',
    ]
)
SAMPLES = [s.encode() for s in (ZONE_PAGE, TIMELINE, HOME, INDEX, SHARD, RSS)]


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    page = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 5))):
        start = draw(st.integers(0, len(page)))
        end = draw(st.integers(start, min(len(page), start + 400)))
        page = page[:start] + draw(JUNK) + page[end:]
    return page


@settings(max_examples=120, deadline=None)
@given(st.one_of(mangled(), st.binary(max_size=2048), st.text(max_size=300)))
def test_junk_never_raises(data: bytes | str) -> None:
    listing = parse_zone(data, ZONE_URL)
    assert listing is None or all(i.url.startswith("http") for i in listing.items)
    assert all(isinstance(x, PageLink) for x in page_links(data, BASE + "/"))
    assert all(isinstance(x, str) for x in feed_links(data, BASE + "/"))
    sitemap = parse_sitemap(data, f"{BASE}/sitemap.xml")
    assert sitemap.kind in (None, "index", "urlset")
    assert all(e.lastmod is None or e.lastmod.endswith("+07:00") for e in sitemap.entries)
    items = parse_feed_items(data, f"{BASE}/rss/home.rss")
    assert all(i.published_at is None or i.published_at.endswith("+07:00") for i in items)


def test_portal_recognised_from_markup_never_from_host() -> None:
    from pathlib import Path

    from crawler.parsers.portal_pages import portal_of_page

    pages = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
    sharepoint = (pages / "listing-middle-page" / "page.html").read_bytes()
    article = (pages / "seed-article" / "page.html").read_bytes()
    for url in ("https://mst.gov.vn/", "http://127.0.0.1:9/", ""):
        assert portal_of_page(ZONE_PAGE, url) == "mst"
        assert portal_of_page(HOME, url) == "mst"
        assert portal_of_page(TIMELINE, url) == "mst"
        assert portal_of_page(sharepoint, url) == "most"
        assert portal_of_page(article, url) == "most"
    for nothing in (b"", b"<html><body><h1>502 Bad Gateway</h1></body></html>", b"%PDF-1.4"):
        assert portal_of_page(nothing, "https://mst.gov.vn/") is None


def test_a_lastmod_beyond_the_calendar_loses_no_entry() -> None:
    """One ``<lastmod>9999-12-31T23:00:00-05:00</lastmod>`` made the whole shard's parse raise:
    every article it listed was lost to that run, and every run ended partial."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://mst.gov.vn/a-197250704101929995.htm</loc>"
        "<lastmod>9999-12-31T23:00:00-05:00</lastmod></url>"
        "<url><loc>https://mst.gov.vn/b-197250704101929996.htm</loc>"
        "<lastmod>2026-06-15T00:00:00+07:00</lastmod></url>"
        "</urlset>"
    )
    entries = parse_sitemap(xml, BASE).entries
    assert [e.lastmod for e in entries] == [None, "2026-06-15T00:00:00+07:00"]
