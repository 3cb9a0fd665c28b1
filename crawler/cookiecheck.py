"""A site that redirects a page to itself, as a CDN's cookie check does, and only that cookie.

Some fronts answer a client that has not got their cookie with a redirect to the very URL it
asked for, setting the cookie (en.qdnd.vn, a Vietnamese government newspaper behind Viettel's
"VEdge" CDN, 2026-10-06: ``302``, ``Location`` the same URL, ``Set-Cookie: muid_mly=…``, for the
home page and two listings alike; capture log in the tool library, repository
VSSpowerlifting/China-Mil-Watch, ``tests/fixtures/vn_vgp/requests.json``, rows 7-9). A browser
or ``curl -L -b`` keeps the cookie and is served the page. The crawl keeps no cookies
(``COOKIES_ENABLED = False``: the news pages need no session), so it went round the redirect to
the same URL until Scrapy's limit; a listing's redirect was worse: Scrapy's duplicate filter
dropped it without a word (the URL was already asked for), and a run that archived nothing
ended ``ok``, exit 0.

:class:`CookieCheckMiddleware` sees a redirect before Scrapy's redirect middleware does:

- a ``3xx`` to the URL that was asked for, setting cookies: the cookies are kept for that host
  (names and values only, :data:`MAX_COOKIE_BYTES` in all, sent back to that host and port
  alone), and the request is made again, once, with them; every
  later request to the host carries them, so the check costs one extra request per host;
- a ``3xx`` to the URL asked for with no cookie to keep, or again after its cookie was sent:
  the request fails at once, "the page redirects to itself", recorded like any failed page
  (the run ``partial``, exit 1) instead of vanishing.

No script is run and nothing is guessed: only cookies the site sets in its HTTP answer go back
to that site (a bot challenge that sets its cookie from a script is
:mod:`crawler.parsers.challenge`'s, and fails).
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from crawler import outcome

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

MAX_COOKIE_BYTES = 4096  # per host, names and values (RFC 6265 §6.1: at least this per cookie)
REDIRECTS = frozenset({301, 302, 303, 307, 308})  # the statuses Scrapy's redirect follows
CHECKED = "cookie_check"  # meta: the request was made again with the cookies its host set
# a cookie's name: an RFC 6265 token; its value: cookie-octets, or the same in double quotes
_PAIR = re.compile(
    rb"^\s*([!#$%&'*+\-.^_`|~0-9A-Za-z]+)=(\"?[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*\"?)\s*(?:;|$)"
)


def _same_url(a: str, b: str) -> bool:
    return a.split("#", 1)[0] == b.split("#", 1)[0]


def set_cookies(response: Response) -> dict[bytes, bytes]:
    """The ``name=value`` pairs of the answer's ``Set-Cookie`` headers (attributes dropped,
    malformed ones skipped), the later of two with one name winning."""
    found: dict[bytes, bytes] = {}
    for header in response.headers.getlist(b"Set-Cookie"):
        match = _PAIR.match(header)
        if match is None:
            continue
        name, value = match.groups()
        found[name] = value
    return found


class CookieCheckMiddleware:
    """A downloader middleware placed before Scrapy's redirect middleware (a higher number):
    see the module's docstring."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.jar: dict[str, dict[bytes, bytes]] = {}  # netloc -> cookies its site set

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        cookies = self.jar.get(urlparse_cached(request).netloc)
        if cookies and b"Cookie" not in request.headers:
            request.headers[b"Cookie"] = b"; ".join(k + b"=" + v for k, v in cookies.items())

    def process_response(self, request: Request, response: Response) -> Request | Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECTS or location is None:
            return response
        if not _same_url(urljoin(request.url, location.decode("latin-1").strip()), request.url):
            return response  # Scrapy's redirect middleware follows it
        netloc = urlparse_cached(request).netloc
        cookies = set_cookies(response)
        if cookies and not request.meta.get(CHECKED):
            jar = self.jar.setdefault(netloc, {})
            if not jar:
                logger.info(
                    "%s redirects a page to itself setting cookie %s (a cookie check): the "
                    "crawl sends that host its cookies",
                    netloc,
                    ", ".join(sorted(n.decode("ascii") for n in cookies)),
                )
            for name, value in cookies.items():
                kept = sum(len(k) + len(v) for k, v in jar.items() if k != name)
                if kept + len(name) + len(value) <= MAX_COOKIE_BYTES:
                    jar[name] = value
            stats = self.crawler.stats
            if stats is not None:
                stats.inc_value(f"archive/{outcome.COOKIE_CHECKS}")
            again = request.replace(dont_filter=True, meta={**request.meta, CHECKED: True})
            again.headers.pop(b"Cookie", None)  # process_request writes the host's cookies anew
            return again
        why = "even with the cookie it set" if request.meta.get(CHECKED) else "setting no cookie"
        raise IgnoreRequest(f"the page redirects to itself (HTTP {response.status}), {why}")
