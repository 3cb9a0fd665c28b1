"""Hostile values never make a parser raise or hang.

A parser that raises on a page makes the crawl record a failure of that page
(``crawler.middlewares.CallbackErrorsMiddleware``): the page is never archived and every run
ends ``partial`` for as long as the server sends it; a parser that takes seconds on one page
(catastrophic regex backtracking, a quadratic loop) stalls the crawl.

The harness takes real pages (the fixtures in ``tests/fixtures/pages`` at their recorded URLs,
and replica pages rendered in-process: SharePoint home, listings, articles, RSS and web
service; mst home, zone, ``trang-N``, timeline fragment, sitemap index and shard, RSS,
articles), substitutes hostile values into what the parsers read (dates, ids and page numbers,
URLs in attributes, text, raw character references, the declared charset, XML fields, 1 MB
values in regex-facing fields), and calls every public entry point of the parsers on each page.
The URL and id rules of the portals, the text and date helpers are called on every hostile
value. Asserted: no exception, every string returned encodes as UTF-8 (storable), and each call
ends within :data:`HANG_GUARD_S`.

Below the harness: one focused test per hostile value that once made a parser raise, named
after the value.
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
import time
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import crawler.portals as portals
from crawler.items import Listing
from crawler.parsers import (
    feed_links,
    page_links,
    parse_article,
    parse_feed_items,
    parse_home,
    parse_listing,
    parse_rss,
    parse_sitemap,
    parse_webservice_posts,
    parse_zone,
    portal_of_page,
)
from crawler.parsers import mst as mst_parser
from crawler.parsers.completeness import incomplete, kind_of
from crawler.parsers.dates import (
    parse_day_first,
    parse_day_first_date,
    parse_iso_local,
    parse_month_name,
    to_minute,
)
from crawler.parsers.feed_items import parse_pubdate
from crawler.parsers.sitemaps import normalise_lastmod
from crawler.parsers.text import clean, declared_charset, encode_controls, strip_controls, to_utf8
from crawler.parsers.urls import absolute_url, is_web_url, join_url, repair_url, same_site
from crawler.portals import most, mst, portal_of_host

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
REPLICA_BASE = "http://127.0.0.1:8765"  # a name only: the replica renders in-process

# A hang guard, not a speed goal (those live in benchmarks): a ReDoS or a quadratic loop costs
# minutes to hours on these inputs (the two this harness found: quadratic and 2^n), a call here
# takes milliseconds (under 0.4 s on 1 MB; a one-off 1-2 s when the generic fallback first
# imports trafilatura and dateparser loads its locales), so a bound this generous cannot flake
# on a loaded machine and still catches a hang.
HANG_GUARD_S = 10.0
MEGA = 1 << 20

# --- the hostile values ----------------------------------------------------------------------
DATES = (
    "0000-00-00T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:00:00-05:00",
    "9999-12-31T23:59:59.999999-12:00",
    "99999-01-01T00:00:00",
    "2025-02-30T10:00:00+07:00",
    "2025-07-04T25:61:00+07:00",
    "2025-07-04T10:00:00+99:99",
    "2025-07-04T10:00:00-24:00",
    "2025-07-04T10:00:00+2400",
    "2025-07-04T10:00:00." + "9" * 40 + "+07:00",
    "2025-07-04 10:19:00 +0000000",
    "+002025-07-04",
    "-0001-01-01",
    "2025-W27-5",
    "٢٠٢٥-٠٧-٠٤T١٠:١٩:٠٠+٠٧:٠٠",
    "30/02/2025 25:61",
    "00/00/0000 00:00",
    "31/12/9999 23:59",
    "01/01/0001 00:00",
    "07/12/2017 99:99 PM",
    "١٢/٠٧/٢٠١٧ ١٠:٢١",
    "Sun, 12 Jul 99999 07:00:00 +0700",
    "Fri, 31 Dec 9999 23:59:59 -1200",
    "Mon, 01 Jan 0001 00:00:00 +1400",
    "Sun, 12 Jul 2026 07:00:00 +9999",
    "2/30/2026 9:25:00 AM",
    "12/31/9999 11:59:59 PM",
    "1/1/0001 12:00:00 AM",
    "13/13/2026 13:00:00 PM",
    "December 31, 9999 11:59 PM",
    "January 01, 0001 0:00 AM",
    "Feb 30, 2025",
    "1" * 5000,
    "9" * 30 + "-01-01",
    "",
    " ",
    "2025-07-04T10:19:00\x00+07:00",
)
IDS = (
    "1" * 25,
    "9" * 19,
    "0",
    "-1",
    "١٢٣",
    "١٩٧٢٥٠٧٠٤١٠١٩٢٩٩٩٥",
    "²³",
    "0" * 18,
    "1" * 5000,
    "",
    "1e5",
    "+5",
    " 7 ",
)
URLS = (
    "http://[::1",
    "http://[::1]:99999/",
    "http://]/",
    "https://[v1.x]/",
    "http://a:99999/",
    "http://a:-1/",
    "http://a:١٢/",
    "http://a:80:80/",
    "http://%zz/",
    "%",
    "http://a/%",
    "javascript:alert(1)",
    "JaVaScRiPt:x",
    "data:text/html,<b>x</b>",
    "mailto:",
    "http://x/" + "a" * 10_000,
    "http://a" + "/" * 10_000,
    "http://a/?" + "&" * 5000,
    "http://" + "a." * 3000 + "vn/",
    "http://a\x00b/x",
    "http://a\x01\x7f/\x1b[31m",
    "http://a/\n/b",
    "\t\nhttp://a/",
    "http://\u202egoogle.com/",
    "http://xn--/",
    "http://xn--zz-/",
    "http://xn--a.xn--b/",
    "http://é.vn/",
    "http://a\uff03b/",
    "http://1.2.3.4.5/",
    "http://999.1.1.1/",
    "http://1.1.1." + "1" * 5000 + "/",
    "http://0x7f.1/",
    "\\\\evil\\x",
    "http:\\\\evil\\x",
    "//evil.com/x",
    "//",
    "///",
    "http:",
    "http://",
    "https:/x",
    "http:www.most.gov.vn/vn/tin-tuc/1/x.aspx",
    "",
    " ",
    "#",
    "?page=" + "9" * 30,
    "/vn/tin-tuc/" + "9" * 25 + "/x.aspx",
    "/vn/chuyen-muc/" + "9" * 25 + "/x.aspx",
    "/vn/Pages/chitiettin.aspx?IDNews=" + "1" * 5000,
    "/x-" + "1" * 5000 + ".htm",
    "/x-" + "١" * 18 + ".htm",
    "/timelinelist/0/2.htm",
    "/timelinelist/" + "1" * 30 + "/2.htm",
    "/tin-tuc-su-kien/x/trang-" + "9" * 30 + ".htm",
    "/tin-tuc-su-kien/x/trang-0.htm",
    "/sitemaps/sitemaps-9999-99-99-99.xml",
)
TEXTS = (
    "\x00",
    "a\x00" * 500,
    "\u202e\u2066x\u2069",
    "\ufeff" * 100,
    "\u2028\u2029\x85" * 100,
    "\u0301" * 5000,
    "Nguồn: " + "a" * 5000,
    "Theo " + "a " * 5000,
    "(" * 10_000,
    "Ảnh:" * 5000,
    "Trang 2/" + "9" * 5000,
    "Thứ Năm, 07/12/2017\xa0" + "1" * 5000,
    " - " * 3000 + "Bộ Khoa học và Công nghệ",
)
# Written into the markup as they are: character references the readers resolve themselves.
MARKUP = (
    "&#xD800;",
    "&#55296;",
    "&#0;",
    "&#x110000;",
    "&#99999999999999999999;",
    "&#xFFFE;",
    "&#x1b;[31m",
    "&#x202e;",
    "&#xFEFF;",
    "&nbsp",
    "<![CDATA[x]]>",
    "<?x?>",
    "\x0c",
)
CHARSETS = (
    "rot13",
    "utf-7",
    "idna",
    "punycode",
    "base64",
    "zlib",
    "utf-16",
    "utf-32-be",
    "unicode-escape",
    "cp037",
    "undefined",
    "iso-2022-jp",
    "x" * 1000,
    "",
)
# Around the whole document: what the completeness check and the readers' sniffing look at.
ENDS = (
    "<!---->" * 60,
    "<!-- -->" * 60 + "<!--",
    "<?x ?>" * 60,
    "<!DOCTYPE x>" * 60,
    "\ufeff",
    "\x00" * 100,
    "</html>" * 100,
    "<![CDATA[" * 100,
    "<" * 5000,
)
# 1 MB values for the fields regular expressions read.
LONG = (
    "1" * MEGA,
    " " * MEGA,
    "01/01/2025 " * (MEGA // 11),
    "\xa0" * MEGA,
    "September 9, " * (MEGA // 13),
    "2025-07-04T" * (MEGA // 11),
    "Nguồn: " + "a:" * (MEGA // 2),
    "Theo " + "a " * (MEGA // 2),
    "a" * MEGA + "!",
)


# --- the pages -------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Doc:
    name: str
    url: str
    text: str  # the page as text (bytes decoded with "replace"), for substitutions
    family: str  # "most-article", "mst-article", "listing", "discovery" or "xml"


@cache
def corpus() -> tuple[Doc, ...]:
    """The fixtures at their recorded URLs, and replica pages of both portals."""
    docs: list[Doc] = []
    for case in sorted(PAGES.iterdir()):
        expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
        text = (case / "page.html").read_bytes().decode("utf-8", "replace")
        family = "mst-article" if case.name.startswith("mst-") else "most-article"
        if expected["kind"] == "listing":
            family = "listing"
        docs.append(Doc(case.name, expected["page_url"], text, family))
    return (*docs, *_replica_docs())


def _replica_docs() -> Iterator[Doc]:
    from replica.mst.site import MstSite
    from replica.site import Site

    def render(site: Any, path: str, name: str, family: str) -> Doc:
        status, _headers, body = site.render("GET", path, {})
        assert status == 200 and body, (name, path, status)
        return Doc(name, REPLICA_BASE + path, bytes(body).decode("utf-8", "replace"), family)

    def article_path(site: Any, site_id: int) -> str:
        return urlsplit(str(site.truth(site_id)["url"])).path

    most_site = Site(articles=20, seed=1, base_url=REPLICA_BASE)
    category = most_site.categories()[0]
    listing = urlsplit(str(category["url"])).path
    yield render(most_site, "/vn/Pages/Trangchu.aspx", "most-home", "discovery")
    yield render(most_site, listing, "most-listing", "listing")
    yield render(most_site, listing + "?page=2", "most-listing-2", "listing")
    for site_id in most_site.article_ids()[:2]:
        yield render(most_site, article_path(most_site, site_id), f"most-{site_id}", "most-article")
    yield render(most_site, f"/rss/{category['id']}/x.rss", "most-rss", "xml")
    yield render(most_site, most.WEBSERVICE_PATH, "most-webservice", "xml")

    mst_site = MstSite(articles=60, seed=1, base_url=REPLICA_BASE)
    yield render(mst_site, "/", "mst-home", "discovery")
    zone = max(mst_site.zones(), key=lambda z: int(z["last_page"]))  # one with a page 2
    path = urlsplit(str(zone["url"])).path
    yield render(mst_site, path, "mst-zone", "discovery")
    yield render(mst_site, path[: -len(".htm")] + "/trang-2.htm", "mst-trang", "discovery")
    yield render(mst_site, f"/timelinelist/{zone['id']}/2.htm", "mst-timeline", "discovery")
    index = render(mst_site, "/sitemap.xml", "mst-sitemap", "xml")
    yield index
    shard = re.search(r"<loc>\s*(?:<!\[CDATA\[)?\s*([^<\]\s]+)", index.text)
    assert shard is not None
    yield render(mst_site, urlsplit(shard.group(1)).path, "mst-shard", "xml")
    yield render(mst_site, "/rss/home.rss", "mst-rss", "xml")
    for site_id in mst_site.article_ids()[:2]:
        yield render(mst_site, article_path(mst_site, site_id), f"mst-{site_id}", "mst-article")


# --- substitutions: (page text, hostile value) -> page text, or None when it has no such slot ---
Substitution = Callable[[str, str], "str | None"]

_URL_ATTRS = re.compile(
    r"""(\s(?:href|src|data-src|data-original|content)\s*=\s*)(["'])(.*?)\2""", re.S | re.I
)
_NUMBER_ATTRS = re.compile(r"""(\s(?:value|selected)\s*=\s*)(["'])(.*?)\2""", re.S | re.I)
_NAME_ATTRS = re.compile(
    r"""(\s(?:class|id|data-role|type|rel|title|alt)\s*=\s*)(["'])(.*?)\2""", re.S | re.I
)
_DATE = re.compile(
    r"\d{1,4}[/-]\d{1,2}[/-]\d{2,4}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:\s*[AP]M)?)?"
    r"(?:Z|[+-]\d{2}:?\d{2})?|\w{3}, \d{1,2} \w{3} \d{4} [\d:]+ [+-]\d{4}"
)
_DIGITS = re.compile(r"\d{2,}")
_TEXT = re.compile(r">([^<>]{3,})<")
_XML_FIELD = re.compile(
    r"(<(loc|link|lastmod|pubDate|guid|title|description|published|updated)>)(.*?)(</\2>)", re.S
)
_CHARSET = re.compile(r"charset=[\w-]+|encoding=\"[\w-]+\"", re.I)


def _sub(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> Substitution:
    def substitute(page: str, value: str) -> str | None:
        del value  # bound in ``replace``
        changed = pattern.sub(replace, page)
        return changed if changed != page else None

    return substitute


def _attr(pattern: re.Pattern[str]) -> Substitution:
    def substitute(page: str, value: str) -> str | None:
        found = pattern.sub(
            lambda m: m.group(1) + m.group(2) + html.escape(value) + m.group(2), page
        )
        return found if pattern.search(page) else None

    return substitute


def _missing(pattern: re.Pattern[str]) -> Substitution:
    return lambda page, value: pattern.sub("", page) if pattern.search(page) else None


def _replace(pattern: re.Pattern[str], *, escape: bool = True, count: int = 0) -> Substitution:
    def substitute(page: str, value: str) -> str | None:
        text = html.escape(value) if escape else value
        return pattern.sub(lambda _: text, page, count=count) if pattern.search(page) else None

    return substitute


def _text(page: str, value: str) -> str | None:
    text = html.escape(value)
    return _TEXT.sub(lambda _: f">{text}<", page, count=20) if _TEXT.search(page) else None


def _raw_markup(page: str, value: str) -> str | None:
    """``value`` unescaped inside text and attribute values (character references resolve)."""
    page = _TEXT.sub(lambda m: f">{m.group(1)[:5]}{value}{m.group(1)[5:]}<", page, count=40)
    return _URL_ATTRS.sub(
        lambda m: (
            m.group(1)
            + m.group(2)
            + m.group(3)[:12]
            + value.replace(m.group(2), "")
            + m.group(3)[12:]
            + m.group(2)
        ),
        page,
    )


def _xml_field(page: str, value: str) -> str | None:
    if not _XML_FIELD.search(page):
        return None
    return _XML_FIELD.sub(lambda m: m.group(1) + html.escape(value) + m.group(4), page)


def _xml_cdata(page: str, value: str) -> str | None:
    if not _XML_FIELD.search(page):
        return None
    cdata = "<![CDATA[" + value.replace("]]>", "") + "]]>"
    return _XML_FIELD.sub(lambda m: m.group(1) + cdata + m.group(4), page)


def _charset(page: str, value: str) -> str | None:
    changed = _CHARSET.sub(
        lambda m: (
            f"charset={value}" if m.group().lower().startswith("charset") else f'encoding="{value}"'
        ),
        page,
    )
    return changed if changed != page else f'<meta charset="{value}">' + page


# Each slot with the hostile values written into it.
SLOTS: tuple[tuple[str, Substitution, tuple[str, ...]], ...] = (
    ("url attributes", _attr(_URL_ATTRS), URLS),
    ("url attributes missing", _missing(_URL_ATTRS), ("",)),
    ("number attributes", _attr(_NUMBER_ATTRS), IDS + DATES[:4]),
    ("name attributes", _attr(_NAME_ATTRS), ("", "x" * 300, "\x00", "\u202e")),
    ("name attributes missing", _missing(_NAME_ATTRS), ("",)),
    ("dates", _replace(_DATE), DATES),
    ("ids and page numbers", _replace(_DIGITS), IDS),
    ("text", _text, TEXTS),
    ("raw markup", _raw_markup, MARKUP),
    ("xml fields", _xml_field, URLS + DATES + TEXTS[:4] + IDS),
    ("xml fields as cdata", _xml_cdata, URLS[:20] + DATES[:10]),
    ("charset", _charset, CHARSETS),
    ("document start", lambda page, value: value + page, ENDS),
    ("document end", lambda page, value: page + value, ENDS),
)


# --- the entry points ------------------------------------------------------------------------
PageReader = Callable[[Any, str], object]


def _html_whole(data: bytes | str, url: str) -> object:
    return incomplete(to_utf8(data), "text/html"), kind_of(to_utf8(data), None)


def _xml_whole(data: bytes | str, url: str) -> object:
    return incomplete(to_utf8(data), "text/xml")


# Every public entry point of the parsers that reads a page (and the completeness check).
PAGE_READERS: tuple[PageReader, ...] = (
    parse_article,
    parse_listing,
    parse_home,
    parse_zone,
    page_links,
    feed_links,
    portal_of_page,
    parse_rss,
    parse_feed_items,
    parse_sitemap,
    parse_webservice_posts,
    _html_whole,
    _xml_whole,
)
# The readers a page of each family is fetched for.
FAMILY_READERS: dict[str, tuple[PageReader, ...]] = {
    "most-article": (parse_article, portal_of_page, _html_whole),
    "mst-article": (parse_article, portal_of_page, _html_whole),
    "listing": (parse_listing, parse_home, parse_article, _html_whole),
    "discovery": (parse_zone, page_links, feed_links, parse_home, portal_of_page, _html_whole),
    "xml": (parse_rss, parse_feed_items, parse_sitemap, parse_webservice_posts, _xml_whole),
}
# The URL and id rules (one argument: a URL).
URL_RULES: tuple[Callable[[str], object], ...] = (
    mst.article_id,
    mst.is_article_url,
    mst.host_of,
    mst.in_family,
    mst.is_media_url,
    mst.site_base,
    mst.canonical_article_url,
    mst.is_zone_url,
    mst.zone_slug,
    mst.is_shard_url,
    mst.is_feed_url,
    mst.listing_page_number,
    mst.timeline_zone_id,
    lambda url: mst.shard_sort_key(url, None),
    lambda text: mst.shard_sort_key("/sitemaps/sitemaps-2026-6-1-5.xml", text),  # a lastmod
    lambda url: mst.paged_zone_url(url, 2),
    lambda url: mst.next_page_urls(url, None),
    lambda url: mst.next_page_urls(url, 5),
    most.article_id_from_url,
    most.is_legacy_article_url,
    most.canonical_article_url,
    most.category_id_from_url,
    portal_of_host,
    portals.portal_for_article_url,
    portals.is_legacy_article_url,
    lambda url: portals.recorded_article_url(url, url),
    lambda url: [p.canonical_article_url(url) for p in portals.PORTALS],
    mst_parser.canonical_url,
    lambda url: mst_parser.canonical_url("https://mst.gov.vn/a-197250704101929995.htm", url),
    repair_url,
    is_web_url,
    encode_controls,
    lambda url: absolute_url(url, "https://www.most.gov.vn/vn/tin-tuc/1/x.aspx"),
    lambda url: absolute_url("/a/b.jpg", url),
    lambda url: absolute_url(url, url),
    lambda url: join_url(url, "https://mst.gov.vn/"),
    lambda url: join_url("x", url),
    lambda url: same_site(url, "https://mst.gov.vn/"),
    lambda url: same_site("https://mst.gov.vn/x", url),
)
TEXT_HELPERS: tuple[Callable[[str], object], ...] = (
    parse_day_first,
    parse_day_first_date,
    parse_month_name,
    parse_iso_local,
    to_minute,
    normalise_lastmod,
    parse_pubdate,
    clean,
    strip_controls,
    encode_controls,
    lambda value: to_utf8(value),
    lambda value: declared_charset(f'<meta charset="{value}">'.encode("utf-8", "replace")),
    lambda value: to_utf8(f'<meta charset="{value}"><p>\xe9</p>'.encode("utf-8", "replace")),
)


def _storable(found: object) -> None:
    """Every string in a parser's result encodes as UTF-8 (a lone surrogate does not)."""
    if isinstance(found, str):
        found.encode("utf-8")
    elif isinstance(found, (list, tuple)):
        for item in found:
            _storable(item)
    elif dataclasses.is_dataclass(found) and not isinstance(found, type):
        for item in dataclasses.fields(found):
            _storable(getattr(found, item.name))


def _call(label: str, function: Callable[..., object], *args: object) -> object:
    """``function(*args)``: an exception fails the test with ``label`` noted; so does a call
    longer than the hang guard."""
    start = time.perf_counter()
    try:
        found = function(*args)
    except BaseException as exc:
        exc.add_note(f"hostile input: {label}")
        raise
    elapsed = time.perf_counter() - start
    assert elapsed < HANG_GUARD_S, f"{elapsed:.1f} s (a hang?) on {label}"
    return found


def _read_page(
    label: str, data: bytes | str, url: str, readers: tuple[PageReader, ...] = PAGE_READERS
) -> None:
    for reader in readers:
        _storable(_call(label, reader, data, url))


# Slots only XML documents have; slots whose few values go into every XML document (the
# feeds, the sitemaps and the web service each read them their own way); slots that take an
# article page to the generic fallback (renamed markup: trafilatura, 30-100 ms a page, and its
# import, a second), left to the combined test there.
XML_SLOTS = frozenset(("xml fields", "xml fields as cdata"))
MARKUP_SLOTS = frozenset(("name attributes", "name attributes missing"))
EVERY_XML = frozenset(("raw markup",))


# Pages only the generic fallback (trafilatura) reads: 30-100 ms a page, and the first English
# date loads dateparser's locales (1-2 s). Read by the combined test, not once per value.
GENERIC_FALLBACK = frozenset(
    ("fallback-new-markup", "mst-fallback-renamed-body", "mst-fallback-family-hidden-inputs")
)


def _cases() -> Iterator[tuple[str, Doc, str]]:
    """Every (slot, hostile value) on one page of each family that has the slot (its pages in
    turn); the few values of :data:`EVERY_XML` slots on every XML document."""
    families: dict[str, list[Doc]] = {}
    for doc in corpus():
        if doc.name not in GENERIC_FALLBACK:
            families.setdefault(doc.family, []).append(doc)
    turns = dict.fromkeys(families, 0)
    for slot, substitute, values in SLOTS:
        for value in values:
            for family, docs in families.items():
                if (slot in XML_SLOTS and family != "xml") or (
                    slot in MARKUP_SLOTS and family.endswith("article")
                ):
                    continue
                every = family == "xml" and slot in EVERY_XML
                for step in range(len(docs)):
                    doc = docs[(turns[family] + step) % len(docs)]
                    page = substitute(doc.text, value)
                    if page is not None:
                        yield f"{doc.name}: {slot} = {value[:60]!r}", doc, page
                        if not every:
                            turns[family] += step + 1
                            break


# --- the harness -----------------------------------------------------------------------------
def test_the_corpus_holds_every_kind_of_page() -> None:
    names = {doc.name for doc in corpus()}
    assert len(names) > 100 and {"mst-timeline", "mst-shard", "most-webservice"} <= names


def test_every_hostile_value_in_every_slot() -> None:
    """Each hostile value in each slot of a real page, every entry point called on it."""
    count = 0
    for label, doc, page in _cases():
        data: bytes | str = page if "\ud800" in page else page.encode("utf-8")
        _read_page(label, data, doc.url, FAMILY_READERS[doc.family])
        count += 1
    assert count > 300  # every slot found a page


@settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(
    st.data(),
    st.integers(min_value=1, max_value=3),
    st.sampled_from((*URLS, "")),
)
def test_several_hostile_values_at_once_at_a_hostile_url(
    data: st.DataObject, count: int, url: str
) -> None:
    """Hostile values combined on one page, read at a hostile URL (or its own)."""
    doc = data.draw(st.sampled_from(corpus()))
    page = doc.text
    for _ in range(count):
        _slot, substitute, values = data.draw(st.sampled_from(SLOTS))
        page = substitute(page, data.draw(st.sampled_from(values))) or page
    if url.startswith("/"):
        url = "https://mst.gov.vn" + url
    _read_page(f"{doc.name} at {url[:60]!r}", page.encode("utf-8"), url or doc.url)


def test_url_and_id_rules_on_every_hostile_url() -> None:
    for value in URLS + IDS + DATES + TEXTS:
        for url in (value, "https://mst.gov.vn" + value, "https://www.most.gov.vn/" + value):
            for rule in URL_RULES:
                _call(f"{getattr(rule, '__qualname__', rule)}({url[:60]!r})", rule, url)
    for site_id in (0, 1, -1, 10**18, 10**30, 197_999_999_999_999_999, 19_799_999_999_999_999):
        _call(f"id {site_id}", mst.id_published_at, site_id)
        _call(f"id {site_id}", mst_parser.id_timestamp, site_id)


def test_date_and_text_helpers_on_every_hostile_value() -> None:
    for value in DATES + TEXTS + MARKUP + CHARSETS + IDS + URLS + LONG:
        # 1 MB values: the helpers that run regular expressions over a field's text
        for helper in TEXT_HELPERS if len(value) < MEGA else TEXT_HELPERS[:8]:
            _call(f"{getattr(helper, '__qualname__', helper)}({value[:60]!r})", helper, value)


# Pages with a field a regular expression reads, and where to write a 1 MB value into it.
LONG_FIELDS: tuple[tuple[str, re.Pattern[str], Callable[[Any, str], object]], ...] = (
    ("mst-", re.compile(r"(?<=<title>)[^<]*"), parse_article),
    ("mst-", re.compile(r"(?<=detail-time\">)[^<]*"), parse_article),
    ("mst-", re.compile(r"(?<=published_time\" content=\")[^\"]*"), parse_article),
    ("mst-", re.compile(r"(?<=<p>)[^<]*(?=</p>\s*</div>)"), parse_article),
    ("mst-", re.compile(r"(?<=class=\")[^\"]*"), parse_article),
    ("seed-article", re.compile(r"(?<=News_Time_Post\">)[^<]*"), parse_article),
    ("13-source-panel-label", re.compile(r"(?<=font-weight:bold\">)[^<]*"), parse_article),
    ("12-caption-anh-prefix", re.compile(r"(?<=<p>Ảnh: )[^<]*"), parse_article),
    ("listing-middle-page", re.compile(r"(?<=PagingInfo\">)[^<]*"), parse_listing),
    ("listing-middle-page", re.compile(r"(?<=listnews_item_date\"><span>)[^<]*"), parse_listing),
    ("mst-zone", re.compile(r"(?<=title=\")[^\"]*"), parse_zone),
    ("mst-shard", re.compile(r"(?<=<lastmod>)[^<]*"), parse_sitemap),
    ("mst-shard", re.compile(r"(?<=<loc>)[^<]*"), parse_sitemap),
    ("mst-rss", re.compile(r"(?<=<pubDate>)[^<]*"), parse_feed_items),
    (
        "most-webservice",
        re.compile(r"(?<=slug&quot;:&quot;)[^&]*|(?<=\"slug\":\")[^\"]*"),
        parse_webservice_posts,
    ),
)


@pytest.mark.parametrize(("page_name", "field", "reader"), LONG_FIELDS)
def test_a_1_mb_value_in_a_regex_facing_field(
    page_name: str, field: re.Pattern[str], reader: Callable[[Any, str], object]
) -> None:
    doc = next(d for d in corpus() if d.name.startswith(page_name) and field.search(d.text))
    for value in LONG[:3]:  # a run of digits, of spaces, of dates (all of them: the helpers)
        written = html.escape(value)
        page = field.sub(lambda _, text=written: text, doc.text, count=1)
        assert len(page) > MEGA
        _call(
            f"{doc.name}: {field.pattern[:40]} = {value[:20]!r}… (1 MB)",
            reader,
            page.encode("utf-8"),
            doc.url,
        )


# --- the findings: one test per hostile value that made a parser raise ----------------------
LISTING_URL = "https://www.most.gov.vn/vn/chuyen-muc/493/Tin-tong-hop.aspx"


def _listing_page(item_href: str, next_href: str) -> str:
    return (
        "<html><body><div id='x_pnListNews'><div class='listnews_item'>"
        f"<div class='listnews_item_title'><a href='{item_href}'>Tin</a></div></div>"
        "<div class='listnews_item'><div class='listnews_item_title'>"
        "<a href='/vn/tin-tuc/7/b.aspx'>Tin hai</a></div></div></div>"
        "<div class='Paging'><span>1</span><span>2</span><span>3</span><span>4</span>"
        f"<span><a id='x_lkNext2' href='{next_href}'>Sau</a></span></div></body></html>"
    )


def test_listing_href_http_unclosed_ipv6_bracket() -> None:
    """``http://[::1``: urljoin raises ValueError (Invalid IPv6 URL); the link is no item."""
    listing = parse_listing(_listing_page("http://[::1", "http://[::1"), LISTING_URL)
    assert listing is not None
    assert [i.url for i in listing.items] == ["https://www.most.gov.vn/vn/tin-tuc/7/b.aspx"]
    assert listing.next_url is None


def test_listing_href_host_nfkc_fullwidth_number_sign() -> None:
    """``http://a＃b/``: a host that NFKC-normalises to ``a#b`` (urljoin raises ValueError)."""
    listing = parse_listing(
        _listing_page("http://a\uff03b/", "http://a\uff03b/?page=2"), LISTING_URL
    )
    assert listing is not None
    assert [i.url for i in listing.items] == ["https://www.most.gov.vn/vn/tin-tuc/7/b.aspx"]
    assert listing.next_url is None


MOST_ARTICLE_URL = "https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx"


def test_body_link_host_dotted_quad_with_a_5000_digit_label() -> None:
    """``http://1.1.1.111…1/`` (5,000 digits): ``int()`` refuses a string of over 4,300 digits
    (ValueError) where body_html asked whether the host is an IPv4 address."""
    href = "http://1.1.1." + "1" * 5000 + "/"
    page = f"<html><body><div id='divArticleDescription2'><p>Text <a href='{href}'>x</a></p></div>"
    article = parse_article(page + "</body></html>", MOST_ARTICLE_URL)
    assert article is not None
    assert article.body == ["Text x"]


WEBSERVICE_URL = "https://www.most.gov.vn/_layouts/15/WebService/Getdataportal.asmx/GetListposts"
SLUG = '{"slug": "/vn/tin-tuc/13245/x.aspx"}'


def test_webservice_json_number_of_5000_digits() -> None:
    """A post with a 5,000-digit number: json.loads raised ValueError (int() refuses over 4,300
    digits), not the JSONDecodeError the parser caught; the slugs are still read."""
    payload = f'[{SLUG[:-1]}, "id": {"1" * 5000}}}]'
    urls = parse_webservice_posts(f"<string>{payload}</string>", WEBSERVICE_URL)
    assert urls == ["https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx"]


def test_webservice_json_nested_100000_deep() -> None:
    """100,000 nested ``[``: json.loads raised RecursionError; the slugs are still read."""
    payload = "[" * 100_000 + SLUG + "]" * 100_000
    urls = parse_webservice_posts(f"<string>{payload}</string>", WEBSERVICE_URL)
    assert urls == ["https://www.most.gov.vn/vn/tin-tuc/13245/x.aspx"]


MST_ARTICLE_URL = "https://mst.gov.vn/tang-cuong-hop-tac-197250610083000131.htm"


def _mst_page(canonical: str) -> str:
    return (
        f"<html><head><link rel='canonical' href='{canonical}'></head><body>"
        "<h1 class='detail-title'>T</h1><div class='detail-content'><p>Body text.</p></div>"
        "</body></html>"
    )


def test_declared_canonical_id_of_5000_digits() -> None:
    """A canonical link ``/x-111…1.htm`` (5,000 digits): int() refused it (ValueError) where the
    parser compared its id with the page's."""
    article = parse_article(_mst_page("/x-" + "1" * 5000 + ".htm"), MST_ARTICLE_URL)
    assert article is not None
    assert article.url == MST_ARTICLE_URL


def test_declared_canonical_id_in_arabic_indic_digits() -> None:
    """A canonical link whose id is written ``١٩٧٢…`` (int() reads it as the page's id): the
    record's URL took those digits, and the portal's own rule then read no id from it."""
    arabic = "".join(chr(0x660 + int(c)) for c in "197250610083000131")
    article = parse_article(_mst_page(f"https://mst.gov.vn/khac-{arabic}.htm"), MST_ARTICLE_URL)
    assert article is not None
    assert article.url == MST_ARTICLE_URL
    assert mst.article_id(article.url) == 197250610083000131


def test_declared_canonical_id_with_a_leading_zero() -> None:
    """``/slug-0197…131.htm`` names another URL (19 digits, no article id): not the page's id."""
    article = parse_article(_mst_page("/khac-0197250610083000131.htm"), MST_ARTICLE_URL)
    assert article is not None
    assert article.url == MST_ARTICLE_URL


def test_next_page_of_timeline_zone_0() -> None:
    """``/timelinelist/0/2.htm``: zone 0 was read as no zone (``0 or zone_id``), then an
    ``assert`` raised AssertionError; with another zone given, that zone's page was asked."""
    page = "https://mst.gov.vn/timelinelist/0/2.htm"
    assert mst.next_page_urls(page, None) == ["https://mst.gov.vn/timelinelist/0/3.htm"]
    assert mst.next_page_urls(page, 7) == ["https://mst.gov.vn/timelinelist/0/3.htm"]


def test_next_page_of_timeline_zone_of_30_digits() -> None:
    """A zone id of 30 digits is no id (``to_int``): AssertionError without a zone given."""
    page = "https://mst.gov.vn/timelinelist/" + "1" * 30 + "/2.htm"
    assert mst.next_page_urls(page, None) == []
    assert mst.next_page_urls(page, 7) == ["https://mst.gov.vn/timelinelist/7/3.htm"]


def test_portal_urls_http_unclosed_ipv6_bracket() -> None:
    """``http://[::1``: urlsplit raises ValueError in the portals' host and base rules."""
    for url in ("http://[::1", "http://[::1/timelinelist/5/2.htm", "http://a\uff03b/x"):
        assert portal_of_host(url) is None
        assert mst.site_base(url) == ""
        assert mst.next_page_urls(url, 5) == []


@pytest.mark.parametrize("ref", ["&#xD800;", "&#55296;", "&#xdfff;", "&#x0DC00;"])
def test_xml_char_ref_to_a_surrogate(ref: str) -> None:
    """``&#xD800;`` in a feed, sitemap or web service answer: libxml2's recovering XML reader
    kept the surrogate's bytes and lxml raised UnicodeDecodeError reading the text; it is read
    as U+FFFD, as the HTML reader does."""
    rss = (
        f"<rss><channel><item><title>T{ref}</title><link>https://mst.gov.vn/a{ref}-197250704101929995.htm"
        "</link><pubDate>Sun, 12 Jul 2026 07:00:00 +0700</pubDate></item></channel></rss>"
    )
    url = "https://mst.gov.vn/a\ufffd-197250704101929995.htm"
    assert parse_rss(rss, "https://mst.gov.vn/rss/home.rss") == [
        "https://mst.gov.vn/a\ufffd-197250704101929995.htm"
    ]
    items = parse_feed_items(rss.encode(), "https://mst.gov.vn/rss/home.rss")
    assert [(i.url, i.title) for i in items] == [(url, "T\ufffd")]
    sitemap = (
        f"<urlset><url><loc>https://mst.gov.vn/a{ref}-197250704101929995.htm</loc></url></urlset>"
    )
    found = parse_sitemap(sitemap.encode(), "https://mst.gov.vn/sitemap.xml")
    assert [e.loc for e in found.entries] == ["https://mst.gov.vn/a\ufffd-197250704101929995.htm"]
    asmx = f'<string>[{{"slug": "/vn/tin-tuc/1/a{ref}.aspx"}}]</string>'
    assert parse_webservice_posts(asmx.encode(), WEBSERVICE_URL) == [
        "https://www.most.gov.vn/vn/tin-tuc/1/a\ufffd.aspx"
    ]


@pytest.mark.parametrize(
    "json_text",
    ['[{"slug": "/vn/tin-tuc/1/a\\ud800.aspx"}]', '{"slug": "/vn/tin-tuc/1/a\\udfff.aspx", '],
)
def test_webservice_json_escape_of_a_lone_surrogate(json_text: str) -> None:
    """``"\\ud800"`` in a post's slug: json.loads gives a lone surrogate, which no URL can hold
    (UTF-8 cannot encode it: the spider's request for that URL raised UnicodeEncodeError). Read
    as U+FFFD, as the XML and HTML readers read ``&#xD800;``."""
    urls = parse_webservice_posts(f"<string>{json_text}</string>", WEBSERVICE_URL)
    assert len(urls) == 1 and urls[0].startswith("https://www.most.gov.vn/vn/tin-tuc/1/a\ufffd")
    assert urls[0].encode("utf-8")


def test_listing_paging_info_of_100000_digits() -> None:
    """``Trang 111…1`` (100,000 digits) in the pager's info: the regex read it in quadratic
    time (about a minute; a 1 MB run, hours): every digit was a new start."""
    page = (
        "<html><body><div class='Paging'><span class='PagingInfo'>Trang "
        + "1" * 100_000
        + "</span></div></body></html>"
    )
    listing = _call("PagingInfo of 100,000 digits", parse_listing, page, LISTING_URL)
    assert isinstance(listing, Listing) and (listing.page, listing.last_page) == (1, None)


@pytest.mark.parametrize(
    ("body", "content_type", "verdict"),
    [
        (b"<!---->" * 30 + b"x", "text/html", "HTML fragment cut inside its last element"),
        (b"<?xml version='1.0'?>" + b"<!---->" * 30 + b"x", "text/xml", None),
        (b"<urlset><url/></urlset>" + b"<!---->" * 30 + b"x", "text/xml", "XML cut before"),
    ],
    ids=["html-start", "xml-start", "xml-end"],
)
def test_completeness_of_30_empty_comments(
    body: bytes, content_type: str, verdict: str | None
) -> None:
    """``<!---->`` 30 times, then no element: the comment patterns of the completeness check
    (a download middleware's, on every response) could end each comment at any later ``-->``
    and tried every way, 2^30 (a minute or two; 40 comments: hours). Each comment ends at its
    first ``-->``, as in HTML and XML."""
    found = _call(f"{content_type}: <!----> x 30", incomplete, body, content_type)
    assert (found is None) if verdict is None else str(found).startswith(verdict)


@pytest.mark.parametrize(
    ("data", "page"),
    [
        (b"<!DOCTYPE html><html><body>404</body></html>", True),
        (b"\xef\xbb\xbf\r\n  <html lang='vi'>", True),
        (b"<!-- SharePoint --><HTML><HEAD>", True),
        (b"<?xml version='1.0' encoding='utf-8'?>\n<!DOCTYPE html PUBLIC", True),
        (b"\n<body onload=x>", True),
        (b"%PDF-1.7 <html>", False),
        (b"\x89PNG\r\n\x1a\n<html>", False),
        (b"GIF89a<html>", False),
        (b"\xff\xd8\xff\xe0<html>", False),
        (b"<svg xmlns='http://www.w3.org/2000/svg'>", False),
        (b"<?xml version='1.0'?><svg>", False),
        (b"<htmlx>", False),
        (b"<!--" * 5000, False),  # never closed: no catastrophic backtracking either
        (b"", False),
    ],
)
def test_an_html_page_is_told_from_a_file(data: bytes, page: bool) -> None:
    from crawler.parsers import is_html_page

    assert is_html_page(data) is page


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_telling_html_from_a_file_never_raises(data: bytes) -> None:
    from crawler.parsers import is_html_page

    assert isinstance(is_html_page(data), bool)
