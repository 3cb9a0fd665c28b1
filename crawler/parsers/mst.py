"""The site parser for mst.gov.vn article pages (the VCCorp newsroom CMS; SITE-mst.md §4, §9, §9a).

Selectors are data: each field has a tuple of compiled XPaths, tried in the order written, the
first that finds something wins. The page is an mst article when one of ``BODY`` matches (see
``crawler.parsers.sites``); otherwise the generic fallback runs, still reading the title, lead,
date, category, byline and tags through :func:`page_fields`.

The body is read in three passes over the content container: noise that is no text of the
article (related-news boxes, video blocks, ad slots) is removed first; images and attachments
are collected; then photo blocks and the byline are removed and the rest is flattened into
paragraphs, headings, list items and table rows (``crawler.parsers.blocks``). A trailing
byline or source line leaves the body last.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from crawler.items import Article, Image
from crawler.parsers.blocks import Block, flatten
from crawler.parsers.dates import (
    OFFSET,
    parse_day_first,
    parse_iso_local,
    parse_month_name,
    to_minute,
)
from crawler.parsers.document import elements, first, has_class, strings, text_of, xpaths
from crawler.parsers.most import find_attachments
from crawler.parsers.sanitize import body_html
from crawler.parsers.text import clean
from crawler.parsers.urls import absolute_url, is_web_url

PORTAL = "mst"
PARSER_NAME = "mst/1"

# --- URL rules -------------------------------------------------------------------------------
# An article is /{slug}-{id}.htm, one path segment, the id all the digits before ".htm": 18 digits
# 197yyMMddHHmmssSSS, the legacy 9-digit 197NNNNNN, the odd 17-digit one (SITE-mst.md §3.1).
ARTICLE_PATH = re.compile(r"^/([^/]+)-(\d{6,})\.htm$", re.IGNORECASE)
ID_TIMESTAMP = re.compile(r"^197(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})\d{3}$")
TITLE_SUFFIX = re.compile(
    r"\s+[-–|]\s+(?:Bộ Khoa học và Công nghệ|Bộ Thông tin và Truyền thông)\s*$", re.IGNORECASE
)

# --- selectors, in the order they are tried --------------------------------------------------
BODY = xpaths(
    f"//div[{has_class('detail-content')}]",
    "//*[@data-role='content']",
)
TITLE = xpaths(
    f"//h1[{has_class('detail-title')}]",
    "//h1[@data-role='title']",
    f"//h1[{has_class('article-title')}]",
    "//*[@data-role='title']",
)
TITLE_META = xpaths("//meta[@property='og:title']/@content", "//title/text()")
LEAD = xpaths(
    f"//h2[{has_class('detail-sapo')}]",
    f"//h2[{has_class('sapo')}]",
    f"//p[{has_class('detail-sapo')}]",
    "//*[@data-role='sapo']",
)
DATE = xpaths(
    "//*[@data-role='publishdate']",
    f"//div[{has_class('detail-time')}]",
    f"//p[{has_class('detail-time')}]",
    f"//*[{has_class('detail-time')}]",
)
DATE_META = xpaths(
    "//meta[@property='article:published_time']/@content",
    "//meta[@itemprop='datePublished']/@content",
    "//meta[@name='pubdate']/@content",
)
# The zone: the links of div.detail-cate (the last, most specific one), else the breadcrumb's.
CATEGORY = xpaths(
    f"//div[{has_class('detail-cate')}]//a[@data-role='cate-name']",
    f"//div[{has_class('detail-cate')}]//a",
    f"//div[{has_class('detail-cate')}]",
    "//*[@data-role='cate-name']",
)
BYLINE = xpaths(f"//div[{has_class('detail-author')}]")
BYLINE_TOP = xpaths(f"//*[{has_class('detail-author-top-name')}]")
# Each selector is one form of tag list; the first form found gives all the tags.
TAGS = xpaths(
    f"//ul[{has_class('detail-tag-list')}]",
    "//*[@data-role='tags']",
    f"//*[{has_class('detail-tab')}]",
)
TAG_LINKS = xpaths(".//a")
TAG_LINKS_ITEM = xpaths(f".//a[{has_class('item')}]")
CANONICAL = xpaths("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")

# Inside the body: blocks that hold no text of the article, removed before anything is read.
RELATED = (
    ".//*[@type='RelatedNewsBox' or @type='RelatedOneNews']"
    f" | .//*[{has_class('kbwscwl-relatedbox')}]"
    " | .//*[@id='listNewsInContent']"
    f" | .//div[{has_class('tindnd')}]"
    f" | .//*[{has_class('link-content-footer')}]"
)
VIDEO = (
    ".//*[@type='Video' or @type='VideoStream' or @type='insertembedcode'"
    " or @type='video' or @type='videostream']"
    " | .//video | .//iframe"
)
ADS = (
    ".//*[contains(@id, 'adbro')]"
    " | .//*[contains(@class, 'inimage-pos-sponsor') or contains(@id, 'inimage-pos-sponsor')]"
    " | .//*[contains(translate(@id, 'INREADPC', 'inreadpc'), 'inreadpc')]"
    " | .//*[contains(translate(@class, 'INREADPC', 'inreadpc'), 'inreadpc')]"
    f" | .//*[{has_class('admzone')}] | .//*[{has_class('adsbygoogle')}]"
    " | .//zone | .//ins | .//*[@data-check-position]"
)
NOISE = etree.XPath(f"{RELATED} | {VIDEO} | {ADS}")
# Photo blocks and their captions, the cover block: read for `images`, then left out of `body`.
PHOTO_BLOCK = (
    ".//figure[not(.//table)] | .//*[@type='Photo' or @type='photo' or contains(@type, 'Album')]"
    f" | .//*[{has_class('media')} and {has_class('VCSortableInPreviewMode')}]"
)
CAPTION = f".//*[{has_class('PhotoCMS_Caption')}] | .//figcaption"
PHOTOS = etree.XPath(f"{PHOTO_BLOCK} | {CAPTION}")
BYLINE_IN_BODY = etree.XPath(
    f".//div[{has_class('detail-author')}] | .//*[{has_class('detail-author-top-content')}]"
)
# The enclosing photo block of an image, nearest first.
PHOTO_ANCESTOR = etree.XPath(
    "ancestor::*[self::figure or @type='Photo' or @type='photo' or contains(@type, 'Album')"
    f" or ({has_class('media')} and {has_class('VCSortableInPreviewMode')})][1]"
)
CAPTION_IN_BLOCK = etree.XPath(
    f".//*[{has_class('PhotoCMS_Caption')}] | .//figcaption"
)
CAPTION_AFTER = etree.XPath(f"following-sibling::*[1][{has_class('PhotoCMS_Caption')}]")
LINK_ANCESTOR = etree.XPath("ancestor::a[@href][1]/@href")
# A cover image outside the content container: div.media > img[data-role=cover|avatar].
COVER = etree.XPath(
    "//img[@data-role='cover']"
    f" | //*[{has_class('media')} and {has_class('VCSortableInPreviewMode')}]"
    "/img[@data-role='avatar']"
)
BOLD_TEXT = etree.XPath(".//text()[ancestor::b or ancestor::strong]")
# ---------------------------------------------------------------------------------------------

SOURCE_LINE = re.compile(r"^\(?\s*Nguồn\s*(?:tin)?\s*:\s*(.+?)\s*\)?$", re.IGNORECASE)
# "Theo X": short, one clause (a body sentence that opens with "Theo Thứ trưởng, …" is text).
THEO_LINE = re.compile(r"^\(?\s*(Theo\s+[^.,;:!?()]{1,80}?)\s*\)?\.?$")
BOLD_SHARE = 0.95


def article_id_from_url(url: str) -> int | None:
    """The id of an mst article URL ``/{slug}-{id}.htm`` (6 digits or more), else None."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    match = ARTICLE_PATH.match(path)
    return int(match.group(2)) if match else None


def id_timestamp(site_id: int) -> str | None:
    """Local time (minutes, ``+07:00``) encoded in an 18-digit id ``197yyMMddHHmmssSSS``."""
    match = ID_TIMESTAMP.match(str(site_id))
    if match is None:
        return None
    yy, month, day, hour, minute, _second = (int(g) for g in match.groups())
    try:
        moment = datetime(2000 + yy, month, day, hour, minute)
    except ValueError:
        return None
    return moment.isoformat() + OFFSET


def canonical_url(page_url: str, root: etree._Element | None = None) -> str:
    """Scheme + host of the fetched URL + ``/{slug}-{id}.htm``; the slug from the page's
    ``link[rel=canonical]`` when it names the same id, else from the fetched URL."""
    try:
        parts = urlsplit(page_url.strip())
    except ValueError:
        return page_url.strip()
    match = ARTICLE_PATH.match(parts.path)
    if match is None:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    path = parts.path
    if root is not None:
        for href in (strings(selector, root) for selector in CANONICAL):
            if not href:
                continue
            try:
                declared = ARTICLE_PATH.match(urlsplit(href[0].strip()).path)
            except ValueError:
                declared = None
            if declared is not None and int(declared.group(2)) == int(match.group(2)):
                path = f"/{declared.group(1)}-{declared.group(2)}.htm"
            break
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass
class PageFields:
    """What the page shows around the body; the fallback reads these too."""

    title: str = ""
    lead: str = ""
    published_at: str | None = None
    category: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)


def find_title(root: etree._Element) -> str:
    found = first(TITLE, root)
    if found is not None:
        title = clean(text_of(found))
        if title:
            return title
    for selector in TITLE_META:
        for value in strings(selector, root):
            title = clean(TITLE_SUFFIX.sub("", clean(value)))
            if title:
                return title
    return ""


def find_lead(root: etree._Element) -> str:
    found = first(LEAD, root)
    return clean(text_of(found)) if found is not None else ""


_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")


def find_date(root: etree._Element, site_id: int) -> str | None:
    """The publish time shown on the page (minutes, ``+07:00``); else the meta tag; else the
    18-digit id's timestamp. A shown day without a time takes the time of the meta tag or id
    when they name the same day, midnight otherwise."""
    shown: str | None = None
    has_time = False
    for selector in DATE:
        for el in elements(selector, root):
            text = clean(text_of(el))
            shown = parse_day_first(text) or parse_month_name(text)
            if shown:
                has_time = bool(_HAS_TIME.search(text))
                break
        if shown:
            break
    if shown and has_time:
        return to_minute(shown)
    backup: str | None = None
    for selector in DATE_META:
        for value in strings(selector, root):
            backup = parse_iso_local(value)
            if backup:
                break
        if backup:
            break
    backup = to_minute(backup) or id_timestamp(site_id)
    if shown is None:
        return backup
    if backup is not None and backup[:10] == shown[:10]:
        return backup
    return to_minute(shown)


def find_category(root: etree._Element) -> str | None:
    for selector in CATEGORY:
        names = [clean(text_of(el)) for el in elements(selector, root)]
        names = [n for n in names if n]
        if names:
            return names[-1] if selector is not CATEGORY[-1] else names[0]
    return None


def find_byline(root: etree._Element) -> str | None:
    """``div.detail-author`` (first with text), else the top byline's name(s)."""
    for el in elements(BYLINE[0], root):
        text = clean(text_of(el))
        if text:
            return text
    names = [clean(text_of(el)) for el in elements(BYLINE_TOP[0], root)]
    names = [n for n in names if n]
    return ", ".join(dict.fromkeys(names)) if names else None


def find_tags(root: etree._Element) -> list[str]:
    for selector in TAGS:
        for box in elements(selector, root):
            links = TAG_LINKS_ITEM if selector is TAGS[-1] else TAG_LINKS
            tags = [clean(text_of(a)) for a in elements(links[0], box)]
            tags = [t for t in tags if t]
            if tags:
                return tags
    return []


def page_fields(root: etree._Element, site_id: int) -> PageFields:
    return PageFields(
        title=find_title(root),
        lead=find_lead(root),
        published_at=find_date(root, site_id),
        category=find_category(root),
        author=find_byline(root),
        tags=find_tags(root),
    )


def _drop(el: etree._Element) -> None:
    """Remove ``el`` from the tree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _image_url(img: etree._Element, page_url: str) -> str:
    """The full-size URL: ``data-original``, else the enclosing link, else ``src``."""
    candidates = [img.get("data-original")]
    candidates.extend(strings(LINK_ANCESTOR, img))
    candidates.extend((img.get("src"), img.get("data-src")))
    for raw in candidates:
        value = (raw or "").strip()
        if value:
            url = absolute_url(value, page_url)
            if is_web_url(url):
                return url
    return ""


def _caption(block: etree._Element | None) -> str | None:
    """The text of the block's caption; None for an empty or placeholder caption."""
    if block is None:
        return None
    found = [el for el in elements(CAPTION_IN_BLOCK, block)]
    found.extend(elements(CAPTION_AFTER, block))
    for el in found:
        text = clean(text_of(el))
        if text:
            return text
    return None


def find_images(root: etree._Element, body: etree._Element, page_url: str) -> list[Image]:
    """Every photo in document order: a cover image outside the body first, then the body's;
    within one photo block the caption goes to its last image."""
    imgs = [img for img in elements(COVER, root) if body not in img.iterancestors()]
    imgs.extend(body.iter("img"))
    images: list[Image] = []
    last_in_block: dict[etree._Element, int] = {}
    blocks: list[etree._Element | None] = []
    for img in imgs:
        url = _image_url(img, page_url)
        if not url:
            continue
        found = elements(PHOTO_ANCESTOR, img)
        block = found[0] if found else None
        if block is not None:
            last_in_block[block] = len(images)
        blocks.append(block)
        images.append(Image(url=url, caption=None, alt=clean(img.get("alt"))))
    for block, index in last_in_block.items():
        caption = _caption(block)
        if caption:
            image = images[index]
            images[index] = Image(url=image.url, caption=caption, alt=image.alt)
    return images


def _wholly_bold(block: Block) -> bool:
    el = block.element
    if el is None:
        return False
    total = len("".join(block.text.split()))
    bold = len("".join("".join(strings(BOLD_TEXT, el)).split()))
    return total > 0 and bold >= BOLD_SHARE * total


def source_of(text: str) -> str | None:
    """The source a trailing line names: "Nguồn: X" gives X, "Theo X" is kept whole."""
    match = SOURCE_LINE.match(text)
    if match:
        return clean(match.group(1)) or None
    match = THEO_LINE.match(text)
    return clean(match.group(1)) if match else None


def split_tail(
    paragraphs: list[Block], author: str | None
) -> tuple[list[Block], str | None, str | None]:
    """Take a trailing source line and (with no byline elsewhere) a trailing right-aligned bold
    byline out of the body, in either order."""
    source: str | None = None
    for _ in range(2):
        if not paragraphs or paragraphs[-1].table is not None:
            break
        last = paragraphs[-1]
        if source is None and (found := source_of(last.text)):
            source = found
        elif author is None and last.align == "right" and _wholly_bold(last):
            author = last.text
        else:
            break
        paragraphs = paragraphs[:-1]
    return paragraphs, source, author


def parse_mst_article(
    root: etree._Element, body: etree._Element, page_url: str, site_id: int
) -> Article:
    """The article on a page whose content container is ``body``."""
    fields = page_fields(root, site_id)
    for el in elements(NOISE, body):
        _drop(el)
    images = find_images(root, body, page_url)
    attachments = find_attachments(body, page_url)
    shown = copy.deepcopy(body)
    for el in elements(PHOTOS, body) + elements(BYLINE_IN_BODY, body):
        _drop(el)
    paragraphs = [b for b in flatten(body) if b.text]
    paragraphs, source, author = split_tail(paragraphs, fields.author)
    return Article(
        site_id=site_id,
        url=canonical_url(page_url, root),
        title=fields.title,
        lead=fields.lead,
        body=[p.text for p in paragraphs],
        body_html=body_html(shown, page_url),
        published_at=fields.published_at,
        category=fields.category,
        source=source,
        images=images,
        attachments=attachments,
        parser=PARSER_NAME,
        author=author,
        tags=fields.tags,
        portal=PORTAL,
    )
