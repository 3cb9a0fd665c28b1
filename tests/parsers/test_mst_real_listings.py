"""Discovery pages in the forms real sites of the VCCorp CMS family write them: zone pages, their
paging fragments, sitemaps and RSS feeds. Each form is fed to the discovery parsers and the
portal's URL rules; every article it lists must be found once, with its id, and nothing else.

Each form names the public template or scraper that shows it (tool-library file ids, or
repository and path); docs/crawling.md lists them with their sites and what main made of them.
"""

# ruff: noqa: E501  (hand-written pages keep their lines as a site writes them)
from __future__ import annotations

import gzip

import pytest

from crawler.parsers import sitemaps
from crawler.parsers.feed_items import parse_feed_items, parse_pubdate
from crawler.parsers.feeds import parse_rss
from crawler.parsers.mst_listing import parse_zone
from crawler.parsers.sitemaps import parse_sitemap
from crawler.portals import mst

BASE = "https://mst.gov.vn"
ZONE_URL = f"{BASE}/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm"
IDS = (
    197260621080000111,
    197260620170500222,
    197260619093000333,
    197260618101500444,
    197260617140000555,
    197136077,
)


def _href(n: int) -> str:
    return f"/bai-viet-so-{n}-{IDS[n]}.htm"


def _item(n: int, *, heading: str = "h3", category: bool = False) -> str:
    """One entry as the family's shared item template writes it (datnguyen2001/mxh:
    resources/views/components/layout/box-category-item.blade.php, file id 33562030723)."""
    cate = (
        '<a class="box-category-category" href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm" title="Khoa học và công nghệ">Khoa học và công nghệ</a>'
        if category
        else ""
    )
    return f"""<div class="box-category-item" data-id="{IDS[n]}">
 <a class="box-category-link-with-avatar img-resize" href="{_href(n)}" title="Bài {n}"><img data-type="avatar" src="https://mic.mediacdn.vn/zoom/235_147/1/a{n}.jpg" alt="Bài {n}" loading=lazy class="box-category-avatar"></a>
 <div class="box-category-content">
  <{heading} class="box-category-title-text"><a data-type="title" data-linktype="newsdetail" data-id="{IDS[n]}" class="box-category-link-title" data-newstype="0" href="{_href(n)}" title="Bài {n}" data-trimline="3">Bài {n}</a></{heading}>
  {cate}
  <p data-type="sapo" class="box-category-sapo">Sapo {n}</p>
 </div>
</div>"""


def _ids(html: str, url: str = ZONE_URL) -> list[int | None]:
    listing = parse_zone(html, url)
    assert listing is not None
    return [mst.article_id(i.url) for i in listing.items]


# --- zone pages -------------------------------------------------------------------------------

# The family's current zone page (datnguyen2001/mxh: resources/views/category/index1.blade.php,
# file id 33735680181, with template/box-layout1 and box-layout3, ids 33993830933 and
# 33134637401): the focus block and the list are each a div.box-category[data-layout] of
# div.box-category-middle, no list__* container at all; the sidebar is filled by AJAX; the zone
# id sits in a div.configHidden, written with single quotes (repositories/CategoryRepository
# getInputHiddenCategory, file id 33240319634).
TEMPLATE_ZONE = f"""<!DOCTYPE html><html><head><title>Khoa học và công nghệ</title>
<link rel="alternate" type="application/rss+xml" href="https://mst.gov.vn/rss/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.rss"></head><body>
<header class="header"><nav class="menu"><a href="/">Trang chủ</a><a href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm">Khoa học và công nghệ</a></nav></header>
<div class="box-breadcrumb"><a href="/" data-role="cate-name">Trang chủ</a></div>
<div class="list__category-stream"><div class="container"><div class="category-flex">
 <div class="box-stream-left">
  <div class="box-stream-top">
   <div class="box-category" data-layout="1" data-cd-key="newsposition:zoneid1972001type3" data-cd-top="3">
    <div class="box-category-middle">
{_item(0, heading="h2")}
{_item(1, heading="h2")}
    </div>
   </div>
  </div>
  <div class="box-stream-vertical">
   <div class="stream-left">
    <div class="box-category" data-layout="3" data-cd-key="newsinzone:zone1972001" data-cd-top="10">
     <div class="box-category-middle">
{_item(2, category=True)}
{_item(3, category=True)}
{_item(5, category=True)}
      <div class="box-stream-item box-stream-item-load hidden"></div>
     </div>
     <div class="list__box-action"><a href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe/trang-2.htm" class="pagination-arrow">›</a></div>
    </div>
   </div>
   <div class="stream-right"><div id="insert-cate-sidebar"></div></div>
  </div>
 </div>
 <div class="box-stream-right"><div class="box-ads"></div></div>
</div></div></div>
<div class="configHidden">
 <input type='hidden' name='hdCurrentUrlActive' id='hdCurrentUrlActive' value='tin-tuc-su-kien' />
 <input type='hidden' name='hdZoneId' id='hdZoneId' value='1972001' />
 <input type='hidden' name='hdZoneUrl' id='hdZoneUrl' value='khoa-hoc-va-cong-nghe' />
</div>
</body></html>"""


def test_template_zone_page_without_list_containers() -> None:
    listing = parse_zone(TEMPLATE_ZONE, ZONE_URL)
    assert listing is not None
    assert listing.category_id == 1972001
    assert [mst.article_id(i.url) for i in listing.items] == [
        IDS[0],
        IDS[1],
        IDS[2],
        IDS[3],
        IDS[5],
    ]
    assert [i.title for i in listing.items] == ["Bài 0", "Bài 1", "Bài 2", "Bài 3", "Bài 5"]


# Tuổi Trẻ's zone pages put the newest, featured articles in a focus block outside the list:
# div.box-top (scraper file id 46284487004: "take the box-top articles first, then
# list__listing-main") and div.list__focus-main (scraper file id 37288131310), then the list in
# div.list__listing-main (file ids 13842954151, 33162877336, 12549425204: an inner
# div.load-list-news) and div.list__listing-sub (46284487004). The family's category
# repository (file id 33240319634) takes the focus articles out of the list, so a focus block
# missed is the zone's newest articles missed.
TUOITRE_ZONE = f"""<html><body>
<input type="hidden" id="hdZoneId" value="1972001">
<div class="box-top"><div class="box-category" data-layout="1">{_item(0, heading="h2")}</div></div>
<div class="list__focus-main">{_item(1)}</div>
<div class="list__listing-flex">
 <div class="list__listing-main"><div class="load-list-news">{_item(2, category=True)}{_item(3, category=True)}</div></div>
 <div class="list__listing-sub">{_item(4)}</div>
</div>
<aside class="sidebar"><div class="box-category-item"><a class="box-category-link-title" href="/xem-nhieu-197250101000000001.htm">Xem nhiều</a></div></aside>
<footer><div class="box-category-item"><a class="box-category-link-title" href="/chan-trang-197250101000000002.htm">Chân trang</a></div></footer>
</body></html>"""


def test_focus_blocks_outside_the_list_lose_no_article() -> None:
    # main: only list__listing-main was read; the focus articles 0 and 1 and the sub-list's 4
    # were never found (the sidebar's and the footer's are other zones' news: left out)
    assert _ids(TUOITRE_ZONE) == [IDS[0], IDS[1], IDS[2], IDS[3], IDS[4]]


def test_mic_era_containers_still_read_with_their_sidebar_left_out() -> None:
    page = f"""<html><body><input type="hidden" id="hdZoneId" value="7">
<div class="list__focus">{_item(0)}</div><div class="list__news">{_item(1)}{_item(2)}</div>
<div class="list__newest">{_item(3)}</div></body></html>"""
    assert _ids(page) == [IDS[0], IDS[1], IDS[2]]


# The timeline fragment of the family's template: the bare item-cate list of items with their
# zone link (CategoryController::loadMorePaging, file id 33825216959; template/item-cate,
# file id 33134595792), and nothing at all past the end ("return null": an empty 200 body).
# Thanh Niên writes the zone link and the time before the title (file id 66225551720).
THANHNIEN_ITEM = """<div class="box-category-item">
 <a class="box-category-link-with-avatar img-resize" href="/bai-viet-197260621080000111.htm" title="Bài"><img class="box-category-avatar" src="https://mic.mediacdn.vn/a.jpg"></a>
 <div class="box-category-content">
  <a class="box-category-category" href="/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm" title="Khoa học và công nghệ">Khoa học và công nghệ</a>
  <div class="box-time" title="2026-06-21T08:00:00">08:00, 21/06/2026</div>
  <h3 class="box-title-text"><a data-linktype="newsdetail" class="box-category-link-title" href="/bai-viet-197260621080000111.htm" title="Bài">Bài</a></h3>
  <a href="/bai-viet-197260621080000111.htm" title="Sapo">Sapo</a>
 </div>
</div>"""


def test_timeline_fragment_forms_and_its_empty_end() -> None:
    fragment = "\n".join(_item(n, category=True) for n in range(3))
    url = f"{BASE}/timelinelist/1972001/2.htm"
    assert _ids(fragment, url) == list(IDS[:3])
    listing = parse_zone(THANHNIEN_ITEM, url)
    assert listing is not None
    assert [(mst.article_id(i.url), i.title) for i in listing.items] == [(IDS[0], "Bài")]
    assert parse_zone(b"", url) is None  # past the end: the walk stops at an empty page


def test_tuoitre_timeline_paging_form() -> None:
    # Tuổi Trẻ pages a zone through /timeline/{zoneId}/trang-{n}.htm (scrapers 7830075386,
    # 36960943733, 12972982233, 13534530581, 22454668675; Thanh Niên beside it uses
    # /timelinelist/{zoneId}/{n}.htm): tried after the evidenced forms, then kept to
    zone = "https://mst.gov.vn/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm"
    assert mst.next_page_urls(zone, 1972001)[2] == f"{BASE}/timeline/1972001/trang-2.htm"
    page = f"{BASE}/timeline/1972001/trang-7.htm"
    assert mst.listing_page_number(page) == 7 and mst.timeline_zone_id(page) == 1972001
    assert mst.page_form(page) == "timeline-trang"
    assert mst.next_page_urls(page, None) == [f"{BASE}/timeline/1972001/trang-8.htm"]
    assert mst.article_id(page) is None and not mst.is_zone_url(page)
    assert mst.paged_zone_url(page, 1) is None
    assert [mst.page_form(u) for u in mst.next_page_urls(zone, 1972001)] == [
        "timeline",
        "static",
        "timeline-trang",
        "static-short",
    ]
    assert _ids("\n".join(_item(n) for n in range(2)), page) == list(IDS[:2])


@pytest.mark.parametrize(
    "href",
    [
        "/bai-viet-197260621080000111.htm",
        "//mst.gov.vn/bai-viet-197260621080000111.htm",
        "https://www.mic.gov.vn/bai-viet-197260621080000111.htm",
        "https://mst.gov.vn/bai-viet-197260621080000111.htm?utm_source=home&utm_medium=box",
        "/bai-viet-197260621080000111.htm#box_comment",
        " /bai-viet-197260621080000111.htm\n",
        "/BAI-VIET-197260621080000111.HTM",
    ],
)
def test_item_href_forms_give_the_article_once(href: str) -> None:
    page = f"""<div class="list__news"><input type="hidden" id="hdZoneId" value="7">
<div class="box-category-item"><h3><a class="box-category-link-title" href="{href}">Bài</a></h3></div></div>"""
    listing = parse_zone(page, ZONE_URL)
    assert listing is not None and len(listing.items) == 1
    url = listing.items[0].url
    assert mst.article_id(url) == IDS[0]
    canonical = mst.canonical_article_url(url, BASE)
    assert canonical is not None and canonical.lower() == f"{BASE}/bai-viet-{IDS[0]}.htm"


# --- sitemaps ---------------------------------------------------------------------------------

# The family's sitemap index (datnguyen2001/mxh: app/Http/Controllers/SitemapController.php,
# file id 33820130302): a category sitemap written .rss, the Google News and latest-news
# sitemaps and the current 5-day shard all dated "now", older shards dated the end of their
# window; routes/web.php (file id 33624511139) serves them.
NOW = "2026-06-21T10:15:00+07:00"
TEMPLATE_INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{BASE}/sitemaps/category.rss</loc><lastmod>{NOW}</lastmod></sitemap>
<sitemap><loc>{BASE}/google-news-sitemap.xml</loc><lastmod>{NOW}</lastmod></sitemap>
<sitemap><loc>{BASE}/latest-news-sitemap.xml</loc><lastmod>{NOW}</lastmod></sitemap>
<sitemap><loc>{BASE}/sitemaps/sitemaps-2026-6-21-25.xml</loc><lastmod>{NOW}</lastmod></sitemap>
<sitemap><loc>{BASE}/sitemaps/sitemaps-2026-6-16-20.xml</loc><lastmod>2026-06-20T23:59:59+07:00</lastmod></sitemap>
<sitemap><loc>{BASE}/sitemaps/sitemaps-2026-6-11-15.xml</loc><lastmod>2026-06-15T23:59:59+07:00</lastmod></sitemap>
</sitemapindex>"""


def _newest(index: str) -> str:
    sitemap = parse_sitemap(index, f"{BASE}/sitemap.xml")
    assert sitemap.kind == "index"
    shards = sorted(
        ((e.loc, e.lastmod) for e in sitemap.entries),
        key=lambda s: mst.shard_sort_key(s[0], s[1]),
        reverse=True,
    )
    return shards[0][0]


def test_template_sitemap_index_newest_shard_is_the_current_window() -> None:
    assert _newest(TEMPLATE_INDEX) == f"{BASE}/sitemaps/sitemaps-2026-6-21-25.xml"
    # Tuổi Trẻ's monthly shards (SITE-mst.md §3.3; file id 31257448902) and its 5-day ones
    # under /StaticSitemaps/ (file id 55906287191): the date in the name still orders them
    tuoitre = TEMPLATE_INDEX.replace("/sitemaps/sitemaps-", "/StaticSitemaps/sitemaps-")
    assert _newest(tuoitre) == f"{BASE}/StaticSitemaps/sitemaps-2026-6-21-25.xml"


# The Google News sitemap of the template (SitemapController::sitemapGoogleNews): a urlset of
# the 200 newest articles, each with news:news and image:image children and no lastmod.
GOOGLE_NEWS = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>{BASE}/bai-viet-so-0-{IDS[0]}.htm</loc>
 <news:news><news:publication><news:name>Bộ Khoa học và Công nghệ</news:name><news:language>vi</news:language></news:publication>
 <news:publication_date>2026-06-21T08:00:00+07:00</news:publication_date><news:title><![CDATA[Bài 0]]></news:title><news:keywords><![CDATA[khoa học]]></news:keywords></news:news>
 <image:image><image:loc>https://mic.mediacdn.vn/a0.jpg</image:loc></image:image></url>
<url><loc><![CDATA[{BASE}/bai-viet-so-1-{IDS[1]}.htm]]></loc></url>
<url><loc>
  {BASE}/bai-viet-so-5-{IDS[5]}.htm
</loc><lastmod>2026-06-20 17:05:00</lastmod></url>
</urlset>"""


def test_news_sitemap_entries() -> None:
    sitemap = parse_sitemap(GOOGLE_NEWS, f"{BASE}/google-news-sitemap.xml")
    assert sitemap.kind == "urlset"
    assert [mst.article_id(e.loc) for e in sitemap.entries] == [IDS[0], IDS[1], IDS[5]]
    assert sitemap.entries[0].images == ("https://mic.mediacdn.vn/a0.jpg",)
    assert sitemap.entries[2].lastmod == "2026-06-20T17:05:00+07:00"


def test_gzip_shard() -> None:
    # sitemaps.org allows shards gzipped (name.xml.gz); the body arrives as the file's bytes,
    # not decoded by the HTTP layer (no Content-Encoding). main read it as "not a sitemap".
    body = gzip.compress(GOOGLE_NEWS.encode("utf-8"))
    sitemap = parse_sitemap(body, f"{BASE}/sitemaps/sitemaps-2026-6-21-25.xml.gz")
    assert sitemap.kind == "urlset"
    assert [mst.article_id(e.loc) for e in sitemap.entries] == [IDS[0], IDS[1], IDS[5]]
    index = parse_sitemap(gzip.compress(TEMPLATE_INDEX.encode()), f"{BASE}/sitemap.xml.gz")
    assert index.kind == "index" and len(index.entries) == 6
    # a gzip stream cut short gives the entries before the cut; junk stays "not a sitemap"
    cut = parse_sitemap(body[: len(body) * 2 // 3], f"{BASE}/s.xml.gz")
    assert cut.kind == "urlset" and len(cut.entries) < 3
    assert parse_sitemap(b"\x1f\x8b\x08\x00garbage", BASE).kind is None


def test_gzip_bomb_is_not_inflated_past_the_sitemap_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sitemaps, "MAX_INFLATED", 1024 * 1024)  # 50 MB in production
    fits = gzip.compress(GOOGLE_NEWS.encode().ljust(1024 * 1024 - 64))
    assert len(parse_sitemap(fits, BASE).entries) == 3
    huge = gzip.compress(b"<urlset>" + b" " * (2 * 1024 * 1024) + b"</urlset>")
    assert parse_sitemap(huge, BASE).kind is None


# --- RSS --------------------------------------------------------------------------------------

# The family's feed (datnguyen2001/mxh: resources/views/rss/rss.blade.php, file id 34044310873;
# RssController, file id 33220746749): CDATA title, the absolute link, a CDATA description led
# by <a><img></a>, pubDate from PHP's date("D, d M Y H:i:s T") - in Asia/Ho_Chi_Minh "T" is
# "+07" - and a guid repeating the link. The channel's own links are no items.
TEMPLATE_RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Khoa học và công nghệ | Bộ Khoa học và Công nghệ</title><link>{BASE}/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm</link>
<description><![CDATA[Bộ KH&CN]]></description><atom:link href="{BASE}/rss/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.rss" rel="self" type="application/rss+xml" />
<pubDate>Sun, 21 Jun 2026 10:15:00 +07</pubDate><image><url>{BASE}/logo.png</url><title>x</title><link>{BASE}</link></image><ttl>15</ttl>
<item><title><![CDATA[Bài 0]]></title><link>{BASE}/bai-viet-so-0-{IDS[0]}.htm</link>
 <description><![CDATA[<a href="{BASE}/bai-viet-so-0-{IDS[0]}.htm"><img src="https://mic.mediacdn.vn/a0.jpg"></a> Sapo 0]]></description>
 <pubDate>Sun, 21 Jun 2026 08:00:00 +07</pubDate><guid >{BASE}/bai-viet-so-0-{IDS[0]}.htm</guid></item>
<item><title><![CDATA[Bài 1]]></title><link><![CDATA[{BASE}/bai-viet-so-1-{IDS[1]}.htm]]></link>
 <description><![CDATA[Sapo 1]]></description><pubDate>Sat, 20 Jun 2026 17:05:00 +0700</pubDate><guid>{BASE}/bai-viet-so-1-{IDS[1]}.htm</guid></item>
</channel></rss>"""


def test_template_feed_links_once_each() -> None:
    url = f"{BASE}/rss/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.rss"
    assert [mst.article_id(u) for u in parse_rss(TEMPLATE_RSS, url)] == [IDS[0], IDS[1]]
    items = parse_feed_items(TEMPLATE_RSS, url)
    assert [(mst.article_id(i.url), i.title, i.summary) for i in items] == [
        (IDS[0], "Bài 0", "Sapo 0"),
        (IDS[1], "Bài 1", "Sapo 1"),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # main read "+07" as seven minutes east of UTC: 08:00 became 14:53
        ("Sun, 21 Jun 2026 08:00:00 +07", "2026-06-21T08:00:00+07:00"),
        ("Sun, 21 Jun 2026 08:00:00 +0700", "2026-06-21T08:00:00+07:00"),
        ("Sun, 21 Jun 2026 01:00:00 +00", "2026-06-21T08:00:00+07:00"),
        ("Sun, 21 Jun 2026 08:00:00 GMT", "2026-06-21T15:00:00+07:00"),
    ],
)
def test_php_feed_date_with_a_two_digit_zone(value: str, expected: str) -> None:
    assert parse_pubdate(value) == expected


# An item of the family's stream list as a real tag listing of en.baochinhphu.vn serves it (byte-
# exact capture, tool library: VSSpowerlifting/China-Mil-Watch tests/fixtures/vn_vgp/listing.bin):
# the time's title is written in the server's culture (en-US: month first, AM/PM), the visible
# text day first, as readers of the family's sites see it.
STREAM_ITEM = """<div class="box-stream timeline_list" data-layout="2" data-key="keycd">
 <div class="box-stream-item" data-id="{id}">
  <a class="box-stream-link-with-avatar" href="/bai-{id}.htm" title="Bài" data-id="{id}"><img data-type="avatar" src="https://mic.mediacdn.vn/zoom/270_169/1/a.jpg" alt="Bài" class="box-stream-avatar"></a>
  <div class="box-stream-content">
   <h2><a data-type="title" data-linktype="newsdetail" data-id="{id}" class="box-stream-link-title" data-newstype="0" href="/bai-{id}.htm" title="Bài">Bài</a></h2>
   <a class="box-stream-category" href="/politics.htm" title="Politics">Politics </a>
   <span class="time-ago box-stream-time" title="{title}">{text}</span>
   <p data-type="sapo" class="box-stream-sapo">Sapo</p>
  </div>
 </div>
</div>"""


@pytest.mark.parametrize(
    ("title", "text", "date"),
    [
        ("8/5/2026 8:35:00 PM", "05/08/2026 20:35", "2026-08-05"),
        ("11/12/2024 11:06:00 AM", "12/11/2024 11:06", "2024-11-12"),
        ("7/14/2026 5:48:00 PM", "14/07/2026 17:48", "2026-07-14"),
        ("10:19 , 04/07/2025", "2 giờ trước", "2025-07-04"),  # a relative text: the title's
        ("", "04/07/2025 10:19", "2025-07-04"),
    ],
)
def test_an_item_is_dated_as_its_visible_text_says(title: str, text: str, date: str) -> None:
    html = STREAM_ITEM.format(id=197260704101929995, title=title, text=text)
    listing = parse_zone(html, ZONE_URL)
    assert listing is not None
    assert [i.date for i in listing.items] == [date]
