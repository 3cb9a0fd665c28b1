"""URL rules: article and category ids, canonical URLs, absolute image/file URLs."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.parsers import article_id_from_url, canonical_url, category_id_from_url
from crawler.parsers.urls import absolute_url, repair_url

PAGE = "https://www.most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx"


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://www.most.gov.vn/vn/tin-tuc/13245/ha-noi-dieu-chinh-.aspx", 13245),
        ("http://most.gov.vn/vn/tin-tuc/13246/bao-ve--phat-trien.aspx", 13246),
        ("https://www.most.gov.vn/VN/Tin-Tuc/13247/UPPER.ASPX", 13247),
        ("/vn/tin-tuc/13248/x.aspx?page=2#top", 13248),
        ("https://www.most.gov.vn/en/news/91245/gan-ma.aspx", 91245),
        ("http://www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews=13245", 13245),
        ("https://most.gov.vn/vn/pages/ChiTietTin.aspx?chuyenmucid=4&idnews=77&tieude=a.aspx", 77),
        ("https://www.most.gov.vn/vn/chuyen-muc/493/Tin-tong-hop.aspx", None),
        ("https://www.most.gov.vn/vn/Pages/chuyenmuctin.aspx?ChuyenmucID=492&IDNews=5", None),
        ("https://www.most.gov.vn/vn/tin-tuc/abc/x.aspx", None),
        ("http://[::1", None),
        ("", None),
    ],
)
def test_article_id(url: str, want: int | None) -> None:
    assert article_id_from_url(url) == want


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://www.most.gov.vn/vn/chuyen-muc/493/Tin-tong-hop.aspx?page=2", 493),
        ("https://www.most.gov.vn/vn/Chuyen-Muc/570/diem-bao-ve-khcn.aspx", 570),
        ("/vn/Pages/chuyenmuctin.aspx?ChuyenmucID=1173&page=3", 1173),
        ("https://most.mst.gov.vn/en/Category/23/news--events.aspx", 23),
        ("https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx", None),
    ],
)
def test_category_id(url: str, want: int | None) -> None:
    assert category_id_from_url(url) == want


@pytest.mark.parametrize(
    ("url", "want"),
    [
        (
            "https://www.most.gov.vn/vn/tin-tuc/1/Ha-Noi--.aspx?utm=x#f",
            "https://www.most.gov.vn/vn/tin-tuc/1/Ha-Noi--.aspx",
        ),
        ("http://127.0.0.1:8765/vn/tin-tuc/2/a.aspx", "http://127.0.0.1:8765/vn/tin-tuc/2/a.aspx"),
        (
            "https://www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews=3&tieude=x.aspx",
            "https://www.most.gov.vn/vn/Pages/chitiettin.aspx?IDNews=3",
        ),
    ],
)
def test_canonical_url(url: str, want: str) -> None:
    assert canonical_url(url) == want


@pytest.mark.parametrize(
    ("href", "want"),
    [
        (
            "/Images/editor/images/a%20b.JPG",
            "https://www.most.gov.vn/Images/editor/images/a%20b.JPG",
        ),
        ("http://most.gov.vn/Images/x.jpg", "https://www.most.gov.vn/Images/x.jpg"),
        ("https://MOST.gov.vn:443/Images/x.jpg", "https://www.most.gov.vn/Images/x.jpg"),
        ("http://www.most.gov.vn:8080/x.jpg", "http://www.most.gov.vn:8080/x.jpg"),
        ("http://example.org/a%20b.jpg", "http://example.org/a%20b.jpg"),
        (" x.jpg ", "https://www.most.gov.vn/vn/tin-tuc/13245/x.jpg"),
    ],
)
def test_absolute_url(href: str, want: str) -> None:
    assert absolute_url(href, PAGE) == want


def test_absolute_url_on_the_replica() -> None:
    page = "http://127.0.0.1:8765/vn/tin-tuc/1/a.aspx"
    assert absolute_url("https://www.127.0.0.1:8765/Images/a.jpg", page) == (
        "http://127.0.0.1:8765/Images/a.jpg"
    )
    assert absolute_url("http://127.0.0.1:9/a.jpg", page) == "http://127.0.0.1:9/a.jpg"


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("http:www.most.gov.vn/vn/tin-tuc/1/a.aspx", "http://www.most.gov.vn/vn/tin-tuc/1/a.aspx"),
        ("https:/most.gov.vn/a", "https://most.gov.vn/a"),
        (" http://ok/ ", "http://ok/"),
        ("/vn/tin-tuc/1/a.aspx", "/vn/tin-tuc/1/a.aspx"),
    ],
)
def test_repair_url(url: str, want: str) -> None:
    assert repair_url(url) == want


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcXYZ019%20-_./?#&= ", max_size=40))
def test_root_relative_fast_path_agrees_with_urljoin(tail: str) -> None:
    href = "/" + tail.strip()
    assert absolute_url(href, PAGE) == urljoin(PAGE, href.strip())
