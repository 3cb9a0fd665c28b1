"""Text rules, charsets and the view-state cut."""

from __future__ import annotations

import unicodedata

import pytest

from crawler.parsers.document import VIEWSTATE_MIN, drop_viewstate, load
from crawler.parsers.text import clean, declared_charset, to_utf8


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("  Hà\xa0Nội \u200b ", "Hà Nội"),
        ("zero\u200dwidth\u00adsoft", "zerowidthsoft"),
        ("a\u2009b\u202fc\n\t d", "a b c d"),
        (unicodedata.normalize("NFD", "Đổi mới sáng tạo"), "Đổi mới sáng tạo"),
        ("", ""),
        (None, ""),
    ],
)
def test_clean(raw: str | None, want: str) -> None:
    assert clean(raw) == want
    assert unicodedata.is_normalized("NFC", clean(raw))


def test_to_utf8() -> None:
    utf8 = "<p>Đổi mới</p>".encode()
    assert to_utf8(utf8) is utf8  # declared nothing: passed on untouched
    assert to_utf8(b"\xef\xbb\xbf" + utf8) == utf8
    latin = '<meta charset="iso-8859-1"><p>café</p>'.encode("latin-1")
    assert "café" in to_utf8(latin).decode()
    wrong = '<meta charset="windows-1258"><p>Đổi mới</p>'.encode()
    assert to_utf8(wrong) == wrong  # valid UTF-8 wins over a wrong declaration
    assert to_utf8("<p>\ud800</p>") == b"<p>?</p>"


def test_drop_viewstate() -> None:
    big = b"A" * (VIEWSTATE_MIN + 10)
    tag = b'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="'
    page = tag + big + b'" /><p>x</p>'
    assert drop_viewstate(page) == tag + b'" /><p>x</p>'
    small = b'<input name="__VIEWSTATE" value="abc" /><p>x</p>'
    assert drop_viewstate(small) == small
    unterminated = b'<input name="__VIEWSTATE" value="' + big
    assert drop_viewstate(unterminated) == unterminated
    other_tag = b'<input name="__VIEWSTATE"><p title="' + big + b'">x</p>'
    assert drop_viewstate(other_tag) == other_tag
    root = load(page)
    assert root is not None and root.findtext(".//p") == "x"


@pytest.mark.parametrize(
    "charset",
    ["rot13", "base64", "hex", "zlib", "punycode", "idna", "unicode_escape", "utf-7", "undefined"],
)
def test_a_charset_no_page_is_written_in_is_not_used(charset: str) -> None:
    """A page may declare any codec name Python knows: rot13, base64, zlib are no text
    encodings (decoding with them raised LookupError out of the parser, and the crawl lost the
    page without a record), punycode and idna raise on any non-ASCII byte, and the escape codecs
    and UTF-7 (which no browser reads a page in) turn text into something else. Such a page is
    read as UTF-8, the default, like one that declares nothing."""
    page = f'<html><head><meta charset="{charset}"></head><body><p>Khoa học \xe1</p>'
    data = page.encode("utf-8").replace(b"\xc3\xa1", b"\xe1")  # one stray byte: not valid UTF-8
    assert declared_charset(data) is None
    assert to_utf8(data).decode("utf-8", "replace").count("Khoa học") == 1
