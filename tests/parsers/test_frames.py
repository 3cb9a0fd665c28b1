"""A page built without its frame parses to exactly the article the whole page gives.

``crawler.parsers.frames`` lets libxml2 skip the bytes mst pages share between ``<body>`` and
the article (docs/parsers.md, "The page frame"). These tests parse the same pages with the frames
on and off and ask for equal records: on replica pages (where the frame must be skipped, or the
speed-up is not there), and on pages made hostile before, inside and after the frame.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from benchmarks.corpus import mst_replica_pages
from crawler.items import Article
from crawler.parsers import frames, parse_article
from crawler.parsers.document import prepare
from crawler.parsers.sites import MST_FRAMES

SEED = 20261130


@pytest.fixture
def fresh() -> Iterator[None]:
    """Frames learned afresh by the test, and forgotten after it."""
    MST_FRAMES.clear()
    yield
    MST_FRAMES.clear()
    MST_FRAMES.enabled = True


def _whole(pages: list[tuple[bytes, str]]) -> list[Article | None]:
    MST_FRAMES.enabled = False
    try:
        return [parse_article(html, url) for html, url in pages]
    finally:
        MST_FRAMES.enabled = True


def _framed(pages: list[tuple[bytes, str]]) -> tuple[list[Article | None], int]:
    MST_FRAMES.clear()
    hits = MST_FRAMES.hits
    found = [parse_article(html, url) for html, url in pages]
    return found, MST_FRAMES.hits - hits


@pytest.fixture(scope="module")
def replica() -> list[tuple[bytes, str]]:
    return [(page.html, page.url) for page in mst_replica_pages(40, seed=2)]


def test_replica_pages_skip_the_frame_and_read_the_same(
    fresh: None, replica: list[tuple[bytes, str]]
) -> None:
    found, hits = _framed(replica)
    assert found == _whole(replica)
    assert all(found)
    # learned from the first two pages, skipped on every page after them
    assert hits == len(replica) - 2
    (frame,) = MST_FRAMES.frames
    assert len(frame.shared) > 20_000  # most of the bytes between <body> and the article
    assert frame.opened.startswith(b'<div id="admwrapper"')


def test_pages_that_share_no_frame_are_read_whole(
    fresh: None, replica: list[tuple[bytes, str]]
) -> None:
    # each page's frame differs from the one before it in its first bytes
    pages = []
    for n, (html, url) in enumerate(replica[:8]):
        at = frames.body_start(html)
        pages.append((html[:at] + f"<i>{n}</i>".encode() + html[at:], url))
    found, hits = _framed(pages)
    assert found == _whole(pages)
    assert hits == 0 and MST_FRAMES.frames == ()


@pytest.mark.parametrize(
    "trap",
    [
        b'<meta property="og:title" content="Trap">',
        b'<link rel="canonical" href="https://mst.gov.vn/trap-19725010100000000.htm">',
        b"<title>Trap</title>",
        b'<h1 class="detail-title">Trap</h1>',
        b'<div data-role="title">Trap</div>',
        b'<div class="detail-content"><p>Trap</p></div>',
        b'<div id="divArticleDescription2"><p>Trap</p></div>',
        b"<figure><table><tr><td>Trap</td></tr></table></figure>",
        b'<img data-role="cover" src="/trap.jpg">',
        # an open photo block: a cover photo's block, whose caption would be read
        b'<div type="Photo"><p class="PhotoCMS_Caption">Trap</p>',
        b'<div class="media VCSortableInPreviewMode"><p class="PhotoCMS_Caption">Trap</p>',
        b'<body class="trap">',
        b"<BODY class=trap>",
        b"<html lang=trap>",
        b"</Head>",
    ],
)
def test_a_frame_holding_what_the_parser_reads_is_not_learned(
    fresh: None, replica: list[tuple[bytes, str]], trap: bytes
) -> None:
    pages = []
    for html, url in replica[:4]:
        at = frames.body_start(html) + 200  # inside the frame, the same bytes on every page
        at = html.index(b"<", at)
        pages.append((html[:at] + trap + html[at:], url))
    found, hits = _framed(pages)
    assert found == _whole(pages)
    assert hits == 0 and MST_FRAMES.frames == ()


def test_a_page_whose_head_leaves_another_state_is_read_whole(
    fresh: None, replica: list[tuple[bytes, str]]
) -> None:
    pages = replica[:3]
    _, hits = _framed(pages)
    assert hits == 1
    # the same frame after <body>, but the head leaves the reader in a comment, a script, a
    # table or an element not closed
    for trap in (
        b"<!--",
        b"<script>",
        b"<table><tr><td>",
        b"<div class='x'>",
        b"<title>",
        b"<p>text that opens the body early</p>",
        b"text that opens the body early",
    ):
        html, url = replica[3]
        at = html.index(b"</head>")
        page = (html[:at] + trap + html[at:], url)
        hits = MST_FRAMES.hits
        assert parse_article(*page) == _whole([page])[0], trap
        assert MST_FRAMES.hits == hits, trap


# Hostile bytes, put before, inside, at the end of and after the frame.
SNIPPETS = (
    b"<!--",
    b"-->",
    b"<script>",
    b"</script>",
    b"<style>",
    b"<textarea>",
    b"<title>",
    b"<plaintext>",
    b"<xmp>",
    b"<noscript>",
    b"<template>",
    b"<iframe>",
    b"<noembed>",
    b"<noframes>",
    b"<select>",
    b"<form>",
    b"</form>",
    b"<button>",
    b"<table>",
    b"<tr>",
    b"<td>",
    b"</table>",
    b"<li>",
    b"<p>",
    b"</p>",
    b"<div>",
    b"</div>",
    b"</div></div></div>",
    b"</main>",
    b"<body class=x>",
    b"</body>",
    b"<html lang=x>",
    b"</html>",
    b"<head>",
    b"<svg><title>x</title>",
    b"<math>",
    b"<![CDATA[",
    b"<!DOCTYPE html>",
    b"<frameset>",
    b'<a href="/x">',
    b"<h1 class='detail-title'>x</h1>",
    b"<span data-role='publishdate'>01/01/2020 10:00</span>",
    b'<meta name="pubdate" content="2020-01-01T10:00:00">',
    b"&",
    b"<",
    b'"',
    b"'",
    b"\r\n",
    b"<i>" * 300,
)


def _tag_start(rng: random.Random, html: bytes, start: int, end: int) -> int:
    """A random tag start (``<``) of ``html[start:end]``, else ``start``."""
    at = html.find(b"<", rng.randrange(start, end))
    return at if 0 <= at < end else start


def _mutated(rng: random.Random, pages: list[tuple[bytes, str]]) -> list[tuple[bytes, str]]:
    """The pages with a snippet put in before a tag: in the frame (the same place on every
    page, so that a frame may still be learned), or on each page in its head, at the frame's
    end or after it."""
    snippet = rng.choice(SNIPPETS)
    where = rng.choice(("frame", "head", "head", "end", "after", "after"))
    offset = rng.randrange(200, 25_000)
    out = []
    for html, url in pages:
        at = frames.body_start(html)
        end = html.index(b'<a href="http://127.0.0.1:9/twitter', at)  # the frame's end
        if where == "frame":
            cut = html.find(b"<", at + offset)
        elif where == "head":
            cut = _tag_start(rng, html, 0, at)
        elif where == "end":
            cut = end + rng.choice((0, 0, -1, 1, 20))
        else:
            cut = _tag_start(rng, html, end, len(html))
        out.append((html[:cut] + snippet + html[cut:], url))
    return out


def test_hostile_pages_read_the_same_with_and_without_frames(
    fresh: None, replica: list[tuple[bytes, str]]
) -> None:
    rng = random.Random(SEED)
    hits = 0
    for _ in range(40):
        start = rng.randrange(0, len(replica) - 3)
        pages = _mutated(rng, replica[start : start + 3])
        found, hit = _framed(pages)
        assert found == _whole(pages), [p[:200] for p, _ in pages]
        hits += hit
    assert hits >= 15  # the frame was still skipped on many of them


def test_the_shortened_page_is_the_whole_page_less_the_frame(
    fresh: None, replica: list[tuple[bytes, str]]
) -> None:
    _framed(replica[:2])
    (frame,) = MST_FRAMES.frames
    data = prepare(replica[5][0])
    assert data is not None
    reduced = MST_FRAMES.reduce(data)
    assert reduced is not None
    at = frames.body_start(data)
    assert reduced == data[:at] + frames._PROBE + frame.opened + data[at + len(frame.shared) :]
    assert len(reduced) < 0.7 * len(data)


def _learned(replica: list[tuple[bytes, str]]) -> tuple[bytes, int]:
    """Frames learned from the first two pages; the third page's bytes and its frame's end."""
    _framed(replica[:2])
    (frame,) = MST_FRAMES.frames
    html = replica[2][0]
    return html, frames.body_start(html) + len(frame.shared)


@pytest.mark.parametrize(
    "body", [b'<body class="detail-title">', b'<body data-role="content">', b'<body type="Photo">']
)
def test_a_page_whose_body_element_is_read_is_read_whole(
    fresh: None, replica: list[tuple[bytes, str]], body: bytes
) -> None:
    # (<body>, which holds the frame, would be read with the frame's text in it)
    html, _ = _learned(replica)
    start = html.index(b"<body")
    page = (html[:start] + body + html[frames.body_start(html) :], replica[2][1])
    hits = MST_FRAMES.hits
    assert parse_article(*page) == _whole([page])[0]
    assert MST_FRAMES.hits == hits


@pytest.mark.parametrize("after", [b"text ", b"&amp;", b" ", b"<body>", b"<!-- x -->", b"</div>"])
def test_a_page_that_goes_on_with_no_start_tag_after_the_frame_is_read_whole(
    fresh: None, replica: list[tuple[bytes, str]], after: bytes
) -> None:
    # (text after the frame would join the frame's last text in the whole page's tree)
    html, end = _learned(replica)
    page = (html[:end] + after + html[end:], replica[2][1])
    hits = MST_FRAMES.hits
    assert parse_article(*page) == _whole([page])[0]
    assert MST_FRAMES.hits == hits


def test_a_frame_with_bytes_that_are_no_utf8_is_skipped_alike(
    fresh: None, replica: list[tuple[bytes, str]]
) -> None:
    # The reader's encoding is fixed (UTF-8) before it starts: a byte that is no UTF-8 in the
    # frame cannot switch it for the bytes after the frame, as it would for a reader guessing.
    pages = []
    for html, url in replica[:4]:
        at = html.index(b"<", frames.body_start(html) + 300)
        pages.append((html[:at] + b"<b>\xe9\xff caf\xc3\xa9</b>" + html[at:], url))
    found, hits = _framed(pages)
    assert found == _whole(pages)
    assert hits == 2


def test_a_page_past_the_size_limit_is_read_whole(
    fresh: None, replica: list[tuple[bytes, str]]
) -> None:
    html, end = _learned(replica)
    padding = b"<p>" + b"x" * frames.MAX_PAGE + b"</p>"
    page = (html[:end] + b"<div>" + padding + b"</div>" + html[end:], replica[2][1])
    hits = MST_FRAMES.hits
    assert parse_article(*page) == _whole([page])[0]
    assert MST_FRAMES.hits == hits
