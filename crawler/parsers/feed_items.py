"""RSS 2.0 (and Atom) items with their dates, as mst.gov.vn's ``/rss/*.rss`` feeds give them.

An item: ``<title>``, ``<link>`` (the full article URL), ``<description>`` (CDATA sapo, sometimes
led by ``<a><img></a>``) and ``<pubDate>`` in one of two forms (SITE-mst.md §3.4):

- RFC 822: ``Sun, 12 Jul 2026 07:00:00 +0700`` (any zone; converted to +07:00);
- the zone-less .NET form ``10/2/2026 9:25:00 AM`` = M/d/yyyy h:mm:ss tt, Vietnam time.

Atom entries are read too (``link[href]``, ``summary``, ``published`` / ``updated``).
:func:`crawler.parsers.feeds.parse_rss` stays the link-only reader of the SharePoint feeds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from lxml import etree

from crawler.parsers.document import elements, load, text_of, xml_input
from crawler.parsers.text import clean
from crawler.parsers.urls import absolute_url, repair_url

_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
ITEMS = etree.XPath("//*[local-name()='item' or local-name()='entry']")
TITLE = etree.XPath("./*[local-name()='title']")
LINK = etree.XPath("./*[local-name()='link']")
SUMMARY = etree.XPath(
    "./*[local-name()='description' or local-name()='summary' or local-name()='content']"
)
DATE = etree.XPath(
    "./*[local-name()='pubDate' or local-name()='published' or local-name()='updated'"
    " or local-name()='date']"
)
VN = timezone(timedelta(hours=7))
# M/d/yyyy h:mm[:ss] [AM|PM]: the zone-less .NET form, Vietnam time.
DOTNET = re.compile(
    r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?\s*$"
)
# A zone of hours only, "+07": PHP's date("… T") in a zone without an abbreviation
# (Asia/Ho_Chi_Minh), as the family's feed template writes pubDate. RFC 822 wants "+0700"; the
# standard library reads "+07" as seven minutes.
HOURS_ZONE = re.compile(r"(\s[+-]\d{2})\s*$")


@dataclass(frozen=True)
class FeedItem:
    url: str  # the item's link, absolute (repaired when malformed)
    title: str
    summary: str  # the description's text, HTML stripped
    published_at: str | None  # ISO 8601 in +07:00 (seconds kept), None when absent or unreadable


def parse_pubdate(value: str) -> str | None:
    """A feed date (RFC 822, the .NET ``M/d/yyyy h:mm:ss tt`` form, or ISO 8601) in +07:00."""
    value = value.strip()
    if not value:
        return None
    moment: datetime | None = None
    dotnet = DOTNET.match(value)
    if dotnet:
        month, day, year, hour, minute, second, ampm = dotnet.groups()
        hours = int(hour)
        if ampm:
            if not 1 <= hours <= 12:
                return None
            hours = hours % 12 + (12 if ampm.lower() == "pm" else 0)
        try:
            moment = datetime(
                int(year), int(month), int(day), hours, int(minute), int(second or 0), tzinfo=VN
            )
        except ValueError:
            return None
    else:
        try:
            moment = parsedate_to_datetime(HOURS_ZONE.sub(r"\g<1>00", value))
        except (TypeError, ValueError, IndexError, OverflowError):
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VN)
    try:
        return moment.astimezone(VN).replace(microsecond=0).isoformat()
    except (OverflowError, ValueError):
        return None


def _root(data: bytes | str) -> etree._Element | None:
    raw = xml_input(data).lstrip()
    if not raw:
        return None
    try:
        root = etree.fromstring(raw, _XML)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return root if isinstance(root, etree._Element) else None


def _text(selector: etree.XPath, node: etree._Element) -> str:
    found = elements(selector, node)
    return text_of(found[0]) if found else ""


def _link(node: etree._Element) -> str:
    links = elements(LINK, node)
    for link in links:  # Atom: the alternate link (or the only one)
        if link.get("href") and link.get("rel", "alternate") == "alternate":
            return link.get("href", "")
    return (links[0].text or links[0].get("href") or "") if links else ""


def _plain(markup: str) -> str:
    """The text of a description that may hold HTML (``<a><img></a>`` then the sapo)."""
    if "<" not in markup:
        return clean(markup)
    root = load(f"<div>{markup}</div>")
    return clean(text_of(root)) if root is not None else clean(markup)


def parse_feed_items(xml: bytes | str, url: str) -> list[FeedItem]:
    """The items of an RSS 2.0 or Atom feed, in feed order, once per link."""
    root = _root(xml)
    if root is None:
        return []
    found: dict[str, FeedItem] = {}
    for node in elements(ITEMS, root):
        href = _link(node).strip()
        if not href:
            continue
        link = absolute_url(repair_url(href), url)
        if link in found:
            continue
        found[link] = FeedItem(
            url=link,
            title=clean(_text(TITLE, node)),
            summary=_plain(_text(SUMMARY, node)),
            published_at=parse_pubdate(_text(DATE, node)),
        )
    return list(found.values())
