"""The article parsers of the portals, and how a page's portal is recognised from its markup.

Each portal's article parser is one :class:`SiteParser`: its URL id rule, the body selectors that
say "this page is mine", the parse function, and the fields the generic fallback still reads with
the portal's own selectors. ``SITE_PARSERS`` lists them in the order they are asked; a third
portal on a known CMS is one more module and one more entry here.

Recognition never looks at the host name (a replica on 127.0.0.1 is parsed exactly like the real
host): a page belongs to the first portal whose body markup it carries. Cheap selectors (id
lookups) of every portal are tried before any whole-page scan, so the SharePoint portal's pages
(``id('divArticleDescription2')``) never pay for the mst scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from crawler.items import Article
from crawler.parsers import most, mst
from crawler.parsers.document import Selector, first, has_class, xpaths
from crawler.parsers.frames import Frames
from crawler.portals import most as most_portal


@dataclass
class Fields:
    """What a portal's own selectors read around the body (the fallback keeps them)."""

    title: str = ""
    lead: str = ""
    published_at: str | None = None
    category: str | None = None
    source: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)


ParseFn = Callable[[etree._Element, etree._Element, str, int], "Article | None"]


@dataclass(frozen=True)
class SiteParser:
    portal: str  # "most" or "mst": the Article's portal
    article_id: Callable[[str], int | None]  # the id in an article URL of the portal, else None
    quick: tuple[Selector, ...]  # body selectors that cost an id lookup, tried first
    scans: tuple[Selector, ...]  # body selectors that scan the page, tried after every quick
    parse: ParseFn  # (root, body, page URL, id) -> Article
    fields: Callable[[etree._Element, int], Fields]  # for the fallback
    not_article: tuple[etree.XPath, ...]  # markup of pages that are certainly not articles
    canonical_url: Callable[[str, etree._Element], str]  # for the fallback's record


def _most_parse(
    root: etree._Element, body: etree._Element, url: str, site_id: int
) -> Article | None:
    article = most.parse_most_article(root, url, site_id)
    if article is not None:
        article.url = most_portal.canonical_article_url(url)
    return article


def _most_fields(root: etree._Element, site_id: int) -> Fields:
    return Fields(
        title=most.find_title(root),
        lead=most.find_lead(root),
        published_at=most.find_date(root),
        category=most.find_category(root),
        source=most.find_source(root),
    )


def _mst_fields(root: etree._Element, site_id: int) -> Fields:
    found = mst.page_fields(mst.index_page(root), site_id)
    return Fields(
        title=found.title,
        lead=found.lead,
        published_at=found.published_at,
        category=found.category,
        author=found.author,
        tags=found.tags,
    )


MOST = SiteParser(
    portal=most_portal.NAME,
    article_id=most_portal.article_id_from_url,  # the portal's rule (crawler.portals.most)
    quick=most.BODY[:1],
    scans=most.BODY[1:],
    parse=_most_parse,
    fields=_most_fields,
    # A category listing, SharePoint's error page.
    not_article=xpaths(
        "//*[contains(@id, '_pnListNews')]",
        "//*[contains(concat(' ', @class, ' '), ' listnews_item ')]",
        "id('ms-error')",
        f"//*[{has_class('ms-error-header')}]",
    ),
    canonical_url=lambda url, _root: most_portal.canonical_article_url(url),
)
MST = SiteParser(
    portal=mst.PORTAL,
    article_id=mst.article_id_from_url,
    quick=(),
    scans=mst.BODY,
    parse=mst.parse_mst_article,
    fields=_mst_fields,
    # A zone page: its zone id for the timeline paging, and no article's id. The family's
    # article pages end with hidden inputs too, the article's zone among them (``#hdZoneId``
    # beside ``#hdNewsId``: an exact capture of a sibling site's article page, docs/replica.md).
    not_article=xpaths(
        "id('hdZoneId')[not(id('hdNewsId'))]",
        "//input[@id='hdZoneId'][not(//input[@id='hdNewsId'])]",
    ),
    canonical_url=lambda url, root: mst.canonical_url(
        url, mst.declared_canonical(mst.index_page(root))
    ),
)
SITE_PARSERS: tuple[SiteParser, ...] = (MOST, MST)


# The order of the page scans: the cheapest first (mst's `//div[...]` visits only the divs).
SCAN_ORDER: tuple[SiteParser, ...] = (MST, MOST)
# The order the URL id rules are asked in until one gives an id: mst's first (the SharePoint
# rule's urlsplit and searches then run only for URLs that are not mst articles).
ID_ORDER: tuple[SiteParser, ...] = (MST, MOST)


def _mst_frame_reads(el: etree._Element) -> bool:
    """Whether a parse of an mst page could read ``el``: its own parser's reads, and the
    recognition of the portals before it (the SharePoint body's id)."""
    return mst.may_read(el) or most.BODY_ID in (el.get("id") or "")


# The frame mst pages share before the article, skipped when a page repeats it (the parse is
# the same either way: crawler.parsers.frames).
MST_FRAMES = Frames(_mst_frame_reads)


def recognise(root: etree._Element) -> tuple[SiteParser, etree._Element] | None:
    """The portal whose article markup the page carries, with the page's body element."""
    for site in SITE_PARSERS:
        body = first(site.quick, root)
        if body is not None:
            return site, body
    for site in SCAN_ORDER:
        body = first(site.scans, root)
        if body is not None:
            return site, body
    return None
