"""Page requisites (an article's images and attachments): where they may be fetched from.

Issue 11: requisites come from whichever host serves them (mst.gov.vn's are on
``mic.mediacdn.vn``), over http(s) only, and never from a private, loopback, link-local or
otherwise internal address unless the site being crawled is itself on one (a replica on
127.0.0.1 is crawled exactly like the real host, its media server included). Pages (home,
listings, articles, feeds, sitemaps) still come only from the site's own host family: that is
:class:`crawler.middlewares.SiteGuardMiddleware`'s rule, not this one.

:func:`refusal` is the rule, pure; :class:`RequisiteGuardMiddleware` resolves host names (through
the crawl's own caching resolver) and applies it to every file request before it is sent.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

WEB_SCHEMES = frozenset({"http", "https"})
# Names that are internal whatever they resolve to.
INTERNAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


def is_internal_address(address: str) -> bool:
    """True for a private, loopback, link-local, reserved, multicast or unspecified IP address
    (an IPv4 address mapped into IPv6 is judged as the IPv4 one); also for a non-address."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def is_internal_name(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == "localhost" or host.endswith(INTERNAL_NAMES[1:])


def literal_address(host: str) -> str | None:
    """The host itself when it is an IP address literal, else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def refusal(url: str, addresses: Iterable[str], *, site_internal: bool) -> str | None:
    """Why the requisite at ``url`` (whose host resolved to ``addresses``) must not be fetched,
    or None when it may. ``site_internal``: the site crawled is itself on an internal address."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "malformed URL"
    if parts.scheme.lower() not in WEB_SCHEMES:
        return f"not http(s): {parts.scheme or 'no scheme'}"
    if not host:
        return "no host"
    if site_internal:
        return None
    if is_internal_name(host):
        return f"internal host name {host}"
    found = list(addresses)
    if not found:
        return f"{host} does not resolve"
    internal = [a for a in found if is_internal_address(a)]
    if internal:
        return f"{host} is on an internal address ({internal[0]})"
    return None


async def resolve(host: str) -> list[str]:
    """The address(es) of ``host``: itself when a literal, else the crawl's DNS resolver's."""
    literal = literal_address(host)
    if literal is not None:
        return [literal]
    from twisted.internet import reactor
    from twisted.internet.error import DNSLookupError

    try:
        address = await maybe_deferred_to_future(reactor.resolve(host))  # type: ignore[attr-defined,arg-type]
    except (DNSLookupError, OSError):
        return []
    return [str(address)]


class RequisiteGuardMiddleware:
    """Refuse a file request whose host is internal, unless the site itself is internal.

    Applies to requests with ``meta["kind"] == "file"`` only; the refusal is logged, counted
    (``archive/requisites_refused``) and surfaces as an ``IgnoreRequest``.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._site_internal: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def _site_is_internal(self) -> bool:
        scope = getattr(self.crawler.spider, "scope", None)
        base = getattr(scope, "base", None) or self.crawler.settings.get("ARCHIVE_SITE") or ""
        if base not in self._site_internal:
            host = urlsplit(base).hostname or ""
            addresses = await resolve(host) if host else []
            self._site_internal[base] = is_internal_name(host) or any(
                is_internal_address(a) for a in addresses
            )
        return self._site_internal[base]

    async def process_request(self, request: Request) -> None:
        if request.meta.get("kind") != "file":
            return
        site_internal = await self._site_is_internal()
        host = urlsplit(request.url).hostname or ""
        addresses = [] if site_internal or not host else await resolve(host)
        reason = refusal(request.url, addresses, site_internal=site_internal)
        if reason is None:
            return
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("archive/requisites_refused")
        logger.warning("not fetching %s: %s", request.url, reason)
        raise IgnoreRequest(f"requisite refused ({reason}): {request.url}")
