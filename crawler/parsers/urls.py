"""URL helpers of the parsers: absolute, repaired and on-site URLs.

- The article and listing id rules and the canonical article URL belong to the portal
  (:mod:`crawler.portals.most`); they are re-exported here under their old names for the
  parsers' callers.
- A URL is "on the site" when its host, ignoring a leading ``www.`` and letter case, and its port
  (default ports ignored) match the page's. Such URLs are rewritten onto the page's own scheme and
  host; offsite URLs are kept as written. Percent-encoding is never touched.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

from crawler.parsers.text import encode_controls
from crawler.portals.most import article_id_from_url, category_id_from_url
from crawler.portals.most import canonical_article_url as canonical_url

__all__ = [
    "absolute_url",
    "article_id_from_url",
    "canonical_url",
    "category_id_from_url",
    "is_web_url",
    "join_url",
    "repair_url",
    "same_site",
]

# "http:www.most.gov.vn/…" and "https:/most.gov.vn/…" as found in feeds (SITE.md §9.4).
_MISSING_SLASHES = re.compile(r"^(https?):/{0,1}(?!/)", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}


# An http(s) URL of printable ASCII whose host part holds only host-name characters: urlsplit
# reads it as these groups (nothing to trim, remove or validate first).
_PRINTABLE = re.compile(r"[!-~]+")
_PLAIN_HTTP = re.compile(r"(https?)://([A-Za-z0-9.:\-]+)(?=[/?#]|$)([^?#]*)")


def split_path(url: str) -> tuple[str, str, str]:
    """(scheme, netloc, path) of ``url`` exactly as ``urlsplit`` gives them (and its
    ``ValueError``), without its general machinery for the plain http(s) URLs pages hold."""
    if _PRINTABLE.fullmatch(url):
        plain = _PLAIN_HTTP.match(url)
        if plain is not None:
            return plain.group(1), plain.group(2), plain.group(3)
    parts = urlsplit(url)
    return parts.scheme, parts.netloc, parts.path


def repair_url(url: str) -> str:
    """Fix the malformed ``http:host/path`` links feeds carry; other URLs are returned trimmed."""
    url = url.strip()
    return _MISSING_SLASHES.sub(lambda m: m.group(1) + "://", url, count=1)


def join_url(href: str, page_url: str) -> str | None:
    """``href`` made absolute against the page as written (``urljoin``: no host moved, unlike
    :func:`absolute_url`), or None when urllib cannot read it (``http://[::1``, a host that
    NFKC-normalises to a delimiter such as ``http://a＃b/``: ``ValueError``)."""
    try:
        return urljoin(page_url, href)
    except ValueError:
        return None


def _site_key(parts: SplitResult) -> tuple[str, int | None] | None:
    try:
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    if port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        port = None
    return host, port


@lru_cache(maxsize=64)
def _page(page_url: str) -> tuple[str, str, tuple[str, int | None] | None]:
    """(scheme, netloc, site key) of a page URL, computed once per page."""
    if _PRINTABLE.fullmatch(page_url):
        plain = _PLAIN_HTTP.match(page_url)
        if plain is not None:  # the site key from the scheme and host alone, cached per site
            scheme, netloc = plain.group(1), plain.group(2)
            key = _host_key(scheme, netloc)
            if key is not False:
                return scheme, netloc, key  # type: ignore[return-value]
    try:
        parts = urlsplit(page_url)
    except ValueError:
        return "", "", None
    return parts.scheme, parts.netloc, _site_key(parts)


def same_site(url: str, page_url: str) -> bool:
    """True when ``url`` is on the page's site (host ignoring ``www.``, any http(s) scheme)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        return False
    key = _site_key(parts)
    return key is not None and key == _page(page_url)[2]


@lru_cache(maxsize=256)
def _host_key(scheme: str, netloc: str) -> tuple[str, int | None] | bool | None:
    """The site key of ``scheme://netloc`` (None: no key; False: urlsplit rejects it)."""
    try:
        return _site_key(urlsplit(f"{scheme}://{netloc}"))
    except ValueError:
        return False


@lru_cache(maxsize=4096)
def absolute_url(href: str, page_url: str) -> str:
    """``href`` made absolute against the page; on-site URLs moved onto the page's scheme+host.

    Control characters in ``href`` are percent-encoded (as a browser does), never kept.
    """
    href = encode_controls(href.strip())
    scheme, netloc, key = _page(page_url)
    lowered = href[:8].lower()
    if (
        (lowered == "https://" or lowered[:7] == "http://")
        and scheme
        and netloc
        and not ("?" in href or "#" in href or "\t" in href or "\n" in href)
    ):
        # The usual absolute http(s) URL, without urlsplit: its host decides (cached per host).
        start = href.index("//") + 2
        slash = href.find("/", start)
        host = href[start:] if slash < 0 else href[start:slash]
        found = _host_key(href[: start - 3].lower(), host)
        if found is False:
            return href  # urlsplit rejects it: kept as written
        if found != key:
            return href  # offsite: kept as written
        return f"{scheme}://{netloc}{href[slash:] if slash >= 0 else ''}"
    if not (scheme and netloc):
        try:
            return urljoin(page_url, href)
        except ValueError:
            return href
    if (
        href.startswith("/")
        and not href.startswith("//")
        and "/." not in href
        and "?" not in href
        and "#" not in href
    ):
        return f"{scheme}://{netloc}{href}"  # root-relative, the site's usual form
    try:
        target = href if href[:5].lower() in ("http:", "https") else urljoin(page_url, href)
        parts = urlsplit(target)
    except ValueError:
        return href
    if parts.scheme.lower() not in _DEFAULT_PORTS or _site_key(parts) != key:
        return target  # offsite (or not http): kept as written
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment))


def is_web_url(url: str) -> bool:
    """True for an absolute http(s) URL: the only kind an image or attachment may have."""
    return url[:7].lower() == "http://" or url[:8].lower() == "https://"
