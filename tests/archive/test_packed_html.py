"""archive.revisions.pack_html: the current HTML, packed by ISA-L's deflate, is an ordinary
zlib stream that the standard library reads back exactly, with the row's lead and body as
preset dictionary (python-isal before 1.9 wrote such streams with distances zlib refuses)."""

from __future__ import annotations

import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.revisions import _text_dictionary, pack_html, unpack_html

WORDS = ["Điện", "khoa", "học", "công", "nghệ", "đã", "được", "&nbsp;", "<p>", "</p>", "\u200b"]
texts = st.lists(st.sampled_from(WORDS) | st.text(max_size=8), max_size=400).map("".join)


def zlib_reads(packed: bytes, lead: str, body: str) -> str:
    """The packed HTML read back by the standard library's zlib alone."""
    unpacker = zlib.decompressobj(zdict=_text_dictionary(lead, body))
    return (unpacker.decompress(packed) + unpacker.flush()).decode("utf-8")


@settings(max_examples=200, deadline=None, derandomize=True)
@given(lead=texts, body=texts, markup=texts)
def test_the_standard_library_reads_the_packed_html_back(lead: str, body: str, markup: str) -> None:
    html = f"<div>{markup}<p>{body}</p>{lead}</div>"
    packed = pack_html(html, lead, body)
    assert packed is not None
    assert zlib_reads(packed, lead, body) == unpack_html(packed, lead, body) == html


def test_long_articles_and_empty_ones_come_back() -> None:
    """A body past zlib's 32 KiB window (its dictionary is the text's last 32 KiB), an HTML
    bigger than the window, and the empty cases."""
    body = "\n\n".join(f"Đoạn {i}: khoa học và công nghệ Việt Nam." for i in range(2000))
    cases = [
        ("", "", ""),
        ("", "", "<div></div>"),
        ("Tóm tắt", body, f"<div><p>{body.replace(chr(10) * 2, '</p><p>')}</p></div>"),
        ("", body[:100], "<p>" + "x" * 100_000 + "</p>"),
    ]
    for lead, text, html in cases:
        packed = pack_html(html, lead, text)
        assert packed is not None
        assert zlib_reads(packed, lead, text) == html
    assert pack_html(None, "", "") is None
