"""``body_html``: the article body as safe HTML (nh3, the Rust ammonia sanitiser).

Kept: nh3's default set of harmless tags and attributes (paragraphs, tables, images, links,
emphasis…). Gone: scripts, styles, iframes, forms, event attributes (``onclick``…), inline
``style``, and any URL scheme but http(s)/mailto (so no ``javascript:``). Link and image URLs are
made absolute with the same rule as ``Image.url`` (on-site URLs moved onto the page's host).
"""

from __future__ import annotations

import contextlib
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


def body_html(body: etree._Element, page_url: str) -> str:
    """Sanitised inner HTML of the body element (the element's own tag left out).

    The body is changed in place (call this after every other reading of it): spans and
    presentational attributes are dropped, link and image URLs made absolute. That is much
    cheaper than a per-attribute callback inside nh3.
    """
    etree.strip_tags(body, *UNWRAP)
    etree.strip_attributes(body, *PRESENTATION)
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
