"""The SharePoint portal of the ministry: www.most.gov.vn (SITE.md), now also most.mst.gov.vn.

Everything the crawl, the parsers and the archive need to know of this portal's URLs lives here:

- **Hosts** (SITE.md §3.3, §10.1; issue 11): pages link to ``www.most.gov.vn`` and
  ``most.gov.vn`` over both schemes; since the 2025 merger the portal also answers on
  ``most.mst.gov.vn``. A default crawl tries :data:`DEFAULT_SITES` in order.
- **Articles**: the friendly form ``/vn/tin-tuc/{id}/{slug}.aspx`` (the English site:
  ``/en/news/{id}/…``) and the legacy form ``/vn/Pages/chitiettin.aspx?…&IDNews={id}``
  (SITE.md §3.3, §10.3), matched case-insensitively because IIS is. An article is recorded
  under its URL as written, without query or fragment; the legacy form keeps ``?IDNews={id}``
  (without it the path names no article) and is replaced by a friendly URL when one is seen.
- **Listings**: ``/vn/chuyen-muc/{id}/…`` or ``…?ChuyenmucID={id}`` (SITE.md §3.2).
- **Discovery**: the home page's menu, the RSS feed and the web service's post list
  (SITE.md §0, §3.1, §6, §9.4).

Pure: standard library only (no Scrapy, no lxml), so ``archive/`` may ask it too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from crawler.portals.spec import EntryPoint, to_int

NAME = "most"
# Every host the portal's pages are written with (lower case).
HOST_FAMILY = frozenset({"www.most.gov.vn", "most.gov.vn", "most.mst.gov.vn"})
# A crawl without --site tries these, in order (issue 11: the legacy portal's new host second).
DEFAULT_SITES = ("https://www.most.gov.vn", "https://most.mst.gov.vn")
DEFAULT_SITE = DEFAULT_SITES[0]
# Images and attachments are on the site's own hosts.
MEDIA_HOSTS: frozenset[str] = frozenset()

HOME_PATH = "/vn/Pages/Trangchu.aspx"  # SITE.md §0
RSS_PATHS = ("/rss/492/tin_tuc_su_kien.rss",)  # SITE.md §3.1, §9.4
WEBSERVICE_PATH = "/_layouts/15/WebService/Getdataportal.asmx/GetListposts"  # SITE.md §6
LEGACY_ARTICLE = "/vn/Pages/chitiettin.aspx?IDNews={id}"  # SITE.md §3.3, §10.3

# The page parser of this portal's article pages (crawler.parsers.most), newest first.
PARSER_VERSION = "most/1"
PARSER_VERSIONS = (PARSER_VERSION,)

ARTICLE_PATH_ID = re.compile(r"/(?:tin-tuc|news)/(\d+)(?=[/.?#]|$)", re.IGNORECASE)
LEGACY_ARTICLE_ID = re.compile(r"[?&]IDNews=(\d+)", re.IGNORECASE)
LEGACY_ARTICLE_PATH = re.compile(r"/chitiettin\.aspx$", re.IGNORECASE)
CATEGORY_PATH_ID = re.compile(r"/(?:chuyen-muc|category)/(\d+)(?=[/.?#]|$)", re.IGNORECASE)
LEGACY_CATEGORY_ID = re.compile(r"[?&]ChuyenmucID=(\d+)", re.IGNORECASE)


def _int(match: re.Match[str] | None) -> int | None:
    return to_int(match.group(1)) if match else None


def _path(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return None


def article_id_from_url(url: str) -> int | None:
    """The article id of an article URL (friendly or legacy form, any host), else None."""
    path = _path(url)
    if path is None:
        return None
    found = _int(ARTICLE_PATH_ID.search(path))
    if found is None and LEGACY_ARTICLE_PATH.search(path):
        found = _int(LEGACY_ARTICLE_ID.search(url))
    return found


def is_legacy_article_url(url: str) -> bool:
    """True for the ``/vn/Pages/chitiettin.aspx?IDNews=`` form (no slug, no friendly path)."""
    path = _path(url)
    return bool(path and LEGACY_ARTICLE_PATH.search(path))


def canonical_article_url(url: str, base: str | None = None) -> str:
    """The URL an article is recorded under: scheme + host + path as written, no fragment.

    The query is dropped, except ``IDNews={id}`` of the legacy form. With ``base`` (scheme +
    host[:port] of the site crawled) the scheme and host are the base's.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    query = ""
    if LEGACY_ARTICLE_PATH.search(parts.path):
        found = LEGACY_ARTICLE_ID.search(url)
        if found:
            query = f"IDNews={found.group(1)}"
    scheme, netloc = parts.scheme, parts.netloc
    if base is not None:
        site = urlsplit(base)
        scheme, netloc = site.scheme, site.netloc
    return urlunsplit((scheme, netloc, parts.path, query, ""))


def legacy_article_url(base: str, article_id: int) -> str:
    """The legacy URL of an article on ``base``: tried when the friendly one fails (§10.3)."""
    return base.rstrip("/") + LEGACY_ARTICLE.format(id=article_id)


def category_id_from_url(url: str) -> int | None:
    """The category id of a listing URL (``/chuyen-muc/{id}/…`` or ``ChuyenmucID=``)."""
    path = _path(url)
    if path is None:
        return None
    found = _int(CATEGORY_PATH_ID.search(path))
    return found if found is not None else _int(LEGACY_CATEGORY_ID.search(url))


@dataclass(frozen=True)
class MostPortal:
    """The SharePoint portal as a :class:`crawler.portals.Portal`."""

    name: str = NAME
    host_family: frozenset[str] = HOST_FAMILY
    default_sites: tuple[str, ...] = DEFAULT_SITES
    media_hosts: frozenset[str] = MEDIA_HOSTS
    home_path: str = HOME_PATH
    entry_points: tuple[EntryPoint, ...] = (
        EntryPoint("home", HOME_PATH, optional=False),
        *(EntryPoint("rss", path) for path in RSS_PATHS),
        EntryPoint("webservice", WEBSERVICE_PATH),
    )
    parser_versions: tuple[str, ...] = PARSER_VERSIONS

    def article_id(self, url: str) -> int | None:
        return article_id_from_url(url)

    def canonical_article_url(self, url: str, base: str | None = None) -> str:
        return canonical_article_url(url, base)

    def legacy_article_url(self, base: str, article_id: int) -> str | None:
        return legacy_article_url(base, article_id)

    def is_legacy_article_url(self, url: str) -> bool:
        return is_legacy_article_url(url)


PORTAL = MostPortal()
