"""The crawl's scope: which URLs belong to the site, and the one form each is fetched in.

The site answers on several hosts and schemes (``https://www.most.gov.vn``,
``http://most.gov.vn``…, SITE.md §3.3, §10.1) and its pages link to all of them. The crawl
fetches everything on the ``--site`` base's own scheme and host, so one page is one URL and
one article is one record. Host matching (``www.`` and default ports ignored, the port
otherwise significant) is :func:`crawler.parsers.urls.same_site`, shared with the parsers.
The portal's own rules (paths of the home page and feeds, article ids, canonical and legacy
article URLs) are asked of its module in :mod:`crawler.portals`.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from urllib.parse import urljoin, urlsplit, urlunsplit

from crawler.parsers.urls import repair_url, same_site
from crawler.portals import Portal, most, portal_of_host

FETCHABLE_SCHEMES = frozenset({"http", "https"})


# A host name: labels of letters, digits, "-" and "_" (IDN letters included) separated by dots.
_HOST_NAME = re.compile(r"(?:[^\W_]|[^\W_][\w-]*[\w])(?:\.(?:[^\W_]|[^\W_][\w-]*[\w]))*\.?")


def normalise_site(site: str) -> str:
    """``https://www.most.gov.vn/x`` → ``https://www.most.gov.vn``; ValueError if unusable.

    The message says what is wrong (scheme, host, IPv6 literal, port), for a usage error.
    """
    try:
        parts = urlsplit(site.strip())
    except ValueError as exc:  # e.g. "Invalid IPv6 URL"
        raise ValueError(f"not a usable site URL: {site!r} ({exc})") from None
    if parts.scheme.lower() not in FETCHABLE_SCHEMES or not parts.hostname:
        raise ValueError(f"not an http(s) site URL: {site!r}")
    host = parts.hostname
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"a site URL with a user name or password is not supported: {site!r}")
    if ":" in host or "[" in parts.netloc:  # a bracketed literal is IPv6 or nothing
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"not a valid IPv6 address in {site!r}: {host!r}") from None
    elif not _HOST_NAME.fullmatch(host):
        raise ValueError(f"not a valid host name in {site!r}: {host!r}")
    elif (too_long := _too_long(host)) is not None:
        raise ValueError(f"not a valid host name in {site!r}: {too_long}")
    try:
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Port could not be cast…"
        raise ValueError(f"not a valid port in {site!r} ({exc}; use 1-65535)") from None
    if port == 0:
        raise ValueError(f"not a valid port in {site!r} (0; use 1-65535)")
    # the netloc rebuilt from what was read: "127.0.0.1:00001" is "127.0.0.1:1" (the zeros kept
    # made every link of the site look offsite, and the crawl waited for ever)
    netloc = (f"[{host}]" if ":" in host else host.lower()) + (f":{port}" if port else "")
    return urlunsplit((parts.scheme.lower(), netloc, "", "", ""))


def _too_long(host: str) -> str | None:
    """What makes ``host`` longer than DNS allows (a label over 63 characters, a name over 253,
    IDN labels counted in their ``xn--`` form), else None. A 100,000-character host was sent
    nowhere (Scrapy drops a URL over 2,083 characters without a word) and the run was "ok"."""
    labels = host.rstrip(".").split(".")
    sizes = [len(x) if x.isascii() else 4 + len(x.encode("punycode")) for x in labels]
    if max(sizes) > 63:
        return f"a label of {max(sizes)} characters (at most 63)"
    if sum(sizes) + len(sizes) - 1 > 253:
        return f"{sum(sizes) + len(sizes) - 1} characters (at most 253)"
    return None


def site_bases(sites: Iterable[str]) -> list[str]:
    """The base of each site (:func:`normalise_site`), each once, in the order first given:
    ``http://h/``, ``HTTP://h/x`` and ``http://h:080`` (port 80) are one site, crawled once.
    ValueError for the first unusable one."""
    bases: list[str] = []
    for site in sites:
        base = normalise_site(site)
        if base not in bases:
            bases.append(base)
    return bases


@dataclass(frozen=True)
class SiteScope:
    """The site being crawled, given by its base URL (scheme + host[:port]), and its portal."""

    base: str
    portal: Portal = field(default=most.PORTAL, compare=False)

    @classmethod
    def of(cls, site: str, portal: Portal = most.PORTAL) -> SiteScope:
        return cls(normalise_site(site), portal)

    @property
    def home_url(self) -> str:
        return self.base + self.portal.home_path

    def is_home(self, url: str) -> bool:
        """True for the site's home page: ``/`` or the portal's home path (letter case and a
        trailing ``/`` ignored), on any of the site's hosts."""
        if not self.contains(url):
            return False
        try:
            path = urlsplit(url).path
        except ValueError:
            return False
        return path.rstrip("/").lower() in ("", self.portal.home_path.rstrip("/").lower())

    def entry_urls(self, kind: str) -> list[str]:
        """The portal's discovery entry points of ``kind`` (``"rss"``…) on this site."""
        return [e.url(self.base) for e in self.portal.entry_points if e.kind == kind]

    def legacy_article_url(self, site_id: int) -> str | None:
        return self.portal.legacy_article_url(self.base, site_id)

    def contains(self, url: str) -> bool:
        """True for an http(s) URL on the site's hosts: the base's own host (any scheme, with or
        without ``www.``), or any host of the portal's family (``mic.gov.vn`` on an mst site),
        whatever host the base itself has (a replica on 127.0.0.1 included)."""
        try:
            if same_site(url, self.base):
                return True
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            return False
        return parts.scheme.lower() in FETCHABLE_SCHEMES and host in self.portal.host_family

    def redirect_kind(self, url: str) -> str:
        """Where a redirect to ``url`` leads: ``"site"`` (the site's own host, any scheme or
        ``www.``), ``"family"`` (another host of the portal's family, or of the family the
        base's own host belongs to: followed, and the crawl moves there) or ``"out"`` (not
        followed)."""
        try:
            if same_site(url, self.base):
                return "site"
            parts = urlsplit(url.strip())
            host = (parts.hostname or "").rstrip(".")
        except ValueError:
            return "out"
        if parts.scheme.lower() not in FETCHABLE_SCHEMES:
            return "out"
        owner = portal_of_host(self.base)
        family = self.portal.host_family | (owner.host_family if owner else frozenset())
        return "family" if host in family else "out"

    def moved_to(self, url: str) -> SiteScope:
        """This scope on the scheme and host[:port] of ``url`` (a redirect within the family)."""
        parts = urlsplit(url.strip())
        return replace(
            self, base=urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))
        )

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

        The canonical URL is the portal's (:meth:`Portal.canonical_article_url`): for the
        SharePoint portal the link's path as written (slug and letter case kept) on the base
        scheme+host, without query or fragment; the legacy ``chitiettin.aspx`` form keeps
        ``?IDNews=``.
        """
        url = self.onsite(href, page_url)
        if url is None:
            return None
        site_id = self.portal.article_id(url)
        if site_id is None:
            return None
        return site_id, self.portal.canonical_article_url(url)
