"""XML sitemaps (sitemaps.org 0.9): an index of shards, or a shard listing pages.

mst.gov.vn's ``/sitemap.xml`` is a ``<sitemapindex>`` whose ``<loc>`` entries are dated shards
``/sitemaps/sitemaps-{yyyy}-{m}-{d1}-{d2}.xml``, each a ``<urlset>`` of articles with a
``<lastmod>`` in +07:00 and, on sibling sites, ``<image:image>`` children (SITE-mst.md §3.3).
Read tolerantly: namespaces optional, whitespace and CDATA around values, a truncated file gives
the entries before the cut, anything that is not a sitemap gives an empty result. A gzipped file
(``sitemaps-….xml.gz``, which sitemaps.org allows and the HTTP layer hands over undecoded, as it
comes without ``Content-Encoding``) is read inflated, up to the protocol's 50 MB.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Literal

from lxml import etree

from crawler.parsers.document import elements, xml_input
from crawler.parsers.urls import join_url

_XML = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)
ENTRIES = etree.XPath("/*/*[local-name()='sitemap' or local-name()='url']")
LOC = etree.XPath("./*[local-name()='loc']")
LASTMOD = etree.XPath("./*[local-name()='lastmod']")
IMAGE_LOC = etree.XPath("./*[local-name()='image']/*[local-name()='loc']")
VN = timezone(timedelta(hours=7))
CLOSING = re.compile(rb"</[^<>]*>$")
GZIP_MAGIC = b"\x1f\x8b"
# sitemaps.org: a sitemap holds at most 50,000 URLs and 50 MB uncompressed; a gzip stream that
# inflates past it is no sitemap (a decompression bomb is not inflated further).
MAX_INFLATED = 50 * 1024 * 1024

SitemapKind = Literal["index", "urlset"]


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<sitemap>`` (of an index) or ``<url>`` (of a shard)."""

    loc: str  # absolute URL as written
    lastmod: str | None  # ISO 8601 in +07:00 ("2026-06-15T00:00:00+07:00"), None if absent/bad
    images: tuple[str, ...] = ()  # <image:image><image:loc> values, absolute


@dataclass
class Sitemap:
    kind: SitemapKind | None  # None: not a sitemap at all
    entries: list[SitemapEntry] = field(default_factory=list)

    def newest_first(self) -> list[SitemapEntry]:
        """The entries by ``lastmod``, newest first; undated ones last, in document order."""
        dated = [e for e in self.entries if e.lastmod]
        undated = [e for e in self.entries if not e.lastmod]
        return sorted(dated, key=lambda e: e.lastmod or "", reverse=True) + undated


def _local_name(node: etree._Element) -> str:
    """The tag without its namespace or prefix (a recovering parser may keep ``image:caption``
    as a tag name, which ``etree.QName`` refuses)."""
    return str(node.tag).rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _inflated(data: bytes | str) -> bytes | str | None:
    """The bytes of a gzipped sitemap inflated (those before the cut of a stream cut short),
    other input as it is; None for a gzip stream that is broken or inflates past the limit."""
    if not isinstance(data, bytes) or not data.startswith(GZIP_MAGIC):
        return data
    stream = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        inflated = stream.decompress(data, MAX_INFLATED)
    except zlib.error:
        return None
    return None if stream.unconsumed_tail else inflated


def _root(data: bytes | str) -> tuple[etree._Element | None, bool]:
    """The root element, and whether the document ends with its closing tag (not cut short)."""
    unpacked = _inflated(data)
    if unpacked is None:
        return None, False
    raw = xml_input(unpacked).strip()
    if not raw:
        return None, False
    try:
        root = etree.fromstring(raw, _XML)
    except (etree.XMLSyntaxError, ValueError):
        return None, False
    if not isinstance(root, etree._Element) or not isinstance(root.tag, str):
        return None, False
    name = _local_name(root).encode()
    complete = CLOSING.search(raw[-64:]) is not None and name in raw[-64:]
    return root, complete


def _text(selector: etree.XPath, node: etree._Element) -> str:
    found = elements(selector, node)
    return (found[0].text or "").strip() if found else ""


def normalise_lastmod(value: str) -> str | None:
    """W3C datetime → ISO 8601 in +07:00; a value without a zone is taken as Vietnam time."""
    value = value.strip()
    if not value:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN)
    try:
        return moment.astimezone(VN).replace(microsecond=0).isoformat()
    except OverflowError:  # 9999-12-31T23:00-05:00 is past what a datetime holds in +07:00
        return None


def _absolute(loc: str, url: str) -> str | None:
    return join_url(loc, url) if loc else None


def parse_sitemap(xml: bytes | str, url: str) -> Sitemap:
    """The index or shard at ``url``: its kind and entries in document order (one per loc)."""
    root, complete = _root(xml)
    if root is None:
        return Sitemap(None)
    name = _local_name(root).lower()
    kind: SitemapKind | None = (
        "index" if name == "sitemapindex" else "urlset" if name == "urlset" else None
    )
    if kind is None:
        return Sitemap(None)
    seen: dict[str, SitemapEntry] = {}
    for node in elements(ENTRIES, root):
        loc = _absolute(_text(LOC, node), url)
        if loc is None or loc in seen:
            continue
        images = (_absolute((i.text or "").strip(), url) for i in elements(IMAGE_LOC, node))
        seen[loc] = SitemapEntry(
            loc=loc,
            lastmod=normalise_lastmod(_text(LASTMOD, node)),
            images=tuple(dict.fromkeys(i for i in images if i)),
        )
    entries = list(seen.values())
    if not complete and entries:
        entries.pop()  # cut short: the last entry's URL may be cut too
    return Sitemap(kind, entries)
