"""The crawl's URL rules: which URLs belong to the site, and the one form each is fetched in.

The site answers on several hosts and schemes (``https://www.most.gov.vn``,
``http://most.gov.vn``…, SITE.md §3.3, §10.1) and its pages link to all of them. The crawl
fetches everything on the ``--site`` base's own scheme and host, so one page is one URL and
one article is one record. Host matching (``www.`` and default ports ignored, the port
otherwise significant) is :func:`crawler.parsers.urls.same_site`, shared with the parsers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from crawler.parsers.urls import article_id_from_url, canonical_url, repair_url, same_site

DEFAULT_SITE = "https://www.most.gov.vn"
HOME_PATH = "/vn/Pages/Trangchu.aspx"  # SITE.md §0
RSS_PATHS = ("/rss/492/tin_tuc_su_kien.rss",)  # SITE.md §3.1, §9.4
WEBSERVICE_PATH = "/_layouts/15/WebService/Getdataportal.asmx/GetListposts"  # SITE.md §6
LEGACY_ARTICLE = "/vn/Pages/chitiettin.aspx?IDNews={id}"  # SITE.md §3.3, §10.3
FETCHABLE_SCHEMES = frozenset({"http", "https"})


def normalise_site(site: str) -> str:
    """``https://www.most.gov.vn/x`` → ``https://www.most.gov.vn``; ValueError if unusable."""
    parts = urlsplit(site.strip())
    if parts.scheme.lower() not in FETCHABLE_SCHEMES or not parts.hostname:
        raise ValueError(f"not an http(s) site URL: {site!r}")
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


@dataclass(frozen=True)
class SiteScope:
    """The site being crawled, given by its base URL (scheme + host[:port])."""

    base: str

    @classmethod
    def of(cls, site: str) -> SiteScope:
        return cls(normalise_site(site))

    @property
    def home_url(self) -> str:
        return self.base + HOME_PATH

    @property
    def rss_urls(self) -> list[str]:
        return [self.base + p for p in RSS_PATHS]

    @property
    def webservice_url(self) -> str:
        return self.base + WEBSERVICE_PATH

    def legacy_article_url(self, site_id: int) -> str:
        return self.base + LEGACY_ARTICLE.format(id=site_id)

    def contains(self, url: str) -> bool:
        """True for an http(s) URL on the site's hosts (any scheme, with or without ``www.``)."""
        try:
            return same_site(url, self.base)
        except ValueError:
            return False

    def onsite(self, href: str | None, page_url: str | None = None) -> str | None:
        """``href`` made absolute and moved onto the base scheme+host; None when offsite.

        ``javascript:``, ``mailto:``, ``tel:`` and any other non-http(s) link give None, as do
        malformed URLs. Query and path are kept as written (percent-encoding untouched); the
        fragment is dropped (it never reaches the server).
        """
        if not href:
            return None
        href = repair_url(href)
        try:
            joined = urljoin(page_url or self.base + "/", href)
            parts = urlsplit(joined)
        except ValueError:
            return None
        if parts.scheme.lower() not in FETCHABLE_SCHEMES or not self.contains(joined):
            return None
        base = urlsplit(self.base)
        return urlunsplit((base.scheme, base.netloc, parts.path or "/", parts.query, ""))

    def article_url(self, href: str | None, page_url: str | None = None) -> tuple[int, str] | None:
        """``(site_id, canonical URL)`` of an article link on the site, else None.

        The canonical URL is the link's path as written (slug and letter case kept) on the base
        scheme+host, without query or fragment; the legacy ``chitiettin.aspx`` form keeps
        ``?IDNews=``.
        """
        url = self.onsite(href, page_url)
        if url is None:
            return None
        site_id = article_id_from_url(url)
        if site_id is None:
            return None
        return site_id, canonical_url(url)


def is_legacy_article_url(url: str) -> bool:
    """True for the ``/vn/Pages/chitiettin.aspx?IDNews=`` form (no slug, no friendly path)."""
    return "chitiettin.aspx" in urlsplit(url).path.lower()
