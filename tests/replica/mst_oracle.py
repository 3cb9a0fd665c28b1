"""An independent, strict reading of mst replica pages with lxml (CONTRACT-mst.md field rules).

``article(page, url) == site.truth(id)`` proves the ground truth is exactly what a careful parser
can read off the served page. It is not the project's parser (that lives in crawler/parsers).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml.html import HtmlElement

DOC_EXTS = {"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar"}
ID = re.compile(r"-(\d{6,})\.htm$")
NUMERIC = re.compile(r"(\d{2})/(\d{2})/(\d{4})\s+(\d{1,2}):(\d{2})")
DASHED = re.compile(r"(\d{2})-(\d{2})-(\d{4}) - (\d{2}):(\d{2}) [AP]M")
TIME_FIRST = re.compile(r"lúc (\d{2}):(\d{2}) (\d{2})/(\d{2})/(\d{4})")
ENGLISH = re.compile(r"([A-Z][a-z]+) (\d{1,2}), (\d{4}) (\d{1,2}):(\d{2}) (AM|PM)")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
NOT_BODY = (
    '[type="RelatedNewsBox"], [type="RelatedOneNews"], .kbwscwl-relatedbox, #listNewsInContent, '
    'div.tindnd, [type="Video"], [type="VideoStream"], [type="insertembedcode"], .admzone, '
    "#InreadPc, .adsense, script, style, [data-check-position], .link-source-wrapper, "
    ".readmore-body-box, #hdExclusive"
)
PHOTOS = '[type="Photo"], div.media'


def norm(text: str | None) -> str:
    text = unicodedata.normalize("NFC", text or "").replace("\u200b", "").replace("\xa0", " ")
    return " ".join(text.split())


def text_of(el: HtmlElement) -> str:
    return norm(el.text_content())


def _drop(el: HtmlElement) -> None:
    el.drop_tree()


def published(doc: HtmlElement) -> str:
    found = doc.cssselect('[data-role="publishdate"]') or doc.cssselect(".detail-time")
    text = text_of(found[0])
    m = NUMERIC.search(text)
    if m:
        d, mo, y, hh, mm = m.groups()
        return f"{y}-{mo}-{d}T{int(hh):02d}:{mm}:00+07:00"
    m = DASHED.search(text)  # cafef's "15-08-2025 - 13:30 PM": a 24-hour clock, suffix aside
    if m:
        d, mo, y, hh, mm = m.groups()
        return f"{y}-{mo}-{d}T{int(hh):02d}:{mm}:00+07:00"
    m = TIME_FIRST.search(text)
    if m:
        hh, mm, d, mo, y = m.groups()
        return f"{y}-{mo}-{d}T{int(hh):02d}:{mm}:00+07:00"
    e = ENGLISH.search(text)
    assert e, text
    month, d, y, hh, mm, ampm = e.groups()
    hour = int(hh) % 12 + (12 if ampm == "PM" else 0)
    return f"{y}-{MONTHS.index(month) + 1:02d}-{int(d):02d}T{hour:02d}:{mm}:00+07:00"


def _images(content: HtmlElement, page_url: str) -> list[dict[str, Any]]:
    out = []
    for block in content.cssselect(PHOTOS):
        for img in block.iter("img"):
            link = next((a for a in img.iterancestors("a")), None)
            url = img.get("data-original") or (link.get("href") if link is not None else None)
            url = urljoin(page_url, url or img.get("src"))
            caps = block.cssselect("figcaption, .PhotoCMS_Caption")
            caption = text_of(caps[0]) if caps else ""
            out.append({"url": url, "caption": caption or None, "alt": img.get("alt") or ""})
    return out


def _right_bold(p: HtmlElement) -> bool:
    style = (p.get("style") or "").replace(" ", "").lower()
    bold = p.cssselect("b, strong")
    return "text-align:right" in style and len(bold) == 1 and text_of(bold[0]) == text_of(p)


def article(html: bytes, url: str) -> dict[str, Any]:
    doc = lxml.html.fromstring(html)
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    m = ID.search(parts.path)
    assert m, url
    site_id = int(m.group(1))
    slug_path = parts.path
    canon = doc.cssselect('link[rel="canonical"]')
    if canon:
        cpath = urlsplit(canon[0].get("href")).path
        cm = ID.search(cpath)
        if cm and int(cm.group(1)) == site_id:
            slug_path = cpath
    sapo = doc.cssselect("h2.detail-sapo, h2.sapo, p.detail-sapo, [data-role=sapo]")
    cate = doc.cssselect("div.detail-cate a") or doc.cssselect('[data-role="cate-name"]')
    content = doc.cssselect("div.detail-content")[0]
    boxed = content.cssselect(".link-source-wrapper .link-source-text-name")
    for el in content.cssselect(NOT_BODY):
        _drop(el)
    author = None
    tail = content.cssselect("div.detail-author")
    top = doc.cssselect(".detail-author-top-name")
    box = doc.cssselect('div.detail-author[data-role="author"] .author-info a.name')
    if tail:
        author = text_of(tail[0])
        for el in tail:
            _drop(el)
    elif top:
        author = text_of(top[0])
    elif box:
        author = text_of(box[0])
    images = _images(content, url)
    for el in content.cssselect(PHOTOS):
        _drop(el)
    paras = [p for p in content.iter("p") if text_of(p)]
    if author is None and paras and _right_bold(paras[-1]):
        author = text_of(paras[-1])
        _drop(paras[-1])
    body: list[str] = []
    attachments: list[dict[str, str]] = []
    for el in content.iter("p", "h2", "h3", "h4", "li", "tr"):
        if el.tag == "p" and next(el.iterancestors("tr", "li"), None) is not None:
            continue
        if el.tag == "tr":
            text = " | ".join(text_of(td) for td in el if td.tag in ("td", "th"))
        else:
            text = text_of(el)
        if text:
            body.append(text)
    for a in content.iter("a"):
        href = a.get("href") or ""
        if urlsplit(href).path.rsplit(".", 1)[-1].lower() in DOC_EXTS:
            attachments.append({"url": urljoin(url, href), "title": text_of(a)})
    source = None
    if body and body[-1].startswith("Nguồn:"):
        source = body.pop()[len("Nguồn:") :].strip()
    elif body and body[-1].startswith("Theo "):
        source = body.pop()
    elif boxed and text_of(boxed[0]):
        source = "Theo " + text_of(boxed[0])
    tags = doc.cssselect("ul.detail-tag-list a, [data-role=tags] a, .detail-tab a.item")
    return {
        "site_id": site_id,
        "url": origin + slug_path,
        "title": text_of(doc.cssselect("h1.detail-title")[0]),
        "lead": text_of(sapo[0]) if sapo else "",
        "body": body,
        "published_at": published(doc),
        "category": text_of(cate[0]) if cate else None,
        "source": source,
        "images": images,
        "attachments": attachments,
        "author": author,
        "tags": list(dict.fromkeys(text_of(t) for t in tags)),
        "portal": "mst",
    }


def listing_ids(html: bytes) -> list[int]:
    """Article ids a zone page, a timeline fragment or a search page lists, in order."""
    doc = lxml.html.fromstring(html) if html.strip() else None
    if doc is None:
        return []
    items = doc.cssselect(
        ".list__focus .box-category-item, #box-stream .box-category-item, "
        ".box-category-item, .box-stream-item"
    )
    seen: list[int] = []
    for item in items:
        sidebar = (
            el.tag == "aside" or "stream-right" in (el.get("class") or "").split()
            for el in item.iterancestors()
        )
        links = item.cssselect("a[href]")
        if any(sidebar) or not links:  # a sidebar's, or the AJAX list's empty placeholder
            continue
        a = links[0]
        m = ID.search(urlsplit(a.get("href")).path)
        assert m
        if int(m.group(1)) not in seen:
            seen.append(int(m.group(1)))
    return seen
