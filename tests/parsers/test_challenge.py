"""crawler.parsers.challenge: a firewall's bot challenge is told from every page of the sites."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from crawler.parsers.challenge import MAX_BYTES, MAX_TEXT, bot_challenge
from replica.faults import CHALLENGE_PAGE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CAPTURED = (FIXTURES / "challenges" / "mod-gov-vn-robots-2026-10-06.bin").read_bytes()
CAPTURE_SHA256 = "c906022e23f9cb027a28ed2cf00b7c8d4607035e5debe2c877c20a103442d7a8"
PAGES = sorted((FIXTURES / "pages").glob("*/page.html"))


def test_the_captured_challenge_is_one_and_names_its_cookie() -> None:
    found = bot_challenge(CAPTURED)
    assert found is not None
    assert "cookie D1N" in found


def test_the_fixture_is_the_capture_and_the_replica_serves_it() -> None:
    # the SHA-256 the capture log records for the answer (tests/fixtures/challenges/README.md)
    assert hashlib.sha256(CAPTURED).hexdigest() == CAPTURE_SHA256
    assert CHALLENGE_PAGE == CAPTURED


@pytest.mark.parametrize(
    "body",
    [
        # other ways a script sets its cookie and goes on
        b"<script>document.cookie='k=1;path=/';location.href='/';</script>",
        b"<html><head><script>document.cookie = \"a_b=9\"; window.location = '/x';</script>"
        b"</head><body><noscript>Please enable JavaScript to continue.</noscript></body></html>",
        b"<HTML><BODY><SCRIPT type='text/javascript'>Document.Cookie='x=1';"
        b"window.location.replace(location.href)</SCRIPT></BODY></HTML>",
        b"<script>var v='z';document.cookie='c='+v;location.reload()",  # the script never closed
    ],
)
def test_other_forms_of_the_challenge_are_told(body: bytes) -> None:
    assert bot_challenge(body) is not None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html><body><p>Trang kh\xc3\xb4ng t\xe1\xbb\x93n t\xe1\xba\xa1i</p></body></html>",
        # a cookie set without going anywhere (a consent banner, analytics)
        b"<html><body><script>document.cookie='seen=1'</script><p>Tin</p></body></html>",
        # a redirect that sets no cookie
        b"<html><body><script>location.href='/vn/'</script></body></html>",
        # the script on a page with text of its own
        b"<html><body><script>document.cookie='a=1';location.reload()</script><p>"
        + b"x" * (MAX_TEXT + 1)
        + b"</p></body></html>",
        # the script inside a page of real size
        b"<html><body><script>document.cookie='a=1';location.reload()</script>"
        + b"<!--"
        + b" " * MAX_BYTES
        + b"--></body></html>",
        # a comparison, not an assignment
        b"<script>if (document.cookie == '') { location == '/' }</script>",
    ],
)
def test_pages_that_are_no_challenge(body: bytes) -> None:
    assert bot_challenge(body) is None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.parent.name)
def test_no_page_fixture_is_taken_for_a_challenge(page: Path) -> None:
    assert bot_challenge(page.read_bytes()) is None
