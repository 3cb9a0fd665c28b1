"""Article URLs from the RSS feeds and the SharePoint web service (SITE.md §6, §9.3, §9.4).

Both are read tolerantly, as the real ones are broken in known ways:
- RSS ``<link>`` may be the legacy ``chitiettin.aspx?…IDNews=`` form or malformed
  (``http:www.most.gov.vn/…``); links are repaired and made absolute.
- ``Getdataportal.asmx`` wraps JSON text in an XML ``<string>`` element and the JSON is often
  invalid (raw quotes inside titles, raw newlines). ``json.loads`` is tried first; when it fails
  the ``"slug"`` values are pulled out with a regex, the way Reco-MOST does it.
"""

from __future__ import annotations

import html
import json
import re

from lxml import etree

from crawler.parsers.document import elements, xml_input
from crawler.parsers.text import to_utf8
from crawler.parsers.urls import absolute_url, repair_url

_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
ITEM_LINKS = etree.XPath(
    "//*[local-name()='item']/*[local-name()='link']"
    " | //*[local-name()='entry']/*[local-name()='link']"
)
SLUG = re.compile(r'"slug"\s*:\s*"((?:[^"\\]|\\.)*)"')
# A "\ud800" escape decodes to a lone surrogate, which no URL can hold (UTF-8 cannot encode it).
_SURROGATE = re.compile("[\ud800-\udfff]")
_WRAPPER = re.compile(r"^\s*(?:<\?xml[^>]*\?>)?\s*<string[^>]*>(.*)</string>\s*$", re.DOTALL)


def _xml_root(data: bytes | str) -> etree._Element | None:
    raw = xml_input(data)
    if not raw.strip():
        return None
    try:
        return etree.fromstring(raw, _XML)
    except etree.XMLSyntaxError:
        return None


def _dedupe(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(u for u in urls if u))


def parse_rss(xml: bytes | str, url: str) -> list[str]:
    """Article URLs of an RSS (or Atom) feed, in feed order, absolute and repaired."""
    root = _xml_root(xml)
    if root is None:
        return []
    found: list[str] = []
    for link in elements(ITEM_LINKS, root):
        href = (link.text or link.get("href") or "").strip()
        if href:
            found.append(absolute_url(repair_url(href), url))
    return _dedupe(found)


def _payload(xml_text: bytes | str) -> str:
    """The JSON text inside the XML wrapper (the whole input when there is no wrapper)."""
    root = _xml_root(xml_text)
    if root is not None and root.text and root.text.strip():
        return root.text
    text = to_utf8(xml_text).decode("utf-8", "replace")
    match = _WRAPPER.match(text)
    return html.unescape(match.group(1)) if match else text


def _slugs_from_json(payload: str) -> list[str] | None:
    try:
        records = json.loads(payload)
    except (ValueError, RecursionError):  # invalid JSON, a number of 4,300+ digits, deep nesting
        return None
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list):
        return None
    return [r["slug"] for r in records if isinstance(r, dict) and isinstance(r.get("slug"), str)]


def parse_webservice_posts(xml_text: bytes | str, url: str) -> list[str]:
    """Article URLs (the ``slug`` field) of a ``GetListposts``-style response, in order."""
    payload = _payload(xml_text)
    slugs = _slugs_from_json(payload)
    if slugs is None:
        slugs = []
        for match in SLUG.finditer(payload.replace("\r", " ").replace("\n", " ")):
            try:
                slugs.append(json.loads(f'"{match.group(1)}"'))
            except json.JSONDecodeError:
                slugs.append(match.group(1))
    slugs = [_SURROGATE.sub("\ufffd", s) for s in slugs if s.strip()]  # read as U+FFFD
    return _dedupe([absolute_url(repair_url(s), url) for s in slugs])
