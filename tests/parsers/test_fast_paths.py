"""Each shortcut the parsers take for the usual input gives exactly what the general code gives.

The parsers read a printable paragraph, a plain http(s) URL or a table cell of inline markup by
cheaper paths than the general ones (see docs/parsers.md, "Speed, both portals"). No stored
field may change because of that: each shortcut is checked here against the general code it
stands in for, on edge cases and on random input.
"""

from __future__ import annotations

import random
import re
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from crawler.parsers import blocks, markers, most, mst, parse_article, sanitize, text, urls
from crawler.parsers.blocks import Flattener, element_align
from crawler.parsers.document import load, text_of
from crawler.parsers.markers import PageIndex, Sel
from crawler.parsers.urls import absolute_url, is_web_url

SEED = 20261129


def _reference_clean(value: str | None) -> str:
    """``text.clean`` as written before its shortcut: regex first, then split and join."""
    if not value:
        return ""
    if text._INVISIBLE.search(value):
        value = text._INVISIBLE.sub("", value)
    value = " ".join(value.split())
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _reference_strip_controls(value: str) -> str:
    if text.CONTROLS.search(value):
        return text.CONTROLS.sub(text._control_replacement, value)
    return value


def _reference_encode_controls(value: str) -> str:
    if not text.CONTROLS.search(value):
        return value
    return text.CONTROLS.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), value)


def _odd_characters() -> list[str]:
    """Every control, format, space and separator character, and a few others."""
    odd = [
        chr(i)
        for i in range(sys.maxunicode + 1)
        if unicodedata.category(chr(i)) in ("Cc", "Cf", "Zs", "Zl", "Zp")
    ]
    return [*odd, "a", "ệ", "e\u0302\u0323", "\ufffd", "\U0001f600", "\ud800", "\ue000"]


def test_clean_and_the_control_rules_equal_their_regex_reference() -> None:
    odd = _odd_characters()
    contexts = ["#", "a#b", " # ", "\xa0#x", "##", "x  #"]  # "#": where the character goes
    checked = 0
    for c in odd:
        for context in contexts:
            value = context.replace("#", c)
            assert text.clean(value) == _reference_clean(value), repr(value)
            assert text.strip_controls(value) == _reference_strip_controls(value), repr(value)
            assert text.encode_controls(value) == _reference_encode_controls(value), repr(value)
            checked += 1
    rnd = random.Random(SEED)
    alphabet = [*odd[:64], " ", " ", "\xa0", "\n", "\t", "a", "b", "Đ", "ổ"]
    for _ in range(5000):
        value = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 10)))
        assert text.clean(value) == _reference_clean(value), repr(value)
        assert text.strip_controls(value) == _reference_strip_controls(value), repr(value)
    assert checked > 500


URL_EDGES = [
    "http://h/x-197250704101929995.htm",
    "HTTP://h/a",
    "http:///x",
    "http:////x",
    "http://h//x",
    "https://a@b/c",
    "http://[::1]/x",
    "http://[::1/x",
    "http://h:99999/x?y#z",
    "http://h",
    "http://h?x",
    "http://h#x",
    " http://h/x ",
    "http://h/x\t",
    "http://é/x",
    "http://h\u2100/x",
    "mailto:x",
    "//h/x",
    "/x",
    "",
    "javascript:alert(1)",
]
URL_PIECES = ["http://", "https://", "HTTP://", "//", "h", "H.", "www.", ":80", ":443", ":x"]
URL_PIECES += ["[::1]", "a@b", "/", "/x-197250704101929995.htm", "?q", "#f", " ", "\t", "é", "-"]


def _urls(count: int) -> list[str]:
    rnd = random.Random(SEED)
    found = list(URL_EDGES)
    for _ in range(count):
        found.append("".join(rnd.choice(URL_PIECES) for _ in range(rnd.randint(0, 6))))
    return found


def _urlsplit_or_error(url: str) -> tuple[str, str, str] | str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "ValueError"
    return parts.scheme, parts.netloc, parts.path


def test_split_path_reads_urls_as_urlsplit_does() -> None:
    for url in _urls(20000):
        try:
            found: tuple[str, str, str] | str = urls.split_path(url)
        except ValueError:
            found = "ValueError"
        assert found == _urlsplit_or_error(url), repr(url)


def test_a_page_urls_site_key_is_urlsplits() -> None:
    for url in _urls(5000):
        urls._page.cache_clear()
        try:
            parts = urlsplit(url)
            want: tuple[str, str, object] = (parts.scheme, parts.netloc, urls._site_key(parts))
        except ValueError:
            want = ("", "", None)
        assert urls._page(url) == want, repr(url)


def _reference_canonical_url(page_url: str, declared: str | None) -> str:
    """``mst.canonical_url`` as written with urlsplit and urlunsplit."""
    try:
        parts = urlsplit(page_url.strip())
    except ValueError:
        return page_url.strip()
    match = mst.ARTICLE_PATH.match(parts.path)
    if match is None:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    path = parts.path
    if declared:
        try:
            found = mst.ARTICLE_PATH.match(urlsplit(declared.strip()).path)
        except ValueError:
            found = None
        if found is not None and int(found.group(2)) == int(match.group(2)):
            path = f"/{found.group(1)}-{found.group(2)}.htm"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def test_mst_canonical_urls_equal_the_urlsplit_reading() -> None:
    rnd = random.Random(SEED)
    pieces = [*URL_PIECES, "/y-197250704101929995.htm", "/z-123456789.htm", "x-1234567.htm"]
    for _ in range(20000):
        page_url = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 5)))
        declared = rnd.choice(
            [
                None,
                "",
                "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 5))),
                page_url,  # the usual page: it declares the URL it was fetched at
                f" {page_url}\n",
            ]
        )
        want = _reference_canonical_url(page_url, declared)
        assert mst.canonical_url(page_url, declared) == want, (page_url, declared)


CELL_TAGS = ["p", "div", "b", "em", "i", "span", "a", "br", "img", "script", "h3", "ul", "li"]
CELL_TEXTS = ["", " ", "\n", "x", "Đổi mới", "\xa0", "\t", " y "]
CELL_ATTRIBUTES = ["", ' style="text-align:right"', ' align="center"', ' style="color:red"']


def _soup(
    rnd: random.Random,
    tags: list[str],
    texts: list[str],
    attributes: Callable[[random.Random], str],
    *,
    most: int,
    tail: bool,
    depth: int = 0,
) -> str:
    """Random markup: up to ``most`` texts and elements a level, three levels deep, each text
    and tag drawn from those given; ``tail``: a last text after the elements."""
    out = []
    for _ in range(rnd.randint(0, most)):
        out.append(rnd.choice(texts))
        if depth < 3:
            tag, attrs = rnd.choice(tags), attributes(rnd)
            inner = _soup(rnd, tags, texts, attributes, most=most, tail=tail, depth=depth + 1)
            out.append(f"<{tag}{attrs}>{inner}</{tag}>")
    if tail:
        out.append(rnd.choice(texts))
    return "".join(out)


def _cell_soup(rnd: random.Random) -> str:
    return _soup(rnd, CELL_TAGS, CELL_TEXTS, lambda r: r.choice(CELL_ATTRIBUTES), most=3, tail=True)


def test_table_cells_read_at_once_equal_their_flattening() -> None:
    rnd = random.Random(SEED)
    shortcut = 0
    for _ in range(3000):
        html = f"<table><tr><td{rnd.choice(CELL_ATTRIBUTES)}>{_cell_soup(rnd)}</td></tr></table>"
        root = load(f"<html><body>{html}</body></html>".encode())
        assert root is not None
        cell = next(root.iter("td"))
        inside = list(cell.iterdescendants())
        skip = set(rnd.sample(inside, 1)) if inside and rnd.random() < 0.3 else set()
        flattener = Flattener(skip)
        found = flattener._simple_cell(cell)
        if found is None:
            continue
        shortcut += 1
        blocks = Flattener(skip).run(cell)
        want_text = " ".join(b.text for b in blocks if b.text)
        aligns = {b.align for b in blocks if b.text}
        assert found[0] == want_text, html
        if want_text:
            assert {found[1]} == aligns, html
    assert shortcut > 500


def test_text_of_an_element_without_children_is_its_serialised_text() -> None:
    fragments = ["a&amp;b", "", "é&nbsp;x", "&#27;x", "\r\nx\r", "<b>b</b>", "<?php x ?>"]
    for fragment in fragments:
        root = load(f"<html><body><p>{fragment}</p></body></html>".encode())
        assert root is not None
        p = next(root.iter("p"))
        want = etree.tostring(p, method="text", encoding="unicode", with_tail=False)
        assert text_of(p) == want, fragment


def test_alignment_from_a_style_is_the_same_cached_or_not() -> None:
    for style in ["text-align:right", "TEXT-ALIGN: Center;", "text-align:left", "color:red", ""]:
        for attribute in ["", ' align="middle"', ' align="right"']:
            html = f'<html><body><p style="{style}"{attribute}>x</p></body></html>'
            root = load(html.encode())
            assert root is not None
            p = next(root.iter("p"))
            first, again = element_align(p), element_align(p)  # the second from the cache
            assert first == again
            if "right" in style.lower() or "center" in style.lower():
                assert first in ("right", "center")


def test_the_caches_keep_no_long_value() -> None:
    long_class = "detail-content " + "x" * 100_000
    long_style = "text-align:right;" + " " * 100_000
    page = (
        f'<html><body><div class="{long_class}"><p style="{long_style}">Đoạn một.</p>'
        f'<div class="media {long_class}">x</div></div></body></html>'
    )
    article = parse_article(page.encode(), "https://mst.gov.vn/bai-viet-197250704101929995.htm")
    assert article is not None and article.body == ["Đoạn một.", "x"]
    kept = [*mst._CLASS_FACTS, *blocks._STYLE_ALIGN]
    kept += [value for cache in [markers._tokens_cache(mst.CLASSES)] for value in cache]
    assert all(len(value) <= markers.CACHED_VALUE_LENGTH for value in kept)


FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
HEAD_TAGS = ["meta", "link", "title", "div", "h1", "p", "span", "ul", "a"]
HEAD_ATTRIBUTES = [
    ("property", "og:url"), ("property", " OG:Title "), ("name", "og:url"), ("name", ""),
    ("itemprop", "datePublished"), ("property", "article:published_time"), ("content", "c1"),
    ("content", ""), ("content", "2020-01-02T03:04:05+07:00"), ("rel", "canonical"),
    ("rel", " Canonical "), ("rel", "stylesheet"), ("href", "/a-197136691.htm"), ("href", ""),
    ("class", "detail-title"), ("class", "detail-title article-title"), ("class", "sapo x"),
    ("class", "detail-time"), ("class", "detail-tab"), ("data-role", "title"),
    ("data-role", " sapo "), ("data-role", "tags"), ("data-role", "publishdate"),
]  # fmt: skip
HEAD_TEXTS = ["", "x", " T ", "Tiêu đề - Bộ Khoa học và Công nghệ"]


def _head_attributes(rnd: random.Random) -> str:
    return "".join(f' {n}="{v}"' for n, v in rnd.sample(HEAD_ATTRIBUTES, rnd.randint(0, 3)))


def _head_soup(rnd: random.Random) -> str:
    return _soup(rnd, HEAD_TAGS, HEAD_TEXTS, _head_attributes, most=5, tail=False)


def _pages_with_heads() -> list[etree._Element]:
    """The fixture pages, and random heads and bodies of meta, link, title and field markup."""
    pages = [(folder / "page.html").read_bytes() for folder in sorted(FIXTURES.iterdir())]
    rnd = random.Random(SEED)
    pages += [
        f"<html><head>{_head_soup(rnd)}</head><body>{_head_soup(rnd)}</body></html>".encode()
        for _ in range(600)
    ]
    return [root for root in map(load, pages) if root is not None]


def _eager_head(root: etree._Element) -> tuple[dict[str, str], str | None, str | None]:
    """(meta contents, canonical link, title) read in one walk, as the index read them before
    it read them on demand."""
    meta: dict[str, str] = {}
    canonical: str | None = None
    title: str | None = None
    for el in root.iter("meta", "link", "title"):
        if el.tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop")
            if key:
                content = el.get("content")
                if content is not None:
                    meta.setdefault(key.strip().lower(), content)
        elif el.tag == "link":
            if canonical is None and (el.get("rel") or "").strip().lower() == "canonical":
                canonical = el.get("href")
        elif title is None:
            title = el.text or ""
    return meta, canonical, title


def test_the_head_read_on_demand_is_the_head_read_at_once() -> None:
    rnd = random.Random(SEED)
    for root in _pages_with_heads():
        meta, canonical, title = _eager_head(root)
        index = PageIndex(root, mst.CLASSES)
        asked = [*meta, "og:url", "og:title", "datepublished", "pubdate", "nothing", "OG:URL"]
        rnd.shuffle(asked)
        for key in asked:
            assert index.meta.get(key) == meta.get(key), key
        assert index.canonical == canonical
        assert index.title == title
        assert mst.declared_canonical(index) == (canonical or meta.get(mst.CANONICAL_META))


def _reference_find(index: PageIndex, sel: Sel) -> list[etree._Element]:
    """Every element of the page the selector names, by reading each one's attributes."""
    found = []
    for el in index._root.iter(etree.Element):
        if sel.cls is None and sel.role is None:
            continue
        if sel.tag is not None and el.tag != sel.tag:
            continue
        if sel.role is not None and (el.get("data-role") or "").strip() != sel.role:
            continue
        if sel.cls is not None and sel.cls not in (el.get("class") or "").split():
            continue
        found.append(el)
    return found


def test_the_index_finds_what_each_selector_names() -> None:
    selectors = {*mst.TITLE, *mst.LEAD, *mst.DATE, mst.CATEGORY_BOX, mst.CATEGORY_CRUMB}
    selectors |= {mst.BYLINE, mst.BYLINE_TOP, *(sel for sel, _ in mst.TAGS)}
    selectors |= {Sel("h1", cls="detail-title", role="title"), Sel(cls="sapo", role="sapo")}
    selectors |= {Sel("p"), Sel(role="tags"), Sel("div", role="publishdate")}
    for root in _pages_with_heads():
        index = PageIndex(root, mst.CLASSES)
        for sel in selectors:
            assert index.find(sel) == _reference_find(index, sel), sel


def _reference_attachments(body: etree._Element, page_url: str) -> list[tuple[str, str]]:
    """``most.find_attachments`` as written with the extension's regex alone."""
    found: list[tuple[str, str]] = []
    for link in body.iter("a"):
        href = (link.get("href") or "").strip()
        path = href.split("#", 1)[0].split("?", 1)[0]
        if not href or not most.ATTACHMENT_EXT.search(path):
            continue
        url = absolute_url(href, page_url)
        if is_web_url(url) and url not in [u for u, _ in found]:
            found.append((url, text.clean(text_of(link))))
    return found


def test_attachment_links_are_the_regexs_alone() -> None:
    rnd = random.Random(SEED)
    pieces = [
        "/a", ".pdf", ".PDF", ".docx", ".Doc", ".xlsx", ".pptx", ".zip", ".rar", ".ZıP", ".ſ",
        ".pdfx", "pdf", ".", "\n", "&#10;", "?q=1", "#x", "/", " ", "x.b", ".Xls",
    ]  # fmt: skip
    for _ in range(300):
        links = "".join(
            f'<a href="{"".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 4)))}">t</a>'
            for _ in range(10)
        )
        root = load(f"<html><body><div>{links}</div></body></html>".encode())
        assert root is not None
        body = next(root.iter("div"))
        page_url = "https://mst.gov.vn/a-197250704101929995.htm"
        want = _reference_attachments(body, page_url)
        got = [(a.url, a.title) for a in most.find_attachments(body, page_url)]
        assert got == want, links


_PLAIN_HTTP_WITH_FLAG = r"https?://([A-Za-z0-9.\-]+)(?::(\d{1,5}))?(?:[/?#][!-~]*)?"


def test_the_plain_url_pattern_is_the_case_insensitive_one() -> None:
    """``sanitize._PLAIN_HTTP`` spells out what ``re.IGNORECASE`` matched: every character
    each of its classes matches with the flag, and the same matches and groups on URLs."""
    flagged = re.compile(_PLAIN_HTTP_WITH_FLAG, re.IGNORECASE)
    every = "".join(chr(i) for i in range(sys.maxunicode + 1) if not 0xD800 <= i <= 0xDFFF)
    folded = sanitize._CASE_FOLDED
    classes = [
        (r"[!-~]", f"[!-~{folded}]"),
        (r"[A-Za-z0-9.\-]", f"[A-Za-z0-9.\\-{folded}]"),
        ("h", "[hH]"),
        ("t", "[tT]"),
        ("p", "[pP]"),
        ("s", "[sS\u017f]"),
    ]
    for with_flag, spelt_out in classes:
        assert set(re.findall(with_flag, every, re.IGNORECASE)) == set(re.findall(spelt_out, every))
    rnd = random.Random(SEED)
    schemes = ["http", "HTTPS", "Https", "htt\u017f", "HTTP\u017f", "ftp", "http\u0130", ""]
    hosts = ["a", "K", "\u0130", "\u0131", "\u212a", "\u017f", ".", "-", "127.0.0.1", "é", " "]
    ports = ["", ":80", ":99999", ":123456", ":", ":x"]
    paths = ["/", "?", "#", "x-197250704101929995.htm", "é", " ", "~", "\x7f", "%20", "K", "\u0130"]
    matched = 0
    for _ in range(20000):
        url = rnd.choice(schemes) + rnd.choice(["://", "://", ":/", "//"])
        url += "".join(rnd.choice(hosts) for _ in range(rnd.randint(0, 3))) + rnd.choice(ports)
        url += "".join(rnd.choice(paths) for _ in range(rnd.randint(0, 4)))
        want, got = flagged.fullmatch(url), sanitize._PLAIN_HTTP.fullmatch(url)
        assert (want is None) == (got is None), repr(url)
        if want is not None and got is not None:
            assert want.groups() == got.groups(), repr(url)
            matched += 1
    assert matched > 300
