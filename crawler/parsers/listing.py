"""Category listing pages (``/vn/chuyen-muc/{id}/{slug}.aspx?page=N``, SITE.md §5, §9.1) and the
home page's menu of categories.

Selectors are tried in the order written. Items are ``div.listnews_item`` (MOST); the ``<h3>``
skins of sibling sites (``.H3_iTem_ListNews > a``, ``pnListNews/div/h3/a``) are the fallback.
The pager is ``div.Paging``: the next link is ``span:nth-child(5) > a`` (or the ``…lkNext2``
link), the page count the last ``<option>`` (or the ``…lkLast2`` link, or "Trang 2/106").
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.items import Listing, ListingItem
from crawler.parsers.dates import parse_day_first_date
from crawler.parsers.document import elements, first, text_of
from crawler.parsers.text import clean
from crawler.parsers.urls import absolute_url, category_id_from_url, join_url
from crawler.portals.spec import to_int


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _xp(*paths: str) -> tuple[etree.XPath, ...]:
    return tuple(etree.XPath(p) for p in paths)


# --- selectors, in the order they are tried -------------------------------------------------
LIST_CONTAINER = _xp(
    "//*[contains(@id, '_pnListNews')]",
    f"//*[{_has_class('listnews_item')}]/..",
)
ITEMS = _xp(
    f".//div[{_has_class('listnews_item')}]",
    f".//*[{_has_class('H3_iTem_ListNews')}]/..",
    "./div[h3/a]",
)
ITEM_LINK = _xp(
    f".//*[{_has_class('listnews_item_title')}]//a[@href]",
    f".//*[{_has_class('H3_iTem_ListNews')}]/a[@href]",
    ".//h3/a[@href] | .//h2/a[@href]",
)
ITEM_IMAGE = _xp(f".//*[{_has_class('listnews_item_img')}]//img", ".//img")
ITEM_SUMMARY = _xp(f".//*[{_has_class('listnews_item_des')}]")
ITEM_DATE = _xp(f".//*[{_has_class('listnews_item_date')}]", f".//*[{_has_class('news_datetime')}]")
CATEGORY_NAME = _xp(f"//*[{_has_class('title_cate')}]", "//title")
PAGER = _xp(f"//div[{_has_class('Paging')}]")
PAGER_NEXT = _xp(".//a[contains(@id, 'lkNext')][@href]", "./*[5][self::span]/a[@href]")
PAGER_LAST = _xp(".//a[contains(@id, 'lkLast')][@href]")
PAGER_OPTIONS = etree.XPath(".//select/option")
PAGER_INFO = _xp(f".//*[{_has_class('PagingInfo')}]")
CATEGORY_LINKS = etree.XPath("//a[@href]")
# ---------------------------------------------------------------------------------------------

PAGE_PARAM = re.compile(r"[?&]page=(\d+)", re.IGNORECASE)
# "(?<!\d)": a number starts after a non-digit (without it every digit of a long run was a new
# start, read to the run's end: quadratic, hours on a megabyte of digits).
PAGE_INFO = re.compile(r"(?<!\d)(\d+)\s*/\s*(\d+)")
CATEGORY_HREF = re.compile(
    r"/chuyen-muc/\d+|chuyenmuctin\.aspx\?[^#]*ChuyenmucID=\d+", re.IGNORECASE
)


def _page_number(href: str | None) -> int | None:
    found = PAGE_PARAM.search(href or "")
    return to_int(found.group(1)) if found else None


def _item(node: etree._Element, page_url: str) -> ListingItem | None:
    link = first(ITEM_LINK, node)
    if link is None:
        return None
    url = join_url(link.get("href", "").strip(), page_url)
    if url is None:
        return None
    image = first(ITEM_IMAGE, node)
    src = (image.get("src") or "").strip() if image is not None else ""
    summary = first(ITEM_SUMMARY, node)
    date = first(ITEM_DATE, node)
    return ListingItem(
        url=url,
        title=clean(text_of(link)),
        summary=clean(text_of(summary)) if summary is not None else "",
        date=parse_day_first_date(text_of(date)) if date is not None else None,
        thumbnail=absolute_url(src, page_url) if src else None,
    )


def _pager(root: etree._Element, page_url: str) -> tuple[int | None, int | None, str | None]:
    pager = first(PAGER, root)
    if pager is None:
        return _page_number(page_url) or 1, None, None
    options = elements(PAGER_OPTIONS, pager)
    values = [((o.get("value") or "").strip(), o.get("selected") is not None) for o in options]
    numbers = [n for v, _ in values if (n := to_int(v)) is not None]
    page = next((n for v, selected in values if selected and (n := to_int(v)) is not None), None)
    last = max(numbers) if numbers else None
    info = first(PAGER_INFO, pager)
    info_match = PAGE_INFO.search(text_of(info)) if info is not None else None
    if info_match:
        page = page or to_int(info_match.group(1))
        last = last or to_int(info_match.group(2))
    if last is None:
        last_link = first(PAGER_LAST, pager)
        last = _page_number(last_link.get("href")) if last_link is not None else None
    page = page or _page_number(page_url) or 1
    next_link = first(PAGER_NEXT, pager)
    next_url = None
    if next_link is not None and (last is None or page < last):
        next_url = join_url(next_link.get("href", "").strip(), page_url)
    return page, last, next_url


def parse_listing_tree(root: etree._Element, page_url: str) -> Listing | None:
    container = first(LIST_CONTAINER, root)
    pager = first(PAGER, root)
    if container is None and pager is None:
        return None
    items: list[ListingItem] = []
    if container is not None:
        for selector in ITEMS:
            nodes = elements(selector, container)
            if nodes:
                items = [i for i in (_item(n, page_url) for n in nodes) if i is not None]
                break
    name = first(CATEGORY_NAME, root)
    page, last, next_url = _pager(root, page_url)
    category_id = category_id_from_url(page_url)
    return Listing(
        url=page_url,
        category_id=category_id,
        category=clean(text_of(name)) or None if name is not None else None,
        items=items,
        page=page,
        last_page=last,
        next_url=next_url,
    )


def category_urls(root: etree._Element, page_url: str) -> list[str]:
    """Absolute URLs of every category listing linked from the page, one per category id,
    in page order (the menu comes first on the home page). On-site links are moved onto the
    page's scheme and host, like image URLs."""
    seen: set[int] = set()
    urls: list[str] = []
    for link in elements(CATEGORY_LINKS, root):
        href = (link.get("href") or "").strip()
        if not CATEGORY_HREF.search(href):
            continue
        url = absolute_url(href, page_url)
        category_id = category_id_from_url(url)
        if category_id is None or category_id in seen:
            continue
        seen.add(category_id)
        urls.append(url)
    return urls
