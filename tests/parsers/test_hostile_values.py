"""Hostile values never make a parser raise or hang.

A parser that raises on a page makes the crawl record a failure of that page
(``crawler.middlewares.CallbackErrorsMiddleware``): the page is never archived and every run
ends ``partial`` for as long as the server sends it. This module holds one focused test per
hostile value that once made a parser (or a portal's URL rule) raise, named after the value.
"""

from __future__ import annotations

import pytest

from crawler.parsers import (
    parse_article,
    parse_feed_items,
    parse_listing,
    parse_rss,
    parse_sitemap,
    parse_webservice_posts,
)
from crawler.portals import mst, portal_of_host

LISTING_URL = "https://www.most.gov.vn/vn/chuyen-muc/493/Tin-tong-hop.aspx"


def _listing_page(item_href: str, next_href: str) -> str:
    return (
        "<html><body><div id='x_pnListNews'><div class='listnews_item'>"
        f"<div class='listnews_item_title'><a href='{item_href}'>Tin</a></div></div>"
        "<div class='listnews_item'><div class='listnews_item_title'>"
        "<a href='/vn/tin-tuc/7/b.aspx'>Tin hai</a></div></div></div>"
        "<div class='Paging'><span>1</span><span>2</span><span>3</span><span>4</span>"
        f"<span><a id='x_lkNext2' href='{next_href}'>Sau</a></span></div></body></html>"
    )


def test_listing_href_http_unclosed_ipv6_bracket() -> None:
    """``http://[::1``: urljoin raises ValueError (Invalid IPv6 URL); the link is no item."""
    listing = parse_listing(_listing_page("http://[::1", "http://[::1"), LISTING_URL)
    assert listing is not None
    assert [i.url for i in listing.items] == ["https://www.most.gov.vn/vn/tin-tuc/7/b.aspx"]
    assert listing.next_url is None


def test_listing_href_host_nfkc_fullwidth_number_sign() -> None:
    """``http://a＃b/``: a host that NFKC-normalises to ``a#b`` (urljoin raises ValueError)."""
    listing = parse_listing(
        _listing_page("http://a\uff03b/", "http://a\uff03b/?page=2"), LISTING_URL
    )
    assert listing is not None
    assert [i.url for i in listing.items] == ["https://www.most.gov.vn/vn/tin-tuc/7/b.aspx"]
    assert listing.next_url is None


MOST_ARTICLE_URL = "https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx"


def test_body_link_host_dotted_quad_with_a_5000_digit_label() -> None:
    """``http://1.1.1.111…1/`` (5,000 digits): ``int()`` refuses a string of over 4,300 digits
    (ValueError) where body_html asked whether the host is an IPv4 address."""
    href = "http://1.1.1." + "1" * 5000 + "/"
    page = f"<html><body><div id='divArticleDescription2'><p>Text <a href='{href}'>x</a></p></div>"
    article = parse_article(page + "</body></html>", MOST_ARTICLE_URL)
    assert article is not None
    assert article.body == ["Text x"]


WEBSERVICE_URL = "https://www.most.gov.vn/_layouts/15/WebService/Getdataportal.asmx/GetListposts"
SLUG = '{"slug": "/vn/tin-tuc/13245/x.aspx"}'


def test_webservice_json_number_of_5000_digits() -> None:
    """A post with a 5,000-digit number: json.loads raised ValueError (int() refuses over 4,300
    digits), not the JSONDecodeError the parser caught; the slugs are still read."""
    payload = f'[{SLUG[:-1]}, "id": {"1" * 5000}}}]'
    urls = parse_webservice_posts(f"<string>{payload}</string>", WEBSERVICE_URL)
    assert urls == ["https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx"]


def test_webservice_json_nested_100000_deep() -> None:
    """100,000 nested ``[``: json.loads raised RecursionError; the slugs are still read."""
    payload = "[" * 100_000 + SLUG + "]" * 100_000
    urls = parse_webservice_posts(f"<string>{payload}</string>", WEBSERVICE_URL)
    assert urls == ["https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx"]


MST_ARTICLE_URL = "https://mst.gov.vn/tang-cuong-hop-tac-197250610083000131.htm"


def _mst_page(canonical: str) -> str:
    return (
        f"<html><head><link rel='canonical' href='{canonical}'></head><body>"
        "<h1 class='detail-title'>T</h1><div class='detail-content'><p>Body text.</p></div>"
        "</body></html>"
    )


def test_declared_canonical_id_of_5000_digits() -> None:
    """A canonical link ``/x-111…1.htm`` (5,000 digits): int() refused it (ValueError) where the
    parser compared its id with the page's."""
    article = parse_article(_mst_page("/x-" + "1" * 5000 + ".htm"), MST_ARTICLE_URL)
    assert article is not None
    assert article.url == MST_ARTICLE_URL


def test_declared_canonical_id_in_arabic_indic_digits() -> None:
    """A canonical link whose id is written ``١٩٧٢…`` (int() reads it as the page's id): the
    record's URL took those digits, and the portal's own rule then read no id from it."""
    arabic = "".join(chr(0x660 + int(c)) for c in "197250610083000131")
    article = parse_article(_mst_page(f"https://mst.gov.vn/khac-{arabic}.htm"), MST_ARTICLE_URL)
    assert article is not None
    assert article.url == MST_ARTICLE_URL
    assert mst.article_id(article.url) == 197250610083000131


def test_declared_canonical_id_with_a_leading_zero() -> None:
    """``/slug-0197…131.htm`` names another URL (19 digits, no article id): not the page's id."""
    article = parse_article(_mst_page("/khac-0197250610083000131.htm"), MST_ARTICLE_URL)
    assert article is not None
    assert article.url == MST_ARTICLE_URL


def test_next_page_of_timeline_zone_0() -> None:
    """``/timelinelist/0/2.htm``: zone 0 was read as no zone (``0 or zone_id``), then an
    ``assert`` raised AssertionError; with another zone given, that zone's page was asked."""
    page = "https://mst.gov.vn/timelinelist/0/2.htm"
    assert mst.next_page_urls(page, None) == ["https://mst.gov.vn/timelinelist/0/3.htm"]
    assert mst.next_page_urls(page, 7) == ["https://mst.gov.vn/timelinelist/0/3.htm"]


def test_next_page_of_timeline_zone_of_30_digits() -> None:
    """A zone id of 30 digits is no id (``to_int``): AssertionError without a zone given."""
    page = "https://mst.gov.vn/timelinelist/" + "1" * 30 + "/2.htm"
    assert mst.next_page_urls(page, None) == []
    assert mst.next_page_urls(page, 7) == ["https://mst.gov.vn/timelinelist/7/3.htm"]


def test_portal_urls_http_unclosed_ipv6_bracket() -> None:
    """``http://[::1``: urlsplit raises ValueError in the portals' host and base rules."""
    for url in ("http://[::1", "http://[::1/timelinelist/5/2.htm", "http://a\uff03b/x"):
        assert portal_of_host(url) is None
        assert mst.site_base(url) == ""
        assert mst.next_page_urls(url, 5) == []


@pytest.mark.parametrize("ref", ["&#xD800;", "&#55296;", "&#xdfff;", "&#x0DC00;"])
def test_xml_char_ref_to_a_surrogate(ref: str) -> None:
    """``&#xD800;`` in a feed, sitemap or web service answer: libxml2's recovering XML reader
    kept the surrogate's bytes and lxml raised UnicodeDecodeError reading the text; it is read
    as U+FFFD, as the HTML reader does."""
    rss = (
        f"<rss><channel><item><title>T{ref}</title><link>https://mst.gov.vn/a{ref}-197250704101929995.htm"
        "</link><pubDate>Sun, 12 Jul 2026 07:00:00 +0700</pubDate></item></channel></rss>"
    )
    url = "https://mst.gov.vn/a\ufffd-197250704101929995.htm"
    assert parse_rss(rss, "https://mst.gov.vn/rss/home.rss") == [
        "https://mst.gov.vn/a\ufffd-197250704101929995.htm"
    ]
    items = parse_feed_items(rss.encode(), "https://mst.gov.vn/rss/home.rss")
    assert [(i.url, i.title) for i in items] == [(url, "T\ufffd")]
    sitemap = (
        f"<urlset><url><loc>https://mst.gov.vn/a{ref}-197250704101929995.htm</loc></url></urlset>"
    )
    found = parse_sitemap(sitemap.encode(), "https://mst.gov.vn/sitemap.xml")
    assert [e.loc for e in found.entries] == ["https://mst.gov.vn/a\ufffd-197250704101929995.htm"]
    asmx = f'<string>[{{"slug": "/vn/tin-tuc/1/a{ref}.aspx"}}]</string>'
    assert parse_webservice_posts(asmx.encode(), WEBSERVICE_URL) == [
        "https://www.most.gov.vn/vn/tin-tuc/1/a\ufffd.aspx"
    ]


@pytest.mark.parametrize(
    "json_text",
    ['[{"slug": "/vn/tin-tuc/1/a\\ud800.aspx"}]', '{"slug": "/vn/tin-tuc/1/a\\udfff.aspx", '],
)
def test_webservice_json_escape_of_a_lone_surrogate(json_text: str) -> None:
    """``"\\ud800"`` in a post's slug: json.loads gives a lone surrogate, which no URL can hold
    (UTF-8 cannot encode it: the spider's request for that URL raised UnicodeEncodeError). Read
    as U+FFFD, as the XML and HTML readers read ``&#xD800;``."""
    urls = parse_webservice_posts(f"<string>{json_text}</string>", WEBSERVICE_URL)
    assert len(urls) == 1 and urls[0].startswith("https://www.most.gov.vn/vn/tin-tuc/1/a\ufffd")
    assert urls[0].encode("utf-8")
