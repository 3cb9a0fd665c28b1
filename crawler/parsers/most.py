"""The site parser for www.most.gov.vn article pages (SharePoint 2013, vendor web parts).

Selectors are data: each field has a tuple of compiled XPaths, tried in the order written, the
first that finds something wins (SITE.md §4.1 gives the evidence for each). A page on which none
of the body selectors match goes to the generic fallback (``crawler.parsers.fallback``).
"""

from __future__ import annotations

import re

from lxml import etree

from crawler.items import Article, Attachment
from crawler.parsers.blocks import Block, flatten
from crawler.parsers.captions import split_captions
from crawler.parsers.dates import parse_day_first
from crawler.parsers.document import elements, first, has_class, text_of, xpaths
from crawler.parsers.sanitize import UNWRAP, body_html
from crawler.parsers.text import clean
from crawler.parsers.urls import absolute_url, is_web_url
from crawler.portals.most import PARSER_VERSION

PARSER_NAME = PARSER_VERSION  # "most/1": the portal names its parser versions


_has_class = has_class


def _id_ends(suffix: str) -> str:
    return f"substring(@id, string-length(@id) - {len(suffix) - 1}) = '{suffix}'"


# --- selectors, in the order they are tried -------------------------------------------------
# id('…') uses the HTML parser's id index (microseconds); "//" scans the whole page, so a scan
# only comes after the id-based selectors have found nothing.
WEB_PART = "ctl00_SPWebPartManager1_g_275cd07f_7dd8_4f62_97b3_19577a1ec443_ctl00"
TITLE = xpaths(
    "id('divArticleDescription3')//h1",
    f"//h1[{_has_class('News_Detail_Title')}]",
    f"//*[{_has_class('News_Detail_Title')}]",
)
LEAD = xpaths("id('divArticleDescription1')")
BODY_ID = "divArticleDescription2"  # the body's id, looked up first (crawler.parsers.sites)
BODY = xpaths(
    f"id('{BODY_ID}')",
    f"//*[{_has_class('Around_News_Content')}]//div[starts-with(@class, 'ExternalClass')]",
)
# The article's own date line (in pnHide, beside the title); the header's span.date_today is
# never consulted.
DATE = xpaths(
    f"id('{WEB_PART}_pnHide')//span[{_has_class('News_Time_Post')}]",
    f"id('divArticleDescription3')/..//span[{_has_class('News_Time_Post')}]",
    f"//span[{_has_class('News_Time_Post')}]",
    f"//*[{_has_class('News_Time_Post')}]",
)
SOURCE_PANEL = xpaths(
    f"id('{WEB_PART}_pnNguontin')",
    f"id('divArticleDescription2')/following-sibling::*[{_id_ends('_pnNguontin')}]",
)
SOURCE_LINE = xpaths(".//p/font", ".//font", ".//p")
# Breadcrumb: the links after "Trang chủ"; the last one names the category.
BREADCRUMB = xpaths(
    f"id('DeltaPlaceHolderMain')/ul[{_has_class('UL_Link_Menu')}]/li[not({_has_class('Lv_1')})]//a",
    f"//ul[{_has_class('UL_Link_Menu')}]/li[not({_has_class('Lv_1')})]//a",
    f"//ul[{_has_class('UL_Link_Menu')}]/li//a",
)
# ---------------------------------------------------------------------------------------------

HOME_NAMES = frozenset(("trang chủ", "home"))
SOURCE_LABEL = re.compile(r"^(?:nguồn(?:\s*tin)?|source)\s*:\s*", re.IGNORECASE)
ATTACHMENT_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar)$", re.IGNORECASE)


def strip_source_label(line: str) -> str:
    return clean(SOURCE_LABEL.sub("", line, count=1))


def find_title(root: etree._Element) -> str:
    found = first(TITLE, root)
    return clean(text_of(found)) if found is not None else ""


def find_lead(root: etree._Element) -> str:
    found = first(LEAD, root)
    if found is None:
        return ""
    return clean(" ".join(b.text for b in flatten(found) if b.text))


def find_date(root: etree._Element) -> str | None:
    for selector in DATE:
        for span in elements(selector, root):
            parsed = parse_day_first(text_of(span))
            if parsed:
                return parsed
    return None


def find_category(root: etree._Element) -> str | None:
    for selector in BREADCRUMB:
        names = [clean(text_of(a)) for a in elements(selector, root)]
        names = [n for n in names if n and n.lower() not in HOME_NAMES]
        if names:
            return names[-1]
    return None


def find_source(root: etree._Element) -> str | None:
    panel = first(SOURCE_PANEL, root)
    if panel is None:
        return None
    for selector in SOURCE_LINE:
        lines = [clean(text_of(el)) for el in elements(selector, panel)]
        line = " ".join(x for x in lines if x)
        if line:
            return strip_source_label(line) or None
    return strip_source_label(clean(text_of(panel))) or None


def find_attachments(body: etree._Element, page_url: str) -> list[Attachment]:
    found: list[Attachment] = []
    seen: set[str] = set()
    for link in body.iter("a"):
        href = (link.get("href") or "").strip()
        if not href:
            continue
        path = href.split("#", 1)[0].split("?", 1)[0]
        # The extension's dot sits in the last six characters (five, and a newline "$" allows
        # after it): a test in C before the regex search, which tries every position.
        if "." not in path[-6:] or not ATTACHMENT_EXT.search(path):
            continue
        url = absolute_url(href, page_url)
        if is_web_url(url) and url not in seen:
            seen.add(url)
            found.append(Attachment(url=url, title=clean(text_of(link))))
    return found


def _source_in_body(paragraphs: list[Block], source: str | None) -> tuple[list[Block], str | None]:
    """Take the source line out of the body: the panel's line repeated as the last paragraph,
    or, with no panel, a last paragraph that is right-aligned or starts with "Nguồn:"."""
    if not paragraphs:
        return paragraphs, source
    last = paragraphs[-1]
    if last.table is not None:
        return paragraphs, source
    stripped = strip_source_label(last.text)
    if source is not None:
        if stripped == source:
            return paragraphs[:-1], source
        return paragraphs, source
    if last.align == "right" or stripped != last.text:
        return paragraphs[:-1], stripped or None
    return paragraphs, source


def parse_most_article(root: etree._Element, page_url: str, site_id: int) -> Article | None:
    """The article on a page carrying the site's markup, or None when it has no body there."""
    body = first(BODY, root)
    if body is None:
        return None
    lead = find_lead(root)
    # Spans and fonts carry no block, alignment or emphasis the flattening reads, and body_html
    # drops them too: unwrapped once, in C, they cost neither walk anything.
    etree.strip_tags(body, *UNWRAP)
    paragraphs, images = split_captions(flatten(body), page_url)
    # An image whose src is not http(s) (javascript:, data:) is no image to archive or link to.
    images = [image for image in images if is_web_url(image.url)]
    paragraphs, source = _source_in_body(paragraphs, find_source(root))
    texts = [p.text for p in paragraphs if p.text]
    if lead and texts and texts[0] == lead:
        texts = texts[1:]
    attachments = find_attachments(body, page_url)
    return Article(
        site_id=site_id,
        url=page_url,
        title=find_title(root),
        lead=lead,
        body=texts,
        body_html=body_html(body, page_url),  # last: it rewrites the body's URLs in place
        published_at=find_date(root),
        category=find_category(root),
        source=source,
        images=images,
        attachments=attachments,
        parser=PARSER_NAME,
    )
