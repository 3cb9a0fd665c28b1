"""Bytes or text in, an lxml tree out (or None for input that holds no HTML at all)."""

from __future__ import annotations

import re

from lxml import etree

from crawler.parsers.text import to_utf8

# One parser, created once: UTF-8 input (to_utf8 has settled the charset), no network. The plain
# etree parser, not lxml.html's: its per-element Python class lookup costs more than the parse.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
# Files that are certainly not HTML: PDF, ZIP/Office, PNG, GIF, JPEG, OLE (old .doc/.xls).
BINARY_MAGIC = (b"%PDF-", b"PK\x03\x04", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\xd0\xcf\x11\xe0")
VIEWSTATE_MIN = 1024
# HTML has at least one tag.
_TAG = re.compile(rb"<[a-zA-Z!?/]")
# A character reference to a UTF-16 surrogate (U+D800-U+DFFF, hex or decimal): no character at
# all. libxml2's recovering XML reader keeps it as the surrogate's bytes, and lxml then raises
# UnicodeDecodeError reading that text; the HTML reader reads it as U+FFFD, and so do ours.
_SURROGATE_REF = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}"
    rb"|0*(?:5529[6-9]|55[3-9][0-9]{2}|56[0-9]{3}|57[0-2][0-9]{2}|573[0-3][0-9]|5734[0-3]));"
)


def drop_viewstate(data: bytes) -> bytes:
    """The page without the value of its ``__VIEWSTATE`` field.

    SharePoint's view state is base64 filler of 6-120 KB, most of a page's bytes, and no parser
    reads it: cutting it out before parsing (a few ``bytes.find`` calls) halves the parse time.
    Only a value inside the same ``<input>`` tag, quoted, and over 1 KB is cut.
    """
    at = data.find(b'"__VIEWSTATE"')
    if at < 0:
        return data
    start = data.find(b"value=", at, at + 256)
    if start < 0 or data.find(b">", at, start) >= 0:
        return data
    quote = start + len(b"value=")
    mark = data[quote : quote + 1]
    if mark not in (b'"', b"'"):
        return data
    end = data.find(mark, quote + 1)
    if end - quote < VIEWSTATE_MIN:
        return data
    return data[: quote + 1] + data[end:]


def load(page: bytes | str) -> etree._Element | None:
    """The document's root element, or None for empty or unparseable input."""
    data = prepare(page)
    return build(data) if data is not None else None


def prepare(page: bytes | str) -> bytes | None:
    """The bytes :func:`build` reads: UTF-8, the view state cut out, NULs dropped; None for
    input that is certainly no HTML (a binary file, or no tag at all)."""
    if isinstance(page, bytes) and page.lstrip()[:8].startswith(BINARY_MAGIC):
        return None
    data = drop_viewstate(to_utf8(page))
    if not _TAG.search(data):
        return None
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    return data


def build(data: bytes) -> etree._Element | None:
    """The tree of prepared bytes (:func:`prepare`), or None when libxml2 cannot read them or
    stopped at one of its limits."""
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    if _cut_short(_PARSER):
        return None
    return root


def xml_input(data: bytes | str) -> bytes:
    """Feed, sitemap or web service bytes (or text) as the UTF-8 given to an XML reader: NULs
    dropped, character references to surrogates read as U+FFFD (``&#xFFFD;``)."""
    raw = to_utf8(data).replace(b"\x00", b"")
    return _SURROGATE_REF.sub(b"&#xFFFD;", raw) if b"&#" in raw else raw


def _cut_short(parser: etree.HTMLParser) -> bool:
    """Whether libxml2 stopped reading the last document at one of its limits: nested deeper
    than 256 elements, it drops everything after that point (later paragraphs, images, the
    source line) and the tree looks whole. No real page nests that deep; a page that does is not
    read at all (None: loud), rather than read cut. Recovered HTML leaves its log almost empty
    (0-1 entries a page): reading it costs nothing measurable."""
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def elements(selector: etree.XPath, node: etree._Element) -> list[etree._Element]:
    """The elements an XPath selects (typed: lxml's stubs allow any XPath result)."""
    found = selector(node)
    return [x for x in found if isinstance(x, etree._Element)] if isinstance(found, list) else []


def strings(selector: etree.XPath, node: etree._Element) -> list[str]:
    """The text nodes an XPath selects, as str."""
    found = selector(node)
    return [str(x) for x in found if isinstance(x, str)] if isinstance(found, list) else []


def text_of(el: etree._Element) -> str:
    """All the text inside ``el``, its tail left out (scripts included: callers pick elements
    without any). One C-level call: several times faster than joining ``itertext()``; an
    element without children (most paragraphs) is its own text."""
    if not len(el):
        return el.text or ""
    text: str = etree.tostring(el, method="text", encoding="unicode", with_tail=False)
    return text


def xpaths(*paths: str) -> tuple[etree.XPath, ...]:
    """Compiled XPaths, in the order given (a field's selectors, tried in that order)."""
    return tuple(etree.XPath(p) for p in paths)


def has_class(name: str) -> str:
    """XPath predicate: the element's ``class`` holds the token ``name``."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_XML_SPACE = re.compile(r"[ \t\r\n]+")  # what XPath's normalize-space() counts as space


class ClassScan:
    """A selector like the XPath ``//tag[has_class(token)]`` that stops at the first match: a
    walk with C-level tag filtering, several times cheaper than the XPath on a whole page
    (which collects every match before the first is taken)."""

    def __init__(self, tag: str, token: str) -> None:
        self.tag, self.token = tag, token

    def __call__(self, root: etree._Element) -> list[etree._Element]:
        token = self.token
        for el in root.iter(self.tag):
            value = el.get("class")
            if value and token in value and token in _XML_SPACE.split(value):
                return [el]
        return []


Selector = etree.XPath | ClassScan


def first(selectors: tuple[Selector, ...], root: etree._Element) -> etree._Element | None:
    """The first element the first matching selector finds, trying them in order."""
    for selector in selectors:
        found = selector(root)
        if isinstance(found, list):
            for node in found:
                if isinstance(node, etree._Element):
                    return node
    return None


# How an HTML page begins (after a BOM, white space, comments or an XML declaration).
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:\s|<!--.*?-->|<\?xml[^>]*>)*<(?:!doctype\s+html|html|head|body)[\s>/]",
    re.IGNORECASE | re.DOTALL,
)
HTML_SNIFF = 4096  # bytes looked at


def is_html_page(data: bytes) -> bool:
    """Whether ``data`` is an HTML page (an error page, a login page), whatever its headers
    say: what an image or a document file never is. Read from the bytes alone: a server that
    sends its error page with status 200 often labels it wrongly too."""
    return _HTML_START.match(data[:HTML_SNIFF]) is not None
