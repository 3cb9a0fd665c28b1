"""crawler.cookiecheck: the cookie a page sets while redirecting to itself, and nothing else."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.cookiecheck import CHECKED, MAX_COOKIE_BYTES, CookieCheckMiddleware, set_cookies

PAGE = "https://mst.gov.vn/tin-tuc-su-kien/khoa-hoc-va-cong-nghe.htm"


def _redirect(url: str, to: str, *cookies: str, status: int = 302) -> Response:
    headers = [(b"Location", to.encode())] + [(b"Set-Cookie", c.encode()) for c in cookies]
    return Response(url, status=status, headers=headers)


def _middleware() -> CookieCheckMiddleware:
    return CookieCheckMiddleware(get_crawler())


def test_only_names_and_values_are_kept_and_the_last_of_a_name_wins() -> None:
    response = _redirect(
        PAGE,
        PAGE,
        "muid_mly=abc; Domain=mst.gov.vn; Path=/; HttpOnly; secure",
        "bad name=1",
        "x=1",
        "x=2; Path=/",
        'q="quoted"',
    )
    assert set_cookies(response) == {b"muid_mly": b"abc", b"x": b"2", b"q": b'"quoted"'}


def test_a_cookie_check_is_answered_once_and_its_cookie_goes_to_its_host_only() -> None:
    mw = _middleware()
    request = Request(PAGE)
    again = mw.process_response(request, _redirect(PAGE, PAGE, "muid_mly=abc; Path=/"))
    assert isinstance(again, Request) and again.url == PAGE
    assert again.dont_filter and again.meta[CHECKED]
    mw.process_request(again)
    assert again.headers[b"Cookie"] == b"muid_mly=abc"
    later = Request("https://mst.gov.vn/sitemap.xml")
    mw.process_request(later)
    assert later.headers[b"Cookie"] == b"muid_mly=abc"
    for elsewhere in ("https://mic.mediacdn.vn/a.jpg", "https://mst.gov.vn:8443/", "http://x.vn/"):
        other = Request(elsewhere)
        mw.process_request(other)
        assert b"Cookie" not in other.headers
    with pytest.raises(IgnoreRequest, match="even with the cookie it set"):
        mw.process_response(again, _redirect(PAGE, PAGE, "muid_mly=abc"))


def test_a_redirect_elsewhere_or_a_304_is_left_to_scrapy() -> None:
    mw = _middleware()
    request = Request(PAGE)
    moved = _redirect(PAGE, "https://mst.gov.vn/", "k=v")
    assert mw.process_response(request, moved) is moved
    not_modified = _redirect(PAGE, PAGE, "k=v", status=304)
    assert mw.process_response(request, not_modified) is not_modified
    assert mw.jar == {}


def test_a_self_redirect_setting_no_cookie_fails_at_once() -> None:
    with pytest.raises(IgnoreRequest, match="setting no cookie"):
        _middleware().process_response(Request(PAGE), _redirect(PAGE, PAGE + "#top"))


def test_a_host_keeps_at_most_its_bytes_of_cookies() -> None:
    mw = _middleware()
    many = [f"c{i}={'v' * 1000}" for i in range(20)]
    mw.process_response(Request(PAGE), _redirect(PAGE, PAGE, *many))
    kept = mw.jar["mst.gov.vn"]
    assert 0 < sum(len(k) + len(v) for k, v in kept.items()) <= MAX_COOKIE_BYTES
