"""Discovery pages of mst.gov.vn (SITE-mst.md §5): zone pages, their paging, the home menu.

Pure functions of (page bytes or text, URL); which links are zones, articles or pages of a
zone is a URL rule of the portal (``crawler.portals.mst``), not of these parsers.

- A zone page ``/tin-tuc-su-kien/{zone}.htm`` (and its ``/{zone}/trang-{n}.htm`` pages) holds
  ``div.box-category-item`` entries: every one of the page is the zone's, in page order, wherever
  it sits (``div.list__focus`` / ``div.list__news`` on mic.gov.vn; a focus block ``div.box-top``
  / ``div.list__focus-main`` before ``div.list__listing-main`` on Tuổi Trẻ; ``div.box-category``
  blocks without any list container in the family's current template: docs/crawling.md),
  except the lists of a sidebar (``aside`` / ``.sidebar`` / ``.list__newest`` /
  ``.stream-right`` / ``.box-stream-right``) or of the page's ``header``, ``nav`` and ``footer``,
  which are other zones' news; its zone id is ``<input id="hdZoneId" value="…">``.
- The timeline fragment ``/timelinelist/{zoneId}/{n}.htm`` is a bare list of
  ``div.box-stream-item`` (or ``div.box-category-item``) entries, without any container.
- An item: the title link (``a.box-category-link-title`` / ``a.box-stream-link-title``, else the
  first link, whose ``title`` attribute holds the title when it wraps only the thumbnail), the
  sapo (``p.box-category-sapo`` / ``.box-stream-sapo``, else the first ``p``), the time
  (``span.box-category-time``: its text, day first, else its ``title``, "H:i , d/m/Y") and the
  thumbnail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from crawler.items import Listing, ListingItem
from crawler.parsers.dates import parse_day_first_date
from crawler.parsers.document import elements, load, text_of
from crawler.parsers.text import clean
from crawler.parsers.urls import join_url
from crawler.portals.spec import to_int


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _xp(*paths: str) -> tuple[etree.XPath, ...]:
    return tuple(etree.XPath(p) for p in paths)


# --- selectors, in the order they are tried -------------------------------------------------
# Lists of other zones' articles: a sidebar's ("Tin mới", most read) and the page chrome's.
SIDEBAR = (
    "ancestor-or-self::*[self::aside or self::header or self::footer or self::nav"
    f" or {_has_class('sidebar')} or {_has_class('list__newest')}"
    f" or {_has_class('stream-right')} or {_has_class('box-stream-right')}]"
)
CONTAINERS = etree.XPath(
    f"//*[({_has_class('list__focus')} or {_has_class('list__news')}"
    f" or {_has_class('list__listing-main')}) and not({SIDEBAR})]"
)
ITEMS = etree.XPath(
    f"//*[({_has_class('box-category-item')} or {_has_class('box-stream-item')})"
    f" and not({SIDEBAR})]"
)
ITEM_LINK = _xp(
    f".//a[{_has_class('box-category-link-title')}][@href]",
    f".//a[{_has_class('box-stream-link-title')}][@href]",
    ".//h3//a[@href] | .//h2//a[@href]",
    ".//a[@href]",
)
ITEM_TITLED = _xp(".//a[@href][normalize-space(@title)]")
ITEM_SUMMARY = _xp(
    f".//*[{_has_class('box-category-sapo')}]",
    f".//*[{_has_class('box-stream-sapo')}]",
    ".//p",
)
ITEM_TIME = _xp(
    f".//*[{_has_class('box-category-time')}]",
    f".//*[{_has_class('box-stream-time')}]",
    f".//*[{_has_class('time-ago')}]",
    ".//time",
)
ITEM_IMAGE = _xp(".//img")
ZONE_ID = _xp("//input[@id='hdZoneId'][@value]", "//*[@id='hdZoneId'][@value]")
ZONE_NAME = _xp(
    "//*[@data-role='zone-name']",
    f"//*[{_has_class('title-zone')}]",
    f"//*[{_has_class('box-title-category')}]",
    "//*[@data-role='cate-name']",
    "//h1",
)
PAGE_TITLE = _xp("//title")
NEXT_LINK = _xp("//a[@rel='next'][@href]", f"//a[{_has_class('next')}][@href]")
LINKS = etree.XPath("//a[@href]")
FEED_LINKS = etree.XPath(
    "//link[@href][contains(translate(@type, 'RSATOM', 'rsatom'), 'rss')"
    " or contains(translate(@type, 'RSATOM', 'rsatom'), 'atom')]"
    " | //a[@href][contains(translate(@href, 'RS', 'rs'), '.rss')]"
)
IMAGE_SOURCES = ("data-src", "data-original", "src")
# ---------------------------------------------------------------------------------------------

TITLE_SUFFIX = re.compile(r"\s+[-|–]\s+Bộ Khoa học và Công nghệ\s*$", re.IGNORECASE)
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
UNUSABLE_HREF = re.compile(r"^\s*(?:#|javascript:|mailto:|tel:|data:)", re.IGNORECASE)


@dataclass(frozen=True)
class PageLink:
    """A link of a page, absolute, with its text (the zone name when it is a menu entry)."""

    url: str
    text: str


def _first(selectors: tuple[etree.XPath, ...], node: etree._Element) -> etree._Element | None:
    for selector in selectors:
        found = elements(selector, node)
        if found:
            return found[0]
    return None


def _href(href: str | None, page_url: str) -> str | None:
    if not href or UNUSABLE_HREF.match(href):
        return None
    return join_url(href.strip(), page_url)


def _item_date(node: etree._Element) -> str | None:
    """The item's date as its visible text says it (day first), else as its ``title`` or
    ``datetime`` attribute does. The text comes first: a real listing of the family writes the
    title in the server's culture (en.baochinhphu.vn: ``8/5/2026 8:35:00 PM``, month first)
    beside the text readers see (``05/08/2026 20:35``); a relative text ("2 giờ trước") gives no
    date, and the title is read then."""
    when = _first(ITEM_TIME, node)
    if when is None:
        return None
    for text in (text_of(when), when.get("title") or "", when.get("datetime") or ""):
        found = parse_day_first_date(text)
        if found:
            return found
        iso = ISO_DATE.search(text)
        if iso:
            return "-".join(iso.groups())
    return None


def _thumbnail(node: etree._Element, page_url: str) -> str | None:
    image = _first(ITEM_IMAGE, node)
    if image is None:
        return None
    for name in IMAGE_SOURCES:
        found = _href(image.get(name), page_url)
        if found:
            return found
    return None


def _item(node: etree._Element, page_url: str) -> ListingItem | None:
    link = _first(ITEM_LINK, node)
    url = _href(link.get("href"), page_url) if link is not None else None
    if link is None or url is None:
        return None
    title = clean(text_of(link)) or clean(link.get("title"))
    if not title:
        titled = _first(ITEM_TITLED, node)
        title = clean(titled.get("title")) if titled is not None else ""
    summary = _first(ITEM_SUMMARY, node)
    return ListingItem(
        url=url,
        title=title,
        summary=clean(text_of(summary)) if summary is not None else "",
        date=_item_date(node),
        thumbnail=_thumbnail(node, page_url),
    )


def _items(root: etree._Element, page_url: str) -> list[ListingItem]:
    """Every item of the page outside a sidebar, in page order: a list container is no
    condition, as a focus block outside it holds the zone's newest articles (which the family's
    template leaves out of the list below it)."""
    items: dict[str, ListingItem] = {}
    for node in elements(ITEMS, root):
        item = _item(node, page_url)
        if item is not None and item.url not in items:
            items[item.url] = item
    return list(items.values())


def _zone_id(root: etree._Element) -> int | None:
    field = _first(ZONE_ID, root)
    value = (field.get("value") or "").strip() if field is not None else ""
    return to_int(value)


def _zone_name(root: etree._Element) -> str | None:
    name = _first(ZONE_NAME, root)
    if name is not None and clean(text_of(name)):
        return clean(text_of(name))
    title = _first(PAGE_TITLE, root)
    text = TITLE_SUFFIX.sub("", clean(text_of(title))) if title is not None else ""
    return text or None


def _next_url(root: etree._Element, page_url: str) -> str | None:
    link = _first(NEXT_LINK, root)
    return _href(link.get("href"), page_url) if link is not None else None


def parse_zone(html: bytes | str, url: str) -> Listing | None:
    """A zone page, one of its ``trang-N`` pages or a timeline fragment, else None.

    ``category_id`` is the zone id (``#hdZoneId``; None on a fragment, which has none),
    ``category`` the zone's name (None on a fragment), ``items`` the entries in page order
    (one per URL), ``next_url`` a "next" link the page itself gives (else None: the portal
    knows where page N+1 is). ``page`` and ``last_page`` are None: the page shows neither.
    """
    root = load(html)
    if root is None:
        return None
    items = _items(root, url)
    zone_id = _zone_id(root)
    if not items and zone_id is None:
        return None
    fragment = not elements(CONTAINERS, root) and zone_id is None
    return Listing(
        url=url,
        category_id=zone_id,
        category=None if fragment else _zone_name(root),
        items=items,
        page=None,
        last_page=None,
        next_url=_next_url(root, url),
    )


def page_links(html: bytes | str, url: str) -> list[PageLink]:
    """Every link of the page, absolute, once per URL (first text wins), in page order.

    On the home page these include the zone menu: which of them are zones is the portal's
    rule (``crawler.portals.mst.is_zone_url``); the text is the zone's name.
    """
    root = load(html)
    if root is None:
        return []
    found: dict[str, PageLink] = {}
    for link in elements(LINKS, root):
        target = _href(link.get("href"), url)
        if target is None:
            continue
        text = clean(text_of(link)) or clean(link.get("title"))
        if target not in found or (text and not found[target].text):
            found[target] = PageLink(target, text)
    return list(found.values())


def feed_links(html: bytes | str, url: str) -> list[str]:
    """The RSS/Atom feeds a page announces (``<link rel=alternate>``) or links to (``*.rss``)."""
    root = load(html)
    if root is None:
        return []
    urls = (_href(link.get("href"), url) for link in elements(FEED_LINKS, root))
    return list(dict.fromkeys(u for u in urls if u))
