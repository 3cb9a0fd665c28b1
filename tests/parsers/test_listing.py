"""Listing pages: items, dates, thumbnails, the pager on first/middle/last pages; the home menu."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.parsers import parse_home, parse_listing

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
BASE = "https://www.most.gov.vn/vn/chuyen-muc/493/Tin-tong-hop.aspx"


def _page(case: str) -> bytes:
    return (PAGES / case / "page.html").read_bytes()


@pytest.mark.parametrize(
    ("case", "url", "page", "next_url"),
    [
        ("listing-first-page", BASE, 1, BASE + "?page=2"),
        ("listing-middle-page", BASE + "?page=2", 2, BASE + "?page=3"),
        ("listing-last-page", BASE + "?page=106", 106, None),
    ],
)
def test_pager(case: str, url: str, page: int, next_url: str | None) -> None:
    listing = parse_listing(_page(case), url)
    assert listing is not None
    assert (listing.page, listing.last_page, listing.next_url) == (page, 106, next_url)


def test_items_dates_and_thumbnails() -> None:
    listing = parse_listing(_page("listing-middle-page"), BASE + "?page=2")
    assert listing is not None
    assert listing.category == "Tin tổng hợp" and listing.category_id == 493
    first, second, third = listing.items
    assert first.date == "2017-12-07" and second.date == "2017-12-06"
    assert third.date is None  # the vendor prints an empty span for 01/01/1900
    assert first.thumbnail is not None and first.thumbnail.startswith(
        "https://www.most.gov.vn/Images/"
    )
    assert second.thumbnail is None  # an item without an image
    assert first.title.endswith("nhà nước")  # the trailing space is gone
    assert second.url.startswith("http://www.most.gov.vn/")  # as linked, not canonicalised
    assert third.url == "https://www.most.gov.vn/vn/tin-tuc/13247/bai-ba.aspx"  # relative href


def test_thumbnails_follow_the_page_host() -> None:
    listing = parse_listing(
        _page("listing-middle-page"), "http://127.0.0.1:8765/vn/chuyen-muc/493/a.aspx"
    )
    assert listing is not None
    assert listing.items[0].thumbnail is not None
    assert listing.items[0].thumbnail.startswith("http://127.0.0.1:8765/Images/Tintuc/m")
    assert listing.next_url == "http://127.0.0.1:8765/vn/chuyen-muc/493/Tin-tong-hop.aspx?page=3"


def test_empty_page_past_the_end() -> None:
    listing = parse_listing(_page("listing-past-end-empty"), BASE + "?page=999")
    assert listing is not None
    assert listing.items == [] and listing.next_url is None


def test_article_page_is_not_a_listing() -> None:
    assert parse_listing(_page("seed-article"), BASE) is None
    assert parse_listing(b"", BASE) is None


HOME = """<html><head><meta charset="utf-8"></head><body><div class="menu_top"><ul class="Menu_Ul">
<li class='Lv_1'><a href='/vn/Pages/Trangchu.aspx'>Trang chủ</a></li>
<li class='Lv_1'><a href='https://www.most.gov.vn/vn/chuyen-muc/492/Tin-tuc-su-kien.aspx'>
Tin tức sự kiện</a></li>
<li class='Lv_1'><a href='/vn/chuyen-muc/493/Tin-tong-hop.aspx'>Tin tổng hợp</a></li>
<li class='Lv_1'><a href='/vn/chuyen-muc/570/Diem-bao-KHCN.aspx'>Điểm báo</a></li>
<li class='Lv_1'><a href='javascript:void(0)'>Văn bản</a></li>
</ul></div>
<div><a href='/vn/chuyen-muc/570/diem-bao-ve-khcn.aspx'>Điểm báo (slug khác)</a>
<a href='/vn/Pages/chuyenmuctin.aspx?ChuyenmucID=600&amp;page=1'>Cũ</a>
<a href='/vn/tin-tuc/1/a.aspx'>Bài</a></div></body></html>"""


def test_home_menu_categories() -> None:
    assert parse_home(HOME.encode(), "https://www.most.gov.vn/vn/Pages/Trangchu.aspx") == [
        "https://www.most.gov.vn/vn/chuyen-muc/492/Tin-tuc-su-kien.aspx",
        "https://www.most.gov.vn/vn/chuyen-muc/493/Tin-tong-hop.aspx",
        "https://www.most.gov.vn/vn/chuyen-muc/570/Diem-bao-KHCN.aspx",
        "https://www.most.gov.vn/vn/Pages/chuyenmuctin.aspx?ChuyenmucID=600&page=1",
    ]
    assert parse_home(b"", "https://www.most.gov.vn/") == []


SIBLING_SKIN = """<html><body><form id="aspnetForm">
<div id="ctl00_SPWebPartManager1_g_1_ctl00_pnListNews">
<div class="item"><h3 class="H3_iTem_ListNews"><a href='/en/news/91245/a.aspx'>First</a></h3>
<span class='news_datetime'>(30/06/2026)</span></div>
<div class="item"><h3 class="H3_iTem_ListNews"><a href='/en/news/91246/b.aspx'>Second</a></h3></div>
</div>
<div class="Paging"><span class="PagingInfo">Trang 1/3</span><span>Đầu</span><span>Trước</span>
<select><option value="1" selected="selected">1</option><option value="2">2</option>
<option value="3">3</option></select>
<span><a href="/en/Category/23/news--events.aspx?page=2">Sau</a></span>
<span><a href="/en/Category/23/news--events.aspx?page=3">Cuối</a></span></div>
</form></body></html>"""


def test_sibling_skin_with_h3_titles() -> None:
    """The <h3> skin of most.mst.gov.vn (SITE.md §5.1), and the positional next link."""
    url = "https://most.mst.gov.vn/en/Category/23/news--events.aspx"
    listing = parse_listing(SIBLING_SKIN.encode(), url)
    assert listing is not None
    assert [(i.url, i.title, i.date) for i in listing.items] == [
        ("https://most.mst.gov.vn/en/news/91245/a.aspx", "First", "2026-06-30"),
        ("https://most.mst.gov.vn/en/news/91246/b.aspx", "Second", None),
    ]
    assert (listing.category_id, listing.page, listing.last_page) == (23, 1, 3)
    assert listing.next_url == url + "?page=2"
