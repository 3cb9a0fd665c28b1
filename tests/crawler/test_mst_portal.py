"""The mst.gov.vn portal's rules (crawler.portals.mst): ids, URLs, hosts and entry points."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsers.sitemaps import normalise_lastmod
from crawler.portals import mst

VN = timezone(timedelta(hours=7))


@pytest.mark.parametrize(
    ("url", "site_id"),
    [
        (
            "https://mst.gov.vn/thong-cao-bao-chi-ve-viec-thuc-hien-quy-hoach-ma-vung-dien-thoai-co-dinh-"
            "mat-dat-ke-tu-01-7-2025-197250704101929995.htm",
            197250704101929995,
        ),
        ("https://mst.gov.vn/internet-viet-nam-da-co-nhung-buoc-tien-197136077.htm", 197136077),
        (
            "https://mst.gov.vn/sach-trang-cong-nghe-thong-tin-va-truyen-thong-19724042616014143.htm",
            19724042616014143,
        ),
        ("https://mic.gov.vn/nghi-dinh-147-2024-197241227124622733.htm", 197241227124622733),
        (
            "http://127.0.0.1:8123/any-slug-197250704101929995.htm?utm_source=x#top",
            197250704101929995,
        ),
        ("/relative-197136077.htm", 197136077),
        ("https://mst.gov.vn/X-197136077.HTM", 197136077),
        # not articles
        ("https://mst.gov.vn/van-ban-phap-luat/25175.htm", None),
        ("https://mst.gov.vn/van-ban-phap-luat/du-thao/2256.htm", None),
        ("https://mst.gov.vn/tim-kiem.htm?keywords=197250704101929995", None),
        ("https://mst.gov.vn/tin-tuc-su-kien/xem-theo-ngay-26-06-2026.htm", None),
        ("https://mst.gov.vn/xem-theo-ngay-26-06-2026.htm", None),
        ("https://mst.gov.vn/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm", None),
        ("https://mst.gov.vn/tin-tuc-su-kien/khoa-hoc-va-cong-nghe/trang-2.htm", None),
        ("https://mst.gov.vn/timelinelist/1972001/2.htm", None),
        ("https://mst.gov.vn/dir/slug-197250704101929995.htm", None),  # two segments
        ("https://mst.gov.vn/slug-19725.htm", None),  # too short
        ("https://mst.gov.vn/gioi-thieu-19797875.htm", None),  # a static page (8 digits)
        ("https://mic.gov.vn/bai-172230623143050.htm", None),  # the odd 15-digit noise
        ("https://mst.gov.vn/rss/home.rss", None),
        ("https://mst.gov.vn/", None),
        ("http://[::1", None),
    ],
)
def test_article_id(url: str, site_id: int | None) -> None:
    assert mst.article_id(url) == site_id
    assert mst.is_article_url(url) is (site_id is not None)


def test_id_timestamps() -> None:
    assert mst.id_timestamp(197250704101929995) == datetime(2025, 7, 4, 10, 19, 29, 995000, VN)
    assert mst.id_timestamp(19724042616014143) == datetime(2024, 4, 26, 16, 1, 41, 430000, VN)
    assert mst.id_published_at(197250704101929995) == "2025-07-04T10:19:00+07:00"
    for no_time in (197136077, 19797875, 197251399999999999, 102250704101929995, 0):
        assert mst.id_timestamp(no_time) is None
        assert mst.id_published_at(no_time) is None


def test_canonical_url_on_the_site_base() -> None:
    url = "https://www.mic.gov.vn/Slug-Cu-197136077.htm?a=1#b"
    assert mst.canonical_article_url(url) == "https://www.mic.gov.vn/Slug-Cu-197136077.htm"
    assert mst.canonical_article_url(url, "http://127.0.0.1:8000") == (
        "http://127.0.0.1:8000/Slug-Cu-197136077.htm"
    )
    assert mst.canonical_article_url(url, "https://mst.gov.vn/") == (
        "https://mst.gov.vn/Slug-Cu-197136077.htm"
    )
    assert mst.canonical_article_url("https://mst.gov.vn/van-ban-phap-luat/25175.htm") is None
    assert mst.article_key(197250704101929995) == "mst:197250704101929995"


def test_hosts() -> None:
    assert mst.NAME == "mst" and mst.PARSER_VERSION == "mst/1"
    assert mst.DEFAULT_SITES == ("https://mst.gov.vn",)
    for url in (
        "https://mst.gov.vn/x",
        "http://WWW.MST.GOV.VN:8080/",
        "https://mic.gov.vn.",
        "https://www.mic.gov.vn/a",
    ):
        assert mst.in_family(url)
    for url in (
        "https://english.mst.gov.vn/",
        "https://most.mst.gov.vn/",
        "ftp://mst.gov.vn/",
        "https://mst.gov.vn.evil.com/",
        "https://mic.mediacdn.vn/a.jpg",
        "/relative",
        "",
    ):
        assert not mst.in_family(url)
    assert mst.is_media_url("https://mic.mediacdn.vn/639352410187198464/2025/7/4/a.pdf")
    assert not mst.is_media_url("https://mst.gov.vn/a.pdf")


def test_entry_points() -> None:
    base = "http://127.0.0.1:8123"
    assert mst.home_url(base) == base + "/"
    assert mst.sitemap_index_url(base + "/") == base + "/sitemap.xml"
    assert mst.rss_urls(base) == [base + "/rss/home.rss", base + "/rss/tin-tuc-su-kien.rss"]
    assert mst.is_zone_url(base + "/tin-tuc-su-kien/chuyen-doi-so.htm")
    assert mst.zone_slug(base + "/tin-tuc-su-kien/chuyen-doi-so.htm") == "chuyen-doi-so"
    for not_zone in (
        "/tin-tuc-su-kien.htm",
        "/tin-tuc-su-kien/xem-theo-ngay-26-06-2026.htm",
        "/van-ban-phap-luat.htm",
        "/tin-tuc-su-kien/a/trang-2.htm",
        "/a-19713607.htm",
    ):
        assert not mst.is_zone_url(base + not_zone)
    assert mst.is_shard_url(base + "/sitemaps/sitemaps-2026-6-21-25.xml")
    assert not mst.is_shard_url(base + "/sitemap.xml")
    assert mst.is_feed_url(base + "/rss/tin-tuc-su-kien/chuyen-doi-so.rss")


def test_paging() -> None:
    zone = "http://127.0.0.1:8123/tin-tuc-su-kien/chuyen-doi-so.htm"
    assert mst.listing_page_number(zone) == 1
    assert mst.next_page_urls(zone, 1972001) == [
        "http://127.0.0.1:8123/timelinelist/1972001/2.htm",
        "http://127.0.0.1:8123/tin-tuc-su-kien/chuyen-doi-so/trang-2.htm",
        "http://127.0.0.1:8123/timeline/1972001/trang-2.htm",  # Tuổi Trẻ's form
        "http://127.0.0.1:8123/chuyen-doi-so/trang-2.htm",
    ]
    assert mst.next_page_urls(zone, None)[0].endswith("/tin-tuc-su-kien/chuyen-doi-so/trang-2.htm")
    timeline = "http://127.0.0.1:8123/timelinelist/1972001/7.htm"
    assert mst.listing_page_number(timeline) == 7
    assert mst.timeline_zone_id(timeline) == 1972001
    assert mst.next_page_urls(timeline, None) == [
        "http://127.0.0.1:8123/timelinelist/1972001/8.htm"
    ]
    paged = "http://127.0.0.1:8123/chuyen-doi-so/trang-3.htm"
    assert mst.listing_page_number(paged) == 3
    assert mst.next_page_urls(paged, 1972001) == ["http://127.0.0.1:8123/chuyen-doi-so/trang-4.htm"]
    assert mst.paged_zone_url(zone, 1) == zone
    assert mst.paged_zone_url("http://127.0.0.1:8123/a-197136077.htm", 2) is None


def test_shard_order() -> None:
    shards = [
        "/sitemaps/sitemaps-2026-6-01-05.xml",
        "/sitemaps/sitemaps-2026-12-26-31.xml",
        "/sitemaps/sitemaps-2026-6-21-25.xml",
        "/sitemaps/sitemaps-2025-12.xml",
    ]
    newest = sorted(shards, key=lambda u: mst.shard_sort_key(u, None), reverse=True)
    assert newest[0].endswith("2026-12-26-31.xml") and newest[-1].endswith("2025-12.xml")
    assert mst.shard_sort_key(shards[0], "2026-07-01T00:00:00+07:00") > mst.shard_sort_key(
        shards[1], "2026-06-30T00:00:00+07:00"
    )


def test_the_newest_shard_is_decided_by_time_not_by_text() -> None:
    """A lastmod still to come (a typo, a server clock years ahead) proves nothing: such a
    shard would be read as the newest on every incremental run, and the real newest never.
    Lastmods come as the sitemap parser reads them (one zone: text order is time order),
    whatever their form in the index (a date alone, another offset)."""
    now = datetime(2026, 7, 2, 12, 0, tzinfo=UTC)
    newest = ("/sitemaps/sitemaps-2026-7-01-05.xml", "2026-07-02T09:00:00+07:00")
    shards = [
        ("/sitemaps/sitemaps-2026-6-26-30.xml", "2099-06-30T00:00:00+07:00"),  # a typo
        ("/sitemaps/sitemaps-2026-6-21-25.xml", "2026-07-04T09:00:00+07:00"),  # 2 days ahead
        newest,
        ("/sitemaps/sitemaps-2026-6-16-20.xml", "2026-07-01"),  # a date alone: the day before
        ("/sitemaps/sitemaps-2026-6-11-15.xml", "2026-07-02T01:30:00+00:00"),  # 08:30 at +07
    ]

    def key(shard: tuple[str, str]) -> tuple[str, tuple[int, int, int]]:
        url, lastmod = shard
        return mst.shard_sort_key(url, normalise_lastmod(lastmod), now=now)

    order = sorted(shards, key=key, reverse=True)
    assert order[0] == newest
    assert [u for u, _ in order[1:3]] == [shards[4][0], shards[3][0]]
    # a lastmod a few hours ahead (clocks that differ, local time written as UTC) counts
    ahead = key(("/a.xml", "2026-07-02T19:00:00Z"))
    assert ahead > key(newest)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_url_rules_never_raise(url: str) -> None:
    found = mst.article_id(url)
    assert found is None or len(str(found)) in (9, 17, 18)
    mst.in_family(url)
    mst.is_zone_url(url)
    mst.listing_page_number(url)
    mst.paged_zone_url(url, 2)
    if found is not None:
        assert mst.canonical_article_url(url, "https://mst.gov.vn") is not None


def test_registered_as_a_portal() -> None:
    from crawler.portals import Portal, portal_for_article_url, portal_named, portal_of_host

    assert isinstance(mst.PORTAL, Portal)
    assert portal_named("mst") is mst.PORTAL
    assert portal_of_host("https://www.mic.gov.vn/x") is mst.PORTAL
    assert portal_of_host("mic.mediacdn.vn") is None  # a media host is no page host
    url = "http://127.0.0.1:9/bai-197250704101929995.htm?x=1"
    assert portal_for_article_url(url) == (mst.PORTAL, 197250704101929995)
    assert mst.PORTAL.canonical_article_url(url, "https://mst.gov.vn") == (
        "https://mst.gov.vn/bai-197250704101929995.htm"
    )
    assert mst.PORTAL.legacy_article_url("https://mst.gov.vn", 197136077) is None
    assert [(e.kind, e.url("https://mst.gov.vn")) for e in mst.PORTAL.entry_points] == [
        ("home", "https://mst.gov.vn/"),
        ("sitemap", "https://mst.gov.vn/sitemap.xml"),
        ("rss", "https://mst.gov.vn/rss/home.rss"),
        ("rss", "https://mst.gov.vn/rss/tin-tuc-su-kien.rss"),
    ]


def test_redirects_within_the_family_are_followed_out_of_it_not() -> None:
    from crawler.urls import SiteScope

    legacy = SiteScope.of("https://www.most.gov.vn")
    assert legacy.redirect_kind("http://most.gov.vn/vn/Pages/Trangchu.aspx") == "site"
    assert legacy.redirect_kind("https://most.mst.gov.vn/vn/Pages/Trangchu.aspx") == "family"
    assert legacy.redirect_kind("https://mst.gov.vn/") == "out"  # another portal's host
    assert legacy.redirect_kind("ftp://most.mst.gov.vn/") == "out"
    moved = legacy.moved_to("https://most.mst.gov.vn/vn/Pages/Trangchu.aspx")
    assert (moved.base, moved.portal) == ("https://most.mst.gov.vn", legacy.portal)
    # before its root page is read an mst site's scope has the default portal: the family of
    # the base's own host counts too
    current = SiteScope.of("https://mst.gov.vn")
    assert current.redirect_kind("https://www.mic.gov.vn/") == "family"
    assert current.redirect_kind("https://mic.mediacdn.vn/a.jpg") == "out"
    local = SiteScope.of("http://127.0.0.1:8000")
    assert local.redirect_kind("http://127.0.0.1:8001/") == "out"
    assert (
        SiteScope.of("http://127.0.0.1:8000", mst.PORTAL).redirect_kind("https://mic.gov.vn/x")
        == "family"
    )
    assert SiteScope.of("http://127.0.0.1:8000", mst.PORTAL).onsite("https://mic.gov.vn/x") == (
        "http://127.0.0.1:8000/x"
    )  # a family link is rewritten onto the site
