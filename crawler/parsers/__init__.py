"""Parsers for the ministry's portals: pure functions of (page bytes or text, URL). No Scrapy here.

The spider calls only these functions, never selectors:

- :func:`parse_article` -> ``Article | None`` (None when the page is not an article);
- :func:`parse_listing` -> ``Listing | None`` (None when the page is not a category listing);
- :func:`parse_home` -> category listing URLs linked from a page's menu;
- :func:`parse_rss`, :func:`parse_webservice_posts` -> article URLs from feeds;
- :func:`article_id_from_url`, :func:`category_id_from_url`, :func:`canonical_url`;
- :func:`is_html_page`: whether a fetched image or attachment is an HTML page instead.

Order of attempts for an article: the portal is recognised from the page's markup
(``crawler.parsers.sites``: the SharePoint portal www.most.gov.vn, parser ``most/1``, selectors in
``crawler.parsers.most``; mst.gov.vn, parser ``mst/1``, selectors in ``crawler.parsers.mst``),
never from the host; a page carrying neither portal's article markup goes to the generic
fallback (``fallback-trafilatura/1``) under the portal whose article URL form the URL has. Bad
input (empty, truncated, binary) gives None or a partial record, never an exception. An mst page
that repeats the frame its siblings share before the article is built without it
(``crawler.parsers.frames``): the same record, for about two thirds of the time.
"""

from __future__ import annotations

from lxml import etree

from crawler.items import Article, Listing
from crawler.parsers.document import build, is_html_page, load, prepare
from crawler.parsers.feeds import parse_rss, parse_webservice_posts
from crawler.parsers.listing import category_urls, parse_listing_tree
from crawler.parsers.sites import ID_ORDER, MST, MST_FRAMES, SITE_PARSERS, SiteParser, recognise
from crawler.parsers.urls import article_id_from_url, canonical_url, category_id_from_url

__all__ = [
    "article_id_from_url",
    "canonical_url",
    "category_id_from_url",
    "is_html_page",
    "parse_article",
    "parse_home",
    "parse_listing",
    "parse_rss",
    "parse_webservice_posts",
]


def parse_article(html: bytes | str, url: str) -> Article | None:
    """The article on the page fetched at ``url``, or None when it is not an article page."""
    # The URL's id by each portal's rule, asked only until one gives an id (mst's first: its
    # pages then skip the SharePoint rule); the others are asked when they are needed.
    ids: dict[str, int | None] = {}
    for site in ID_ORDER:
        ids[site.portal] = site.article_id(url)
        if ids[site.portal] is not None:
            break
    else:
        return None  # no portal's article URL: no article, whatever the page holds
    data = prepare(html)
    if data is None:
        return None
    mst_id = ids.get(MST.portal)
    if mst_id is not None:
        # A page that repeats a known frame is built without it (crawler.parsers.frames);
        # None (no frame, or a check failed) reads the whole page below.
        reduced = MST_FRAMES.reduce(data)
        article = _parse_framed(reduced, url, mst_id) if reduced is not None else None
        if article is not None:
            MST_FRAMES.hits += 1
            return article
    root = build(data)
    if root is None:
        return None
    found = recognise(root)
    if found is not None:
        site, body = found
        site_id = ids[site.portal] if site.portal in ids else site.article_id(url)
        if site_id is not None:
            article = _parse_body(site, root, body, url, site_id)
            if site is MST and mst_id is not None:
                MST_FRAMES.learn(
                    data, lambda reduced: _parse_framed(reduced, url, mst_id) == article
                )
            return article
    from crawler.parsers.fallback import parse_fallback

    candidates = [
        (site, ids[site.portal] if site.portal in ids else site.article_id(url))
        for site in SITE_PARSERS
    ]
    site, site_id = next((site, i) for site, i in candidates if i is not None)
    article = parse_fallback(root, url, site_id, site)
    if article is not None:
        article.url = site.canonical_url(url, root)
    return article


def parse_listing(html: bytes | str, url: str) -> Listing | None:
    """The category listing on the page, or None when the page holds no listing."""
    root = load(html)
    return parse_listing_tree(root, url) if root is not None else None


def _parse_body(
    site: SiteParser, root: etree._Element, body: etree._Element, url: str, site_id: int
) -> Article | None:
    """The portal's parse of a recognised page (the record's URL is canonical)."""
    # The body is walked several times (noise, photos, blocks, links, body_html): while this
    # list holds its elements, lxml reuses their Python proxies instead of building new ones on
    # every walk. Holding the whole page's cost more than it saved once the field index read
    # the page's values in C (valgrind: 0.7% of an mst page's instructions, 0.8% of a
    # SharePoint page's).
    held = list(body.iter())
    article = site.parse(root, body, url, site_id)
    del held
    return article


def _parse_framed(reduced: bytes, url: str, site_id: int) -> Article | None:
    """The article of an mst page built without its frame (:meth:`Frames.reduce`); None when
    the page must be read whole: the probe shows another reader state, or the shortened page
    is not recognised as an mst article."""
    root = build(reduced)
    if root is None or not MST_FRAMES.unprobe(root):
        return None
    found = recognise(root)
    if found is None or found[0] is not MST:
        return None
    return _parse_body(MST, root, found[1], url, site_id)


def parse_home(html: bytes | str, url: str) -> list[str]:
    """Absolute URLs of the category listings the page links to (one per category id)."""
    root = load(html)
    return category_urls(root, url) if root is not None else []


# Discovery on mst.gov.vn (crawler.portals.mst): zone pages and their paging, the home menu,
# sitemaps and feeds with their dates; which portal a site's page belongs to.
from crawler.parsers.feed_items import FeedItem, parse_feed_items  # noqa: E402
from crawler.parsers.mst_listing import PageLink, feed_links, page_links, parse_zone  # noqa: E402
from crawler.parsers.portal_pages import portal_of_page  # noqa: E402
from crawler.parsers.sitemaps import Sitemap, SitemapEntry, parse_sitemap  # noqa: E402

__all__ += [
    "FeedItem",
    "PageLink",
    "Sitemap",
    "SitemapEntry",
    "feed_links",
    "page_links",
    "parse_feed_items",
    "parse_sitemap",
    "parse_zone",
    "portal_of_page",
]
