"""RSS and web-service responses, as broken as SITE.md §6, §9.3, §9.4 says they are."""

from __future__ import annotations

from crawler.parsers import parse_rss, parse_webservice_posts

FEED = "https://www.most.gov.vn/rss/492/tin_tuc_su_kien.rss"
API = "https://www.most.gov.vn/_layouts/15/WebService/Getdataportal.asmx/GetListposts"

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tin tức sự kiện</title><link>https://www.most.gov.vn/</link>
<item><title>Bài một</title>
<link>http://www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492&amp;IDNews=13245</link>
<description>&lt;p&gt;Chiều 5-12…&lt;/p&gt;</description>
<pubDate>12/7/2017 10:21:00 AM</pubDate></item>
<item><title>Bài hai</title><link>https://www.most.gov.vn/vn/tin-tuc/13246/bao-ve--phat-trien.aspx</link>
<pubDate>12/7/2017 9:05:00 AM</pubDate></item>
<item><title>Bài ba</title><link>http:www.most.gov.vn/vn/tin-tuc/13247/bai-ba.aspx</link></item>
<item><title>Bài bốn</title><link> /vn/tin-tuc/13248/bai-bon.aspx </link></item>
<item><title>Bài hai lần nữa</title><link>https://www.most.gov.vn/vn/tin-tuc/13246/bao-ve--phat-trien.aspx</link></item>
</channel></rss>"""


def test_rss_links_repaired_absolute_in_order() -> None:
    assert parse_rss(RSS.encode(), FEED) == [
        "https://www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews=13245",
        "https://www.most.gov.vn/vn/tin-tuc/13246/bao-ve--phat-trien.aspx",
        "https://www.most.gov.vn/vn/tin-tuc/13247/bai-ba.aspx",
        "https://www.most.gov.vn/vn/tin-tuc/13248/bai-bon.aspx",
    ]


def test_rss_truncated_or_not_xml() -> None:
    assert parse_rss(RSS.encode()[: RSS.index("Bài ba")], FEED)[:2] == [
        "https://www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews=13245",
        "https://www.most.gov.vn/vn/tin-tuc/13246/bao-ve--phat-trien.aspx",
    ]
    assert parse_rss(b"", FEED) == []
    assert parse_rss(b"<html><body>404</body></html>", FEED) == []


GOOD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<string xmlns="http://tempuri.org/">'
    '[{"id":13245,"slug":"https://www.most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx",'
    '"title":"Hà Nội ","catname":"Điểm báo về KH&amp;CN","publisheddate":"07/12/2017 10:21"},'
    '{"id":13246,"slug":"http://www.most.gov.vn/vn/tin-tuc/13246/bao-ve--phat-trien.aspx",'
    '"title":"Bảo vệ","catname":"Điểm báo về KH&amp;CN","publisheddate":"07/12/2017 09:05"}]'
    "</string>"
)


def test_webservice_valid_json() -> None:
    assert parse_webservice_posts(GOOD, API) == [
        "https://www.most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx",
        "https://www.most.gov.vn/vn/tin-tuc/13246/bao-ve--phat-trien.aspx",
    ]


def test_webservice_invalid_json_raw_quotes_and_newlines() -> None:
    broken = GOOD.replace('"title":"Bảo vệ"', '"title":""Bảo vệ,\nphát triển""')
    assert parse_webservice_posts(broken.encode(), API) == parse_webservice_posts(GOOD, API)


def test_webservice_malformed_slug_and_no_wrapper() -> None:
    text = '[{"id":1,"slug":"http:www.most.gov.vn/vn/tin-tuc/1/a.aspx","title":"x"y"}]'
    assert parse_webservice_posts(text, API) == ["https://www.most.gov.vn/vn/tin-tuc/1/a.aspx"]


def test_webservice_garbage() -> None:
    assert parse_webservice_posts(b"", API) == []
    assert parse_webservice_posts("<string>not json</string>", API) == []
    assert parse_webservice_posts('<string>{"slug": 5}</string>', API) == []
