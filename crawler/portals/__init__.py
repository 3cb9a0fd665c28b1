"""The portals the archive knows: one module per portal, the one place that knows its rules.

A portal is one publishing system of the ministry (issue 11, STYLE.md habit 11): the
SharePoint portal of www.most.gov.vn (:mod:`crawler.portals.most`) and mst.gov.vn
(``crawler.portals.mst``). Each portal module holds, together,

- its **host family** (every host its pages are written with) and its **default sites**, in the
  order a default crawl tries them, and the hosts its images and attachments come from;
- its **article URL rule**: the article id of a URL and the one URL an article is recorded under;
- its **legacy URL rule**: the older URL form of an article, and which forms a better one replaces;
- its **discovery entry points**: the home page and the feeds, sitemaps or services to read;
- its **parser versions** (the ``parser`` column of the articles it yields).

The spider, the parsers, the pipeline and the archive ask the portal; none re-derives a rule.
This package is pure (standard library only, no Scrapy, no lxml): ``archive/`` may import it,
and ``tests/test_boundaries.py`` checks that it never imports Scrapy.

Adding a portal: write ``crawler/portals/<name>.py`` with an object ``PORTAL`` that satisfies
:class:`Portal` and list it in :data:`PORTALS` below.

A portal is recognised from a page's markup, never from its host, so that a replica on
127.0.0.1 is crawled exactly like the real host; the host family is used only to rewrite a
link written with one of the portal's hosts onto the site being crawled.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from crawler.portals import most, mst
from crawler.portals.spec import EntryPoint, Portal

__all__ = [
    "PORTALS",
    "EntryPoint",
    "Portal",
    "default_sites",
    "is_legacy_article_url",
    "portal_for_article_url",
    "portal_named",
    "portal_names",
    "portal_of_host",
    "recorded_article_url",
]


# Every portal, in the order a default crawl visits them and URLs are matched against them.
PORTALS: tuple[Portal, ...] = (most.PORTAL, mst.PORTAL)


def portal_names() -> tuple[str, ...]:
    """The names of the known portals (``("most", …)``)."""
    return tuple(p.name for p in PORTALS)


def default_sites() -> list[str]:
    """The sites a crawl without ``--site`` covers: each portal's first default site."""
    return [portal.default_sites[0] for portal in PORTALS if portal.default_sites]


def portal_named(name: str) -> Portal:
    """The portal called ``name``; ``LookupError`` naming the known ones otherwise."""
    for portal in PORTALS:
        if portal.name == name:
            return portal
    raise LookupError(f"unknown portal {name!r} (known: {', '.join(portal_names())})")


def portal_of_host(host_or_url: str) -> Portal | None:
    """The portal whose host family holds this host (or the host of this URL), else None.

    For rewriting links written with a family host and for the default sites only: a page's
    portal is recognised from its markup, never from its host.
    """
    text = host_or_url.strip().lower()
    try:
        host = urlsplit(text).hostname if "://" in text else text.split(":", 1)[0]
    except ValueError:  # a URL urllib cannot read ("http://[::1") names no host
        return None
    if not host:
        return None
    for portal in PORTALS:
        if host in portal.host_family:
            return portal
    return None


def portal_for_article_url(url: str) -> tuple[Portal, int] | None:
    """The first portal whose article URL rule matches ``url``, with the id; else None.

    The URL forms of the portals do not overlap, so the shape of the URL decides, whatever
    its host (a replica on 127.0.0.1 included).
    """
    for portal in PORTALS:
        article_id = portal.article_id(url)
        if article_id is not None:
            return portal, article_id
    return None


def is_legacy_article_url(url: str) -> bool:
    """True when a portal calls ``url`` a legacy form that a listing's URL replaces."""
    return any(portal.is_legacy_article_url(url) for portal in PORTALS)


def recorded_article_url(current: str | None, offered: str) -> str:
    """The URL an article keeps when a save (a crawl or a re-parse) offers ``offered`` and the
    archive records it under ``current``: a legacy form never replaces a better one (the page
    may have been fetched through the legacy fallback, SITE.md §10.3, and a re-parse reads
    the raw page's URL); any other offered URL is taken. The one rule for both ways in."""
    if current and is_legacy_article_url(offered) and not is_legacy_article_url(current):
        return current
    return offered
