"""The mst.gov.vn parser beyond the fixture folders: URL and id rules, portal recognition from
markup (never the host), the new Article fields on the SharePoint portal, date forms, tails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.items import Article, Attachment, Image
from crawler.parsers import parse_article
from crawler.parsers.dates import parse_iso_local, parse_month_name, to_minute
from crawler.parsers.mst import article_id_from_url, id_timestamp, source_of

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
SEED = "mst-seed-area-codes"


def _case(name: str) -> tuple[bytes, dict]:  # type: ignore[type-arg]
    spec = json.loads((PAGES / name / "expected.json").read_text(encoding="utf-8"))
    return (PAGES / name / "page.html").read_bytes(), spec


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://mst.gov.vn/thong-cao-bao-chi-197250704101929995.htm", 197250704101929995),
        ("https://mst.gov.vn/internet-viet-nam-197136077.htm", 197136077),
        ("https://mst.gov.vn/sach-trang-19724042616014143.htm?x=1#top", 19724042616014143),
        ("http://127.0.0.1:5000/ke-tu-01-7-2025-197250704101929995.htm", 197250704101929995),
        ("https://mst.gov.vn/gioi-thieu-19797875.htm", None),  # a static page, 8 digits
        ("https://mst.gov.vn/x-1972507041019299.htm", None),  # 16 digits: noise
        ("https://mic.gov.vn/x-172230623143050.htm", None),  # the odd 15-digit one: noise
        ("https://mst.gov.vn/van-ban-phap-luat/25175.htm", None),
        ("https://mst.gov.vn/van-ban-phap-luat/du-thao/2256.htm", None),
        ("https://mst.gov.vn/tin-tuc-su-kien/tin-tong-hop.htm", None),
        ("https://mst.gov.vn/tin-tuc-su-kien/xem-theo-ngay-26-06-2026.htm", None),
        ("https://mst.gov.vn/tin-tong-hop/trang-2.htm", None),
        ("https://mst.gov.vn/trang-2.htm", None),
        ("https://mst.gov.vn/timelinelist/2108/2.htm", None),
        ("https://mst.gov.vn/tim-kiem.htm?keywords=5g", None),
        ("https://mst.gov.vn/197250704101929995.htm", None),
        ("https://www.most.gov.vn/vn/tin-tuc/23570/x.aspx", None),
        ("http://[::1", None),
    ],
)
def test_article_id_from_url(url: str, want: int | None) -> None:
    assert article_id_from_url(url) == want


@pytest.mark.parametrize(
    ("site_id", "want"),
    [
        (197250704101929995, "2025-07-04T10:19:00+07:00"),
        (197251210165544671, "2025-12-10T16:55:00+07:00"),
        (197136077, None),  # legacy: no timestamp in it
        (19724042616014143, None),  # 17 digits: not the 18-digit form
        (197251310165544671, None),  # month 13
    ],
)
def test_id_timestamp(site_id: int, want: str | None) -> None:
    assert id_timestamp(site_id) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("September 09, 2026 9:33 AM GMT+7", "2026-09-09T09:33:00+07:00"),
        ("July 12, 2024 4:34 PM GMT+7", "2024-07-12T16:34:00+07:00"),
        ("Dec 1, 2025 12:05 AM", "2025-12-01T00:05:00+07:00"),
        ("March 3, 2025", "2025-03-03T00:00:00+07:00"),
        ("Smarch 3, 2025 10:00", None),
        ("February 30, 2025 10:00", None),
    ],
)
def test_month_name_dates(text: str, want: str | None) -> None:
    assert parse_month_name(text) == want


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("2025-07-04T10:19:29+07:00", "2025-07-04T10:19:29+07:00"),
        ("2025-07-04T03:19:29Z", "2025-07-04T10:19:29+07:00"),
        ("2025-07-04T03:19:29.123+0000", "2025-07-04T10:19:29+07:00"),
        ("2025-07-04T20:00:00-05:00", "2025-07-05T08:00:00+07:00"),
        ("2025-07-04 10:19", "2025-07-04T10:19:00+07:00"),
        ("2025-13-04T10:19:29+07:00", None),
        ("hôm nay", None),
        # moved to +07:00, these leave the years datetime can hold: no date, never a crash
        ("9999-12-31T23:00:00-05:00", None),
        ("0001-01-01T00:00:00+14:00", None),
        # no zone is that far from UTC, and an hour has 60 minutes: not a time
        ("2025-07-04T10:19:00+99:99", None),
        ("2025-07-04T10:19:00+15:00", None),
        ("2025-07-04T10:19:00+07:60", None),
        ("2025-07-04T10:19:00+14:00", "2025-07-04T03:19:00+07:00"),
    ],
)
def test_iso_meta_dates(text: str, want: str | None) -> None:
    assert parse_iso_local(text) == want


def test_to_minute() -> None:
    assert to_minute("2025-07-04T10:19:29+07:00") == "2025-07-04T10:19:00+07:00"
    assert to_minute(None) is None


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("Nguồn: Báo Khoa học và Phát triển", "Báo Khoa học và Phát triển"),
        ("(Nguồn: TTXVN)", "TTXVN"),
        ("Nguồn tin: Cục Viễn thông", "Cục Viễn thông"),
        ("Theo Báo Chính phủ", "Theo Báo Chính phủ"),
        ("(Theo VnExpress)", "Theo VnExpress"),
        ("Theo Sở KH&CN TP. Hồ Chí Minh", "Theo Sở KH&CN TP. Hồ Chí Minh"),
        ("Theo Thứ trưởng, nhận thức đầy đủ về vai trò của khoa học là quan trọng.", None),
        ("Theo đó, kể từ ngày 01/7/2025, mã vùng được quy định như sau:", None),
        ("Bộ sẽ tiếp tục đồng hành cùng doanh nghiệp./.", None),
    ],
)
def test_source_lines(line: str, want: str | None) -> None:
    assert source_of(line) == want


def test_portal_comes_from_markup_not_host() -> None:
    """The same mst page parses alike on the real host, an old alias and a loopback replica;
    a SharePoint page on an mst.gov.vn host is still the SharePoint portal's."""
    page, spec = _case(SEED)
    path = "/" + spec["page_url"].split("/", 3)[3]
    records = []
    for base in ("https://mst.gov.vn", "https://mic.gov.vn", "http://127.0.0.1:38111"):
        article = parse_article(page, base + path)
        assert article is not None
        assert (article.portal, article.parser) == ("mst", "mst/1")
        assert article.url == base + path
        record = article.to_dict()
        record.pop("url")
        record.pop("body_html")
        records.append(record)
    assert records[0] == records[1] == records[2]
    most_page = (PAGES / "seed-article" / "page.html").read_bytes()
    article = parse_article(most_page, "https://mst.gov.vn/vn/tin-tuc/23570/x.aspx")
    assert article is not None
    assert (article.portal, article.parser) == ("most", "most/1")


def test_markup_of_the_other_portal_at_an_article_url_is_no_crossover() -> None:
    """An mst page at a SharePoint article URL (and vice versa) is not parsed by the wrong
    portal's parser: it goes to the fallback under the URL's portal, or is no article."""
    page, _spec = _case(SEED)
    article = parse_article(page, "https://www.most.gov.vn/vn/tin-tuc/23570/x.aspx")
    assert article is None or (article.portal, article.parser) == ("most", "fallback-trafilatura/1")
    most_page = (PAGES / "seed-article" / "page.html").read_bytes()
    article = parse_article(most_page, "https://mst.gov.vn/x-197250704101929995.htm")
    assert article is None or (article.portal, article.parser) == ("mst", "fallback-trafilatura/1")


SHAREPOINT_ARTICLES = sorted(
    p.name
    for p in PAGES.iterdir()
    if not p.name.startswith("mst-")
    and (p / "expected.json").exists()
    and json.loads((p / "expected.json").read_text(encoding="utf-8"))["kind"] == "article"
)


@pytest.mark.parametrize("case", SHAREPOINT_ARTICLES)
def test_sharepoint_pages_show_no_byline_or_tags(case: str) -> None:
    """SITE.md knows no byline or tag list on the SharePoint portal: author None, tags []."""
    page, spec = _case(case)
    article = parse_article(page, spec["page_url"])
    assert article is not None
    assert (article.portal, article.author, article.tags) == ("most", None, [])


def test_article_dicts_written_before_the_new_fields_still_load() -> None:
    article = Article(
        site_id=197250704101929995,
        url="https://mst.gov.vn/x-197250704101929995.htm",
        title="T",
        lead="",
        body=["a"],
        body_html="<p>a</p>",
        published_at=None,
        category=None,
        source=None,
        images=[Image("https://mic.mediacdn.vn/a.jpg", None, "")],
        attachments=[Attachment("https://mic.mediacdn.vn/a.pdf", "A")],
        parser="mst/1",
        author="Kim Loan",
        tags=["5G"],
        portal="mst",
    )
    assert Article.from_dict(article.to_dict()) == article
    assert article.key == "mst:197250704101929995"
    exported = {**article.to_dict(), "key": article.key}
    assert Article.from_dict(exported) == article
    old = article.to_dict()
    for name in ("author", "tags", "portal"):
        del old[name]
    loaded = Article.from_dict(old)
    assert (loaded.author, loaded.tags, loaded.portal) == (None, [], "most")


def test_control_characters_never_reach_mst_fields() -> None:
    """Every mst field goes through the shared text rules (crawler.parsers.text), so C0/C1
    controls and bidi overrides written into the page are gone from title, lead, body, byline,
    tags, captions, category and source."""
    page, spec = _case("mst-source-nguon-after-byline")
    hostile = "\x07\x1b\u202e\x85"
    text = page.decode("utf-8")
    for visible in (
        "Nghiên cứu chế biến sâu",
        "Thu Hà",
        "Báo Khoa học và Phát triển",
        "Khoa học và công nghệ",
        "Đề tài đã làm chủ",
    ):
        text = text.replace(visible, visible[:3] + hostile + visible[3:])
    article = parse_article(text.encode("utf-8"), spec["page_url"])
    assert article is not None
    fields = [
        article.title,
        article.lead,
        article.author or "",
        article.source or "",
        article.category or "",
        *article.body,
        *article.tags,
    ]
    for value in fields:
        assert not any(ch in value for ch in "\x07\x1b\u202e\x85"), value
    assert article.author == "Thu Hà" and article.source == "Báo Khoa học và Phát triển"


def test_a_meta_time_beyond_the_calendar_leaves_the_ids_time() -> None:
    """A page whose ``article:published_time`` is 9999-12-31T23:00:00-05:00 (outside what a
    datetime holds once in +07:00) made the parser raise: the article was never archived and
    every run ended partial. The date then comes from the id, as with no meta at all."""
    page = (
        '<html><head><meta property="article:published_time" '
        'content="9999-12-31T23:00:00-05:00"></head><body>'
        '<h1 class="detail-title" data-role="title">T</h1>'
        '<div class="detail-content" data-role="content"><p>Một đoạn văn.</p></div>'
        "</body></html>"
    )
    article = parse_article(page.encode(), "https://mst.gov.vn/t-197250704101929995.htm")
    assert article is not None
    assert article.published_at == "2025-07-04T10:19:00+07:00"
