"""The mst.gov.vn portal (the ministry's current site, a VCCorp newsroom CMS; SITE-mst.md).

Everything the crawl needs to know about this portal lives here, as plain data and pure
functions (no Scrapy, no HTML parsing): its host family, default and media hosts, the article
URL and id rule, what an id says about the publishing time, the canonical URL of an article on
the site being crawled, and the discovery entry points (home, zone pages and their paging,
sitemaps, RSS). The spider, the parsers and the archive ask this module; none re-derives a rule.

URL shapes (SITE-mst.md §3):

- article ``/{slug}-{id}.htm``: one path segment, the id is every digit before ``.htm``
  (18-digit ``197yyMMddHHmmssSSS``, legacy 9-digit ``197NNNNNN``, the odd 17-digit one; an id
  of another length, as the static ``/gioi-thieu-19797875.htm``, is not an article);
- zone ``/tin-tuc-su-kien/{zone}.htm``; its page 2+ is ``/timelinelist/{zoneId}/{n}.htm`` (a
  fragment; the zone id is the zone page's ``#hdZoneId``), ``/{zone path}/trang-{n}.htm`` or
  Tuổi Trẻ's fragment ``/timeline/{zoneId}/trang-{n}.htm`` (docs/crawling.md);
- not articles: ``/van-ban-phap-luat/…`` (legal documents), ``/tim-kiem.htm`` (search),
  ``/…/xem-theo-ngay-dd-mm-yyyy.htm`` (day archive), zone pages, ``trang-N`` and timeline pages;
- ``/sitemap.xml``: an index of ``/sitemaps/sitemaps-…xml`` shards; ``/rss/{zone path}.rss``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlsplit, urlunsplit

from crawler.portals.spec import EntryPoint, to_int

NAME = "mst"
PARSER_VERSION = "mst/1"  # the article parser's version string (Article.parser)

# Hosts of the portal, any of which a page may write its links with (SITE-mst.md §2).
HOST_FAMILY = frozenset({"mst.gov.vn", "www.mst.gov.vn", "mic.gov.vn", "www.mic.gov.vn"})
# Base URLs the default crawl tries, in order (no explicit --site).
DEFAULT_SITES = ("https://mst.gov.vn",)
DEFAULT_HOSTS = DEFAULT_SITES
# Hosts that serve the portal's images and attachments (page requisites only, never pages).
MEDIA_HOSTS = frozenset({"mic.mediacdn.vn"})

# --- discovery entry points (paths on the site being crawled) ---------------------------------
HOME_PATH = "/"
SITEMAP_INDEX_PATH = "/sitemap.xml"
RSS_PATHS = ("/rss/home.rss", "/rss/tin-tuc-su-kien.rss")  # SITE-mst.md §3.4 [E]
ZONE_SECTION = "tin-tuc-su-kien"  # zones of the news section: /tin-tuc-su-kien/{zone}.htm
TIMELINE_PATH = "/timelinelist/{zone_id}/{page}.htm"
TIMELINE_TRANG_PATH = "/timeline/{zone_id}/trang-{page}.htm"  # Tuổi Trẻ's form of the fragment
# Every discovery source, the home page first (SITE-mst.md §0, §3.3, §3.4).
ENTRY_POINTS = (
    EntryPoint("home", HOME_PATH, optional=False),
    EntryPoint("sitemap", SITEMAP_INDEX_PATH),
    *(EntryPoint("rss", path) for path in RSS_PATHS),
)
PARSER_VERSIONS = (PARSER_VERSION,)

# --- URL rules --------------------------------------------------------------------------------
ARTICLE_PATH = re.compile(r"^/([^/]*)-(\d{6,})\.htm$", re.IGNORECASE)
ZONE_PATH = re.compile(rf"^/{ZONE_SECTION}/([a-z0-9][a-z0-9-]*)\.htm$", re.IGNORECASE)
PAGED_ZONE_PATH = re.compile(r"^(/[^?#]+?)/trang-(\d+)\.htm$", re.IGNORECASE)
TIMELINE = re.compile(r"^/timelinelist/(\d+)/(\d+)\.htm$", re.IGNORECASE)
TIMELINE_TRANG = re.compile(r"^/timeline/(\d+)/trang-(\d+)\.htm$", re.IGNORECASE)
SHARD_PATH = re.compile(r"/sitemaps/sitemaps[^/]*\.xml$", re.IGNORECASE)
SHARD_DATE = re.compile(r"sitemaps-(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", re.IGNORECASE)
RSS_PATH = re.compile(r"^/rss/[^?#]+\.rss$", re.IGNORECASE)
# Paths that look like pages of the site but are never news articles.
NOT_ARTICLE = re.compile(
    r"^/(?:van-ban-phap-luat(?:/|\.htm)|tim-kiem\.htm|timelinelist/|timeline/)"
    r"|/xem-theo-ngay-|/trang-\d+\.htm$",
    re.IGNORECASE,
)

# The ids: "197" + yyMMddHHmmss + milliseconds (3 digits; 2 in the odd 17-digit one), or the
# legacy "197" + a 6-digit MIC news id. Other lengths are static pages (/gioi-thieu-19797875.htm)
# or noise (SITE-mst.md §3.1), never news articles.
ID_LENGTHS = (9, 17, 18)
SITE_PREFIX = "197"
TIMESTAMPED_ID_LENGTHS = (17, 18)
VN = timezone(timedelta(hours=7), "ICT")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _path(url: str) -> str | None:
    try:
        return urlsplit(url.strip()).path
    except ValueError:
        return None


def host_of(url: str) -> str:
    """The URL's host name, lower-case, without port ("" when it has none or is malformed)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def in_family(url: str) -> bool:
    """True for an http(s) URL written with one of the portal's hosts (any port, any scheme)."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return False
    return scheme in _DEFAULT_PORTS and host_of(url) in HOST_FAMILY


def is_media_url(url: str) -> bool:
    """True for an http(s) URL on one of the portal's media hosts."""
    return url[:4].lower() == "http" and host_of(url) in MEDIA_HOSTS


def article_id(url: str) -> int | None:
    """The article id of an article URL (any host; query and fragment ignored), else None."""
    path = _path(url)
    if not path or NOT_ARTICLE.search(path):
        return None
    found = ARTICLE_PATH.match(path)
    if found is None or len(found.group(2)) not in ID_LENGTHS:
        return None
    return to_int(found.group(2))


def is_article_url(url: str) -> bool:
    return article_id(url) is not None


def id_timestamp(site_id: int) -> datetime | None:
    """When an 18- or 17-digit id says the article was created (Vietnam time), else None.

    ``197250704101929995`` → 2025-07-04 10:19:29.995+07:00. Legacy 9-digit ids carry no time.
    The page's own publishing time is always preferred to this (they can differ by an hour).
    """
    digits = str(site_id)
    if len(digits) not in TIMESTAMPED_ID_LENGTHS or not digits.startswith(SITE_PREFIX):
        return None
    stamp, fraction = digits[3:15], digits[15:]
    try:
        moment = datetime.strptime(stamp, "%y%m%d%H%M%S")
    except ValueError:
        return None
    millis = int(fraction.ljust(3, "0")[:3])
    return moment.replace(microsecond=millis * 1000, tzinfo=VN)


def id_published_at(site_id: int) -> str | None:
    """The id's time as the parsers store dates: ``YYYY-MM-DDTHH:MM:00+07:00`` (minutes)."""
    moment = id_timestamp(site_id)
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:00") + "+07:00"


def site_base(url: str) -> str:
    """``https://mst.gov.vn/x.htm?a`` → ``https://mst.gov.vn`` (scheme + host[:port]); ""
    for a URL urllib cannot read (``http://[::1``)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


def canonical_article_url(url: str, base: str | None = None) -> str | None:
    """The URL an article is stored under: ``{base}/{slug}-{id}.htm``, no query or fragment.

    ``base`` is the site being crawled (scheme + host[:port]); by default the URL's own.
    None when ``url`` is not an article URL.
    """
    path = _path(url)
    if path is None or article_id(url) is None:
        return None
    return (base or site_base(url)).rstrip("/") + path


def article_key(site_id: int) -> str:
    """The article's key across portals, e.g. ``mst:197250704101929995``."""
    return f"{NAME}:{site_id}"


# --- discovery -----------------------------------------------------------------------------------


def home_url(base: str) -> str:
    return base.rstrip("/") + HOME_PATH


def sitemap_index_url(base: str) -> str:
    return base.rstrip("/") + SITEMAP_INDEX_PATH


def rss_urls(base: str) -> list[str]:
    return [base.rstrip("/") + p for p in RSS_PATHS]


def is_zone_url(url: str) -> bool:
    """True for a zone (section) page of the news section, ``/tin-tuc-su-kien/{zone}.htm``."""
    path = _path(url)
    return bool(path and ZONE_PATH.match(path) and not NOT_ARTICLE.search(path))


def zone_slug(url: str) -> str | None:
    """``…/tin-tuc-su-kien/chuyen-doi-so.htm`` → ``chuyen-doi-so``."""
    path = _path(url)
    found = ZONE_PATH.match(path) if path else None
    return found.group(1).lower() if found else None


def is_shard_url(url: str) -> bool:
    """True for a sitemap shard ``/sitemaps/sitemaps…xml`` (SITE-mst.md §3.3)."""
    path = _path(url)
    return bool(path and SHARD_PATH.search(path))


def is_feed_url(url: str) -> bool:
    path = _path(url)
    return bool(path and RSS_PATH.match(path))


def listing_page_number(url: str) -> int:
    """The page number a listing URL asks for: 1 for a zone page, N for trang-N and timeline."""
    path = _path(url) or ""
    found = TIMELINE.match(path) or TIMELINE_TRANG.match(path) or PAGED_ZONE_PATH.match(path)
    page = to_int(found.group(2)) if found else None
    return 1 if page is None else page


def timeline_zone_id(url: str) -> int | None:
    """The zone id of a ``/timelinelist/{zoneId}/{n}.htm`` or ``/timeline/{zoneId}/trang-{n}.htm``
    URL, else None."""
    path = _path(url) or ""
    found = TIMELINE.match(path) or TIMELINE_TRANG.match(path)
    return to_int(found.group(1)) if found else None


def timeline_url(base: str, zone_id: int, page: int) -> str:
    """Page ``page`` of a zone as the AJAX fragment ``/timelinelist/{zoneId}/{page}.htm``."""
    return base.rstrip("/") + TIMELINE_PATH.format(zone_id=zone_id, page=page)


def timeline_trang_url(base: str, zone_id: int, page: int) -> str:
    """Page ``page`` of a zone as Tuổi Trẻ's fragment ``/timeline/{zoneId}/trang-{page}.htm``."""
    return base.rstrip("/") + TIMELINE_TRANG_PATH.format(zone_id=zone_id, page=page)


def page_form(url: str) -> str:
    """Which form of a zone's page a URL has: ``timeline`` (``/timelinelist/…``),
    ``timeline-trang`` (``/timeline/{zoneId}/trang-N.htm``), ``static`` (``trang-N`` under the
    zone's whole path, ``/tin-tuc-su-kien/{zone}/trang-N.htm``) or ``static-short`` (under its
    last segment). The crawl tries first the form that has answered for the other zones."""
    path = _path(url) or ""
    if TIMELINE.match(path):
        return "timeline"
    if TIMELINE_TRANG.match(path):
        return "timeline-trang"
    return "static" if path.count("/") > 2 else "static-short"


def paged_zone_url(zone_url: str, page: int) -> str | None:
    """Page ``page`` of a zone as the static ``/{zone path}/trang-{page}.htm`` (page 1: the
    zone page itself). None for a URL that is not a zone page or one of its pages."""
    try:
        parts = urlsplit(zone_url.strip())
    except ValueError:
        return None
    paged = PAGED_ZONE_PATH.match(parts.path)
    stem = paged.group(1) if paged else None
    if stem is None and parts.path.lower().endswith(".htm") and parts.path.count("/") >= 1:
        stem = parts.path[: -len(".htm")]
    if (
        not stem
        or stem == "/"
        or TIMELINE.match(parts.path)
        or TIMELINE_TRANG.match(parts.path)
        or article_id(zone_url) is not None
    ):
        return None
    path = f"{stem}.htm" if page <= 1 else f"{stem}/trang-{page}.htm"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def next_page_urls(page_url: str, zone_id: int | None) -> list[str]:
    """Where the page after ``page_url`` may be, the likeliest first: the timeline fragment
    (when the zone id is known), the static ``trang-N`` page, Tuổi Trẻ's
    ``/timeline/{zoneId}/trang-N.htm`` fragment, the static page under the zone's last segment
    alone. The crawl tries the next form only when the
    first fails, and keeps to the form that answered."""
    page_path = _path(page_url)
    if page_path is None:
        return []  # a URL urllib cannot read has no next page
    page = listing_page_number(page_url) + 1
    base = site_base(page_url)
    zone = timeline_zone_id(page_url)  # zone 0 is a zone too
    if zone is None:
        zone = zone_id
    urls: list[str] = []
    if TIMELINE.match(page_path):
        return [timeline_url(base, zone, page)] if zone is not None else []
    if TIMELINE_TRANG.match(page_path):
        return [timeline_trang_url(base, zone, page)] if zone is not None else []
    if zone is not None and not PAGED_ZONE_PATH.match(page_path):
        urls.append(timeline_url(base, zone, page))
    static = paged_zone_url(page_url, page)
    if static is not None:
        urls.append(static)
    if zone is not None and not PAGED_ZONE_PATH.match(page_path):
        urls.append(timeline_trang_url(base, zone, page))
    if static is not None:
        # "/{zone}/trang-N.htm" may also be written with the zone's last segment alone
        path = _path(static) or ""
        short = "/" + "/".join(path.split("/")[-2:])
        if short != path:
            urls.append(base + short)
    return list(dict.fromkeys(urls))


# How far ahead of this machine's clock a shard's lastmod may be and still count: clocks that
# differ, an index writing its local time (+07:00) as UTC. Further ahead it proves nothing.
LASTMOD_AHEAD = timedelta(days=1)


def shard_sort_key(
    url: str, lastmod: str | None, *, now: datetime | None = None
) -> tuple[str, tuple[int, int, int]]:
    """Newest shard first when sorted in reverse: by ``lastmod``, then by the date in its name
    (``sitemaps-2026-6-21-25.xml``; months and days are not zero-padded). ``lastmod`` is the
    sitemap parser's (``crawler.parsers.sitemaps.normalise_lastmod``: ISO 8601 in +07:00, so
    text order is time order). One more than :data:`LASTMOD_AHEAD` after ``now`` (a typo, a
    server clock years ahead, which would make that shard the newest on every run) counts as
    none."""
    found = SHARD_DATE.search(url)
    named = (
        (int(found.group(1)), int(found.group(2)), int(found.group(3) or 0)) if found else (0, 0, 0)
    )
    limit = ((now or datetime.now(UTC)) + LASTMOD_AHEAD).astimezone(VN).isoformat()
    return (lastmod if lastmod and lastmod <= limit else ""), named


@dataclass(frozen=True)
class MstPortal:
    """mst.gov.vn as a :class:`crawler.portals.Portal`."""

    name: str = NAME
    host_family: frozenset[str] = HOST_FAMILY
    default_sites: tuple[str, ...] = DEFAULT_SITES
    media_hosts: frozenset[str] = MEDIA_HOSTS
    home_path: str = HOME_PATH
    entry_points: tuple[EntryPoint, ...] = ENTRY_POINTS
    parser_versions: tuple[str, ...] = PARSER_VERSIONS

    def article_id(self, url: str) -> int | None:
        return article_id(url)

    def canonical_article_url(self, url: str, base: str | None = None) -> str:
        found = canonical_article_url(url, base)
        return found if found is not None else url.strip()

    def legacy_article_url(self, base: str, article_id: int) -> str | None:
        return None  # one URL form only (the slug is free: the site routes by id)

    def is_legacy_article_url(self, url: str) -> bool:
        return False


PORTAL = MstPortal()
