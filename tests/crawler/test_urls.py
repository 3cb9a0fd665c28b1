"""The crawl's URL rules: one form per page, nothing offsite, one record per article."""

from __future__ import annotations

import pytest

from crawler.urls import SiteScope, normalise_site

SCOPE = SiteScope.of("https://www.most.gov.vn")
LOCAL = SiteScope.of("http://127.0.0.1:8765/")


@pytest.mark.parametrize(
    "href",
    [
        "https://www.most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx",
        "http://www.most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx",
        "https://most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx",
        "http://most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx?utm_source=x#top",
        "HTTPS://WWW.MOST.GOV.VN/vn/tin-tuc/13245/ha-noi-.aspx",
        "/vn/tin-tuc/13245/ha-noi-.aspx",
    ],
)
def test_article_links_of_every_form_give_one_record(href: str) -> None:
    assert SCOPE.article_url(href, "https://www.most.gov.vn/vn/Pages/Trangchu.aspx") == (
        13245,
        "https://www.most.gov.vn/vn/tin-tuc/13245/ha-noi-.aspx",
    )


def test_slug_letter_case_is_kept_and_id_is_the_key() -> None:
    sid, url = SCOPE.article_url("http://most.gov.vn/vn/tin-tuc/7/Ha-Noi--.aspx") or (0, "")
    assert (sid, url) == (7, "https://www.most.gov.vn/vn/tin-tuc/7/Ha-Noi--.aspx")


def test_legacy_links_resolve_by_id() -> None:
    found = SCOPE.article_url(
        "http:www.most.gov.vn/vn/Pages/chitiettin.aspx?ChuyenmucID=492&IDNews=13245"
    )
    assert found == (13245, "https://www.most.gov.vn/vn/Pages/chitiettin.aspx?IDNews=13245")
    assert SCOPE.legacy_article_url(5) == (
        "https://www.most.gov.vn/vn/Pages/chitiettin.aspx?IDNews=5"
    )


@pytest.mark.parametrize(
    "href",
    [
        "javascript:;",
        "javascript:void(0)",
        "mailto:someone@most.gov.vn",
        "tel:+8424",
        "https://chinhphu.vn/vn/tin-tuc/1/x.aspx",
        "http://127.0.0.1:9/vn/tin-tuc/1/x.aspx",
        "ftp://www.most.gov.vn/x",
        "https://evil.most.gov.vn.example.com/vn/tin-tuc/1/x.aspx",
        "http://[::1/bad",
    ],
)
def test_offsite_and_non_http_links_are_never_fetched(href: str) -> None:
    assert SCOPE.onsite(href) is None
    assert LOCAL.onsite(href) is None


def test_port_is_part_of_the_site() -> None:
    assert LOCAL.onsite("https://www.127.0.0.1:8765/vn/a.aspx?page=2") == (
        "http://127.0.0.1:8765/vn/a.aspx?page=2"
    )
    assert LOCAL.onsite("http://127.0.0.1:9/vn/a.aspx") is None
    assert SCOPE.onsite("http://most.gov.vn:80/x") == "https://www.most.gov.vn/x"


def test_percent_encoding_is_kept() -> None:
    assert SCOPE.onsite("/Images/editor/images/Hoi%20nghi%201.JPG") == (
        "https://www.most.gov.vn/Images/editor/images/Hoi%20nghi%201.JPG"
    )


@pytest.mark.parametrize("bad", ["", "www.most.gov.vn", "ftp://x", "javascript:alert(1)"])
def test_unusable_site_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_site(bad)
