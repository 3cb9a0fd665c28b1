"""``body_html``: the article body as safe HTML (nh3, the Rust ammonia sanitiser).

Kept: nh3's default set of harmless tags and attributes (paragraphs, tables, images, links,
emphasis…). Gone: scripts, styles, iframes, forms, event attributes (``onclick``…), inline
``style``, and any URL scheme but http(s)/mailto (so no ``javascript:``). Link and image URLs are
made absolute with the same rule as ``Image.url`` (on-site URLs moved onto the page's host).
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from html import escape

import nh3
from lxml import etree

from crawler.parsers.text import strip_controls
from crawler.parsers.urls import absolute_url

URL_SCHEMES = frozenset(("http", "https", "mailto"))
DROP_WITH_CONTENT = frozenset(("script", "style", "iframe", "object", "embed", "noscript"))


# Presentational wrappers and attributes that nh3 would keep or drop anyway; removing them with
# lxml's C-level helpers first halves what nh3 has to parse (CKEditor nests spans 8 deep).
UNWRAP = ("span", "font", "{urn:schemas-microsoft-com:office:office}p", "o:p")
PRESENTATION = (
    "style",
    "class",
    "id",
    "width",
    "height",
    "border",
    "cellpadding",
    "cellspacing",
    "face",
    "size",
    "color",
    "lang",
    "dir",
    "valign",
    "bgcolor",
)


_CLEANER = nh3.Cleaner(clean_content_tags=set(DROP_WITH_CONTENT), url_schemes=set(URL_SCHEMES))


def sanitize(fragment: str) -> str:
    """Sanitised HTML of an HTML fragment, without control characters (tab and newline kept)."""
    return strip_controls(_CLEANER.clean(fragment))


def body_html(body: etree._Element, page_url: str, *, direct: bool = True) -> str:
    """Sanitised inner HTML of the body element (the element's own tag left out).

    Written straight from the tree when :func:`write_safe` can (the same output nh3 gives).
    Otherwise the body is changed in place (call this after every other reading of it): spans
    and presentational attributes are dropped, link and image URLs made absolute (much cheaper
    than a per-attribute callback inside nh3), and nh3 sanitises lxml's serialisation.
    """
    etree.strip_tags(body, *UNWRAP)  # in C: fewer elements for either path to walk
    # In C too: neither path writes these, and most elements then have no attribute left for
    # the writer to look at.
    etree.strip_attributes(body, *PRESENTATION)
    if direct:
        written = write_safe(body, page_url)
        if written is not None:
            return strip_controls(written).strip()
    for el in body.iter("a", "img"):
        name = "src" if el.tag == "img" else "href"
        value = el.get(name)
        if value:
            try:
                el.set(name, absolute_url(value, page_url))
            except ValueError:  # control characters: lxml will not write them back
                del el.attrib[name]
    # One serialisation of the whole body (much cheaper than one per child), then its own start
    # and end tags cut off: with its attributes cleared the start tag is exactly "<tag>".
    body.attrib.clear()
    tail, body.tail = body.tail, None
    html = etree.tostring(body, encoding="unicode", method="html")
    with contextlib.suppress(ValueError):  # a tail lxml read but will not write (control chars)
        body.tail = tail
    start, end = f"<{body.tag}>", f"</{body.tag}>"
    if html.startswith(start) and html.endswith(end):
        inner = html[len(start) : -len(end)]
    else:  # a void or unusual element: serialise its children one by one
        parts = [escape(body.text or "", quote=False)]
        parts.extend(etree.tostring(child, encoding="unicode", method="html") for child in body)
        inner = "".join(parts)
    return sanitize(inner).strip()


def body_html_nh3(body: etree._Element, page_url: str) -> str:
    """:func:`body_html` always through nh3 (the reference the direct writer is checked against)."""
    return body_html(body, page_url, direct=False)


# --- the direct serialiser -------------------------------------------------------------------
# nh3 re-parses the HTML lxml has just written: a second parse of every body. For the bodies
# that need no repair (no markup an HTML5 parser would move: a block inside <p>, a nested <a>,
# a row outside its table…), `_Writer` writes from the lxml tree directly what nh3 writes for
# them: the same allow-list (nh3's defaults: tags, per-tag attributes, lang and title on any of
# them), the same URL rule for a[href] and img[src], the same escaping and rel on links. It is
# safe by construction: only allow-listed tags and attributes are written, every text and
# attribute value is escaped, scripts and other active content are dropped with their content.
# Whatever it cannot vouch for (an unknown tag, a URL nh3's URL parser might reject, markup the
# re-parse would restructure) makes it give up, and that body goes through nh3 as before.
ALLOWED_TAGS = frozenset(nh3.ALLOWED_TAGS)
GENERIC_ATTRIBUTES = frozenset(("lang", "title"))
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    tag: GENERIC_ATTRIBUTES | frozenset(nh3.ALLOWED_ATTRIBUTES.get(tag, ())) for tag in ALLOWED_TAGS
}
# What the writer keeps: the presentational attributes are dropped before nh3 too.
_WRITTEN_ATTRIBUTES = {tag: names - set(PRESENTATION) for tag, names in ALLOWED_ATTRIBUTES.items()}
LINK_REL = ' rel="noopener noreferrer"'  # nh3's default link_rel, added to every <a>
VOID_TAGS = frozenset(("area", "br", "col", "hr", "img", "wbr"))
# Tags nh3 does not allow whose content it keeps (the tag alone is dropped), which an HTML5
# parser treats like any inline element.
UNWRAPPED = frozenset(("font", "label", "section", "main", *UNWRAP))
# Tags whose start closes an open <p> (HTML5 tree building): inside a <p> the re-parse moves them.
CLOSES_P = frozenset(
    (
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "div",
        "dl", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
        "h6", "header", "hgroup", "hr", "listing", "main", "menu", "nav", "ol", "p", "plaintext",
        "pre", "section", "summary", "table", "ul", "xmp", "li", "dd", "dt", "search",
    )
)  # fmt: skip
HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Tags the writer leaves to nh3: table parts outside the row structure it checks, <pre> (the
# re-parse drops a first newline), ruby and caption/column markup (implied end tags).
GIVE_UP = frozenset(
    ("pre", "caption", "col", "colgroup", "rp", "rt", "rtc", "ruby", "tr", "td", "th", "tbody",
     "thead", "tfoot")
)  # fmt: skip
TABLE_SECTIONS = frozenset(("thead", "tbody", "tfoot")) & ALLOWED_TAGS  # nh3 allows no tfoot
CELLS = frozenset(("td", "th"))
HTML_SPACE = " \t\n\r\f"  # what an HTML5 parser counts as inter-element whitespace
# a[href] and img[src]: what nh3's URL parser certainly accepts, for the allowed schemes.
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# Written without re.IGNORECASE, which costs a call of the matcher per character of a repeated
# class (about ten times the plain class on a URL): the same language, the four characters the
# flag lets stand for ASCII letters (İ ı ſ K, lower-casing to i, i, s, k) written out.
# tests/parsers/test_fast_paths.py checks it against the pattern with the flag.
_CASE_FOLDED = "\u0130\u0131\u017f\u212a"
_PLAIN_HTTP = re.compile(
    rf"[hH][tT][tT][pP][sS\u017f]?://([A-Za-z0-9.\-{_CASE_FOLDED}]+)(?::(\d{{1,5}}))?"
    rf"(?:[/?#][!-~{_CASE_FOLDED}]*)?"
)
# Control characters lxml writes as character references in an attribute (the re-parse keeps
# them, unlike raw ones).
_ODD_IN_ATTRIBUTE = re.compile(r"[\x00-\x08\x0b-\x1f]")
_CONTROL = re.compile(r"[\x00-\x1f]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TO_ENCODE = re.compile(r"[ \t\n\x7f]|[^\x00-\x7f]")


class _GiveUp(Exception):
    """The body holds something only nh3's re-parse handles exactly."""


def _escape(text: str) -> str:
    """``&``, ``<``, ``>`` and NBSP as entities: what text and attribute values share."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\xa0" in text:
        text = text.replace("\xa0", "&nbsp;")
    return text


def _escape_text(text: str) -> str:
    if "\r" in text:  # lxml writes it raw, and an HTML5 parser reads a raw CR as a newline
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _escape(text)


def _escape_attribute(value: str) -> str:
    value = _escape(value)
    return value.replace('"', "&quot;") if '"' in value else value


def _uri_as_written(value: str) -> str:
    """A href/src value as lxml's HTML serialiser writes it (and nh3 reads it back): leading
    blanks gone, spaces, tabs, newlines, DEL and non-ASCII characters percent-encoded."""
    value = value.lstrip(" \t\n\r")
    if not _TO_ENCODE.search(value):
        return value
    return _TO_ENCODE.sub(_percent, value)


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def _url_kept(value: str) -> bool:
    """nh3's rule for a[href] and img[src], for values whose fate is certain; anything else
    gives up. Kept: a relative URL, an http(s) URL with a plain host, mailto; dropped: any other
    scheme (javascript:, data:…)."""
    plain = _PLAIN_HTTP.fullmatch(value)
    if plain is not None:  # the usual case: an absolute http(s) URL
        return _host_kept(plain.group(1), plain.group(2))
    if _CONTROL.search(value):
        raise _GiveUp
    match = _SCHEME.match(value)
    if match is None:
        return True  # relative: nh3 passes relative URLs through
    scheme = match.group(1).lower()
    if scheme == "mailto":
        return True
    if scheme not in ("http", "https"):
        return False
    raise _GiveUp  # an http(s) URL whose host or form nh3's URL parser may reject


@lru_cache(maxsize=256)
def _host_kept(host: str, port: str | None) -> bool:
    """True for a host (and port) nh3's URL parser accepts; gives up on any doubt."""
    if (port is not None and int(port) > 65535) or ".." in host or host[0] in ".-":
        raise _GiveUp
    if "xn--" in host.lower():
        raise _GiveUp  # punycode: checked by the IDNA rules
    last = host.rstrip(".").rsplit(".", 1)[-1]
    if last[:1].isdigit() and not (
        # (a label of over three digits is no byte: int() would refuse one of 4,300+ digits)
        host.count(".") == 3
        and all(p.isdigit() and len(p) <= 3 and int(p) <= 255 for p in host.split("."))
    ):
        raise _GiveUp  # a numeric host: nh3's URL parser checks it as an IPv4 address
    return True


# What the writer does with each tag (bits); a tag missing here makes it give up.
_ALLOWED, _VOID, _CLOSES_P, _CONTEXT, _TABLE, _DROP, _UNWRAP = 1, 2, 4, 8, 16, 32, 64
_KIND: dict[object, int] = {}
for _tag in ALLOWED_TAGS | UNWRAPPED | DROP_WITH_CONTENT:
    _KIND[_tag] = (
        (_ALLOWED if _tag in ALLOWED_TAGS and _tag not in UNWRAPPED else 0)
        | (_VOID if _tag in VOID_TAGS else 0)
        | (_CLOSES_P if _tag in CLOSES_P else 0)
        | (
            _CONTEXT
            if _tag in HEADINGS or _tag in ("a", "p", "li", "ul", "ol", "dd", "dt", "dl")
            else 0
        )
        | (_TABLE if _tag == "table" else 0)
        | (_DROP if _tag in DROP_WITH_CONTENT else 0)
        | (_UNWRAP if _tag in UNWRAPPED else 0)
    )
for _tag in GIVE_UP:
    _KIND.pop(_tag, None)
_IN_P, _IN_A, _IN_H, _IN_LI, _IN_DD = 1, 2, 4, 8, 16


def _context(tag: str, ctx: int) -> int:
    """The open elements that matter to an HTML5 re-parse, after entering ``tag``."""
    if tag == "p":
        return ctx | _IN_P
    if tag == "a":
        if ctx & _IN_A:
            raise _GiveUp  # a link inside a link
        return ctx | _IN_A
    if tag == "li":
        if ctx & _IN_LI:
            raise _GiveUp  # an item inside an item of the same list
        return ctx | _IN_LI
    if tag in ("dd", "dt"):
        if ctx & _IN_DD:
            raise _GiveUp
        return ctx | _IN_DD
    if tag in ("ul", "ol"):
        return ctx & ~_IN_LI
    if tag == "dl":
        return ctx & ~_IN_DD
    if ctx & _IN_H:
        raise _GiveUp  # a heading inside a heading
    return ctx | _IN_H


_OPEN = {tag: f'<{tag} rel="noopener noreferrer">' if tag == "a" else f"<{tag}>" for tag in _KIND}
_CLOSE = {tag: f"</{tag}>" for tag in _KIND}


def _start(tag: str, items: list[tuple[str, str]], out: list[str], page_url: str) -> None:
    """The start tag of an element with attributes: the allowed ones, URLs made absolute (as
    :func:`body_html` does before nh3) and checked."""
    if not items:
        out.append(f"<a{LINK_REL}>" if tag == "a" else f"<{tag}>")
        return
    allowed = _WRITTEN_ATTRIBUTES[tag]
    out.append(f"<{tag}")
    for name, value in items:
        if name not in allowed:
            continue
        if (tag == "a" and name == "href") or (tag == "img" and name == "src"):
            if value:
                value = absolute_url(value, page_url)
            plain = _PLAIN_HTTP.fullmatch(value)
            if plain is not None:  # printable ASCII only: nothing to encode or refuse
                if not _host_kept(plain.group(1), plain.group(2)):
                    continue
            else:
                if _NOT_XML.search(value):
                    raise _GiveUp  # lxml would refuse it (body_html then drops the attribute)
                value = _uri_as_written(value)
                if not _url_kept(value):
                    continue
        elif _ODD_IN_ATTRIBUTE.search(value):
            raise _GiveUp  # lxml writes these as character references
        out.append(f' {name}="{_escape_attribute(value)}"')
    out.append(LINK_REL + ">" if tag == "a" else ">")


def _children(parent: etree._Element, ctx: int, out: list[str], page_url: str) -> None:
    """The escaped text and the sanitised elements inside ``parent``, in order."""
    text = parent.text
    if text:
        out.append(_escape_text(text))
    kinds = _KIND
    for el in parent:
        tag = el.tag
        kind = kinds.get(tag)
        if kind is None:
            raise _GiveUp  # an unknown tag, a processing instruction…: left to nh3
        if kind & _DROP:
            if (len(el) and tag != "script" and tag != "style") or (tag == "embed" and el.text):
                # Markup inside <object>, <noscript>… the re-parse may move out; anything inside
                # an <embed> (void in HTML5) it certainly does.
                raise _GiveUp
        else:
            if ctx & _IN_P and kind & _CLOSES_P:
                raise _GiveUp  # the re-parse would close the <p> here
            if tag == "p":  # the usual case of _context, without a call
                inner = ctx | _IN_P
            elif kind & _CONTEXT:
                inner = _context(tag, ctx)  # type: ignore[arg-type]
            else:
                inner = ctx
            if kind & _ALLOWED:
                items = el.items()
                if items:
                    _start(tag, items, out, page_url)  # type: ignore[arg-type]
                else:
                    out.append(_OPEN[tag])
                if kind & _VOID:
                    if len(el) or el.text:
                        raise _GiveUp
                elif kind & _TABLE:
                    _table(el, out, page_url)
                    out.append("</table>")
                elif len(el):
                    _children(el, inner, out, page_url)
                    out.append(_CLOSE[tag])
                else:  # text only (most elements): no call of its own
                    text = el.text
                    if text:
                        out.append(_escape_text(text))
                    elif tag == "li":
                        raise _GiveUp  # lxml writes an empty item without its end tag
                    out.append(_CLOSE[tag])
            elif len(el):
                _children(el, inner, out, page_url)
            else:
                text = el.text
                if text:
                    out.append(_escape_text(text))
        text = el.tail
        if text:
            out.append(_escape_text(text))


def _spaces(text: str | None, out: list[str]) -> None:
    """Text between table parts: whitespace only (other text the re-parse moves out)."""
    if text:
        if text.strip(HTML_SPACE):
            raise _GiveUp
        out.append(text)


def _table(table: etree._Element, out: list[str], page_url: str) -> None:
    """The table's sections and rows; rows written straight into the table get the ``<tbody>``
    an HTML5 parser puts around them. Cells start afresh: a formatting or list element open
    outside the table does not reach into them."""
    _spaces(table.text, out)
    implied = False
    for child in table:
        tag = child.tag
        if tag == "tr":
            if not implied:
                out.append("<tbody>")
                implied = True
            _row(child, out, page_url)
        else:
            if implied:
                out.append("</tbody>")
                implied = False
            if tag not in TABLE_SECTIONS:
                raise _GiveUp
            _start(tag, child.items(), out, page_url)  # type: ignore[arg-type]
            _spaces(child.text, out)
            for row in child:
                if row.tag != "tr":
                    raise _GiveUp
                _row(row, out, page_url)
                _spaces(row.tail, out)
            out.append(f"</{tag}>")
        _spaces(child.tail, out)
    if implied:
        out.append("</tbody>")


def _row(row: etree._Element, out: list[str], page_url: str) -> None:
    _start("tr", row.items(), out, page_url)  # type: ignore[arg-type]
    _spaces(row.text, out)
    for cell in row:
        tag = cell.tag
        if tag != "td" and tag != "th":
            raise _GiveUp
        _start(tag, cell.items(), out, page_url)  # type: ignore[arg-type]
        _children(cell, 0, out, page_url)
        out.append(f"</{tag}>")
        _spaces(cell.tail, out)
    out.append("</tr>")


def write_safe(body: etree._Element, page_url: str) -> str | None:
    """The body's inner HTML exactly as nh3 would write it, written from the tree; None when
    the body holds markup only nh3's re-parse handles (the caller then runs nh3)."""
    out: list[str] = []
    try:
        _children(body, 0, out, page_url)
    except _GiveUp:
        return None
    return "".join(out)
