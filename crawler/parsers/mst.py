"""The site parser for mst.gov.vn article pages (the VCCorp newsroom CMS; SITE-mst.md §4, §9, §9a).

Selectors are data: each field around the body has a tuple of selectors (``Sel``: tag, class
token or ``data-role``, looked up in a ``PageIndex`` of the page), tried in the order written,
the first that finds something wins. The page is an mst article when one of ``BODY`` matches
(see ``crawler.parsers.sites``); otherwise the generic fallback runs, still reading the title,
lead, date, category, byline and tags through :func:`page_fields`.

The body is read in one walk over the content container that sorts out, by the names below,
the noise that is no text of the article (related-news boxes, video blocks, ad slots: removed
first) and the photo blocks, captions and byline (read for ``images`` and ``author``, then left
out of the text); the rest is flattened into paragraphs, headings, list items and table rows
(``crawler.parsers.blocks``). A trailing byline or source line leaves the body last.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlunsplit

from lxml import etree

from crawler.items import Article, Image
from crawler.parsers.blocks import Block, flatten
from crawler.parsers.dates import (
    parse_day_first,
    parse_iso_local,
    parse_month_name,
    to_minute,
)
from crawler.parsers.document import ClassScan, Selector, strings, text_of, xpaths
from crawler.parsers.markers import CACHED_VALUE_LENGTH, PageIndex, Sel
from crawler.parsers.most import find_attachments
from crawler.parsers.sanitize import body_html
from crawler.parsers.text import clean, strip_controls
from crawler.parsers.urls import absolute_url, is_web_url, split_path
from crawler.portals import mst as mst_portal

PORTAL = mst_portal.NAME
PARSER_NAME = mst_portal.PARSER_VERSION  # "mst/1": the portal names its parser versions

# --- URL rules -------------------------------------------------------------------------------
# An article is /{slug}-{id}.htm, one path segment, the id all the digits before ".htm": 18 digits
# 197yyMMddHHmmssSSS, the legacy 9-digit 197NNNNNN, the odd 17-digit one (SITE-mst.md §3.1).
# Ids of other lengths are static pages (/gioi-thieu-19797875.htm) or noise, never news. Which
# URLs are articles is the portal's rule (crawler.portals.mst); the pattern below only splits an
# article path into its slug and id.
ARTICLE_PATH = re.compile(r"^/([^/]+)-(\d{6,})\.htm$", re.IGNORECASE)
TITLE_SUFFIX = re.compile(
    r"\s+[-–|]\s+(?:Bộ Khoa học và Công nghệ|Bộ Thông tin và Truyền thông)\s*$", re.IGNORECASE
)

# --- selectors, in the order they are tried --------------------------------------------------
BODY_CLASS, BODY_ROLE = "detail-content", "content"
BODY: tuple[Selector, ...] = (
    ClassScan("div", BODY_CLASS),  # //div[has_class('detail-content')], first match
    *xpaths(f"//*[@data-role='{BODY_ROLE}']"),
)
# Fields around the body: selectors as data (crawler.parsers.markers), looked up in an index of
# the page's classes and data-roles; a dozen XPath scans of the page cost more than the parse.
TITLE = (
    Sel("h1", cls="detail-title"),
    Sel("h1", role="title"),
    Sel("h1", cls="article-title"),
    Sel(role="title"),
)
TITLE_META = ("og:title",)  # then <title> without its site-name suffix
LEAD = (
    Sel("h2", cls="detail-sapo"),
    Sel("h2", cls="sapo"),
    Sel("p", cls="detail-sapo"),
    Sel(role="sapo"),
)
DATE = (
    Sel(role="publishdate"),
    Sel("div", cls="detail-time"),
    Sel("p", cls="detail-time"),
    Sel(cls="detail-time"),
)
DATE_META = ("article:published_time", "datepublished", "pubdate")
# The zone: a link of div.detail-cate (the one marked cate-name, else the last, most specific
# one, else the div's text), else the breadcrumb's [data-role=cate-name].
CATEGORY_BOX = Sel("div", cls="detail-cate")
CATEGORY_CRUMB = Sel(role="cate-name")
BYLINE = Sel("div", cls="detail-author")
BYLINE_TOP = Sel(cls="detail-author-top-name")
# Inside a div.detail-author that lists its authors as links (Tuổi Trẻ: an .author-info
# name, "và 2 tác giả khác", then every name again in a slider): the names alone.
BYLINE_NAME = "name"
# Each selector is one form of tag list with the links to read in it; the first form found
# gives all the tags.
TAGS = (
    (Sel("ul", cls="detail-tag-list"), None),  # every link in it
    (Sel(role="tags"), None),
    (Sel(cls="detail-tab"), "item"),  # the links of class "item"
)
CANONICAL_META = "og:url"  # after link[rel=canonical]

# Inside the body, recognised in one walk over its elements (names as data, in the order the
# walk asks): blocks that hold no text of the article, removed before anything is read —
# related-news boxes, video blocks, ad slots —
NOISE_TYPES = frozenset(
    (
        "RelatedNewsBox",
        "RelatedOneNews",
        "Video",
        "VideoStream",
        "insertembedcode",
        "video",
        "videostream",
    )
)
NOISE_CLASSES = frozenset(
    (
        "kbwscwl-relatedbox",
        "tindnd",
        "link-content-footer",
        "admzone",
        "adsbygoogle",
        # the source box ("Theo X", "Copy link", the original's URL in a pop-up; its name is
        # read for `source` first, see SOURCE_BOX), Tuổi Trẻ's "Đọc tiếp / Về trang Chủ đề"
        # buttons, and the captions of video and iframe blocks wherever they stand
        "link-source-wrapper",
        "readmore-body-box",
        "VideoCMS_Caption",
        "IframeCMS_Caption",
    )
)
NOISE_TAGS = frozenset(("video", "iframe", "zone", "ins"))
NOISE_ATTR = "data-check-position"  # the CMS's empty body_start/body_end markers
# Blocks named by part of an id or class: the ad slots #adbro, wrapper-inimage-pos-sponsor-…,
# InreadPc; the empty related-news list #listNewsInContent; the hidden link to an exclusive
# original, span#hdExclusive.
NOISE_NAME = re.compile(
    r"adbro|inimage-pos-sponsor|inreadpc|listnewsincontent|hdexclusive"
)  # lower case
# The source box inside the body (genk, gamek, cafef: div.link-source-wrapper >
# a.link-source-name "Theo <span.link-source-text-name>X</span>"): noise for the text, and the
# page's "Theo X" line in another form for `source` when no trailing line names one.
SOURCE_BOX = "link-source-wrapper"
SOURCE_BOX_NAME = "link-source-text-name"
SOURCE_BOX_LINK = "link-source-name"  # its title holds the name when the span is missing
# — then photo blocks (read for `images`) with their captions, and the byline: left out of the
# text. A photo block is a <figure> (unless it wraps a table), a [type=Photo] or album block,
# or div.media.VCSortableInPreviewMode (the cover block).
PHOTO_TYPES = frozenset(("Photo", "photo"))
ALBUM_TYPE = "Album"  # part of the type of an album block
COVER_BLOCK = ("media", "VCSortableInPreviewMode")  # the classes of the cover block
CAPTION_CLASSES = frozenset(("PhotoCMS_Caption",))
CAPTION_TAGS = frozenset(("figcaption",))
BYLINE_CLASSES = frozenset(("detail-author", "detail-author-top-content"))
COVER_ROLES = ("cover", "avatar")  # img[data-role=cover], div.media > img[data-role=avatar]
NAMED_TAGS = NOISE_TAGS | CAPTION_TAGS | {"figure"}  # recognised by their tag alone
CLASSES = frozenset(
    sel.cls
    for group in (TITLE, LEAD, DATE, (CATEGORY_BOX, BYLINE, BYLINE_TOP), tuple(t for t, _ in TAGS))
    for sel in group
    if sel.cls
)

# What the parser may read outside the body, for crawler.parsers.frames (a page's frame is
# skipped only when it holds none of these): an element carrying a class token or data-role a
# selector asks for, the head's tags, and a photo block (a cover photo's: its caption and
# whether it holds a table are read), all matched as substrings: wider, never narrower.
READ_TOKENS = CLASSES | {BODY_CLASS, COVER_BLOCK[1]}
READ_TYPES = (*PHOTO_TYPES, ALBUM_TYPE)
READ_ROLES = frozenset(
    sel.role
    for group in (TITLE, LEAD, DATE, (CATEGORY_CRUMB,), tuple(t for t, _ in TAGS))
    for sel in group
    if sel.role
) | frozenset((*COVER_ROLES, BODY_ROLE))
READ_TAGS = frozenset(("meta", "link", "title", "base", "figure"))

BOLD_TEXT = etree.XPath(".//text()[ancestor::b or ancestor::strong]")
# ---------------------------------------------------------------------------------------------

SOURCE_LINE = re.compile(r"^\(?\s*Nguồn\s*(?:tin)?\s*:\s*(.+?)\s*\)?$", re.IGNORECASE)
# "Theo X": short, one clause, no comma (a body sentence that opens with "Theo Thứ trưởng, …"
# is text); abbreviations keep their dots ("Theo Sở KH&CN TP. Hồ Chí Minh").
THEO_LINE = re.compile(r"^\(?\s*(Theo\s+[^,;:!?()]{1,80}?)\s*\)?\.?$")
BOLD_SHARE = 0.95


def may_read(el: etree._Element) -> bool:
    """Whether the parser could read ``el``, a page element outside the body (see READ_TAGS)."""
    if el.tag in READ_TAGS:
        return True
    cls = el.get("class")
    if cls and any(token in cls for token in READ_TOKENS):
        return True
    role = el.get("data-role")
    if role is not None and any(name in role for name in READ_ROLES):
        return True
    kind = el.get("type")
    return kind is not None and any(name in kind for name in READ_TYPES)


def article_id_from_url(url: str) -> int | None:
    """The id of an mst article URL ``/{slug}-{id}.htm`` (9, 17 or 18 digits), else None: the
    portal's rule (:func:`crawler.portals.mst.article_id`), asked, not re-derived."""
    return mst_portal.article_id(url)


def id_timestamp(site_id: int) -> str | None:
    """Local time (minutes, ``+07:00``) encoded in an 18-digit id ``197yyMMddHHmmssSSS``; None
    for other ids (issue 11 takes the fallback time from the 18-digit form only). The decoding
    is the portal's (:func:`crawler.portals.mst.id_published_at`)."""
    return mst_portal.id_published_at(site_id) if len(str(site_id)) == 18 else None


def canonical_url(page_url: str, declared: str | None = None) -> str:
    """Scheme + host of the fetched URL + ``/{slug}-{id}.htm``; the slug from the page's
    declared canonical URL when it names the same id, else from the fetched URL."""
    try:
        scheme, netloc, path = split_path(page_url.strip())
    except ValueError:
        return page_url.strip()
    match = ARTICLE_PATH.match(path)
    if match is not None and declared:
        declared = declared.strip()
        try:
            # (a page usually declares the very URL it was fetched at: nothing to split again)
            found = (
                match
                if declared == page_url.strip()
                else ARTICLE_PATH.match(split_path(declared)[2])
            )
        except ValueError:
            found = None
        # the same digits, as written: int() would read "0197…", "١٩٧…" (then no id by the
        # portal's rule) as the page's id, and refuses 4,300+ digits (ValueError)
        if found is not None and found.group(2) == match.group(2):
            path = f"/{found.group(1)}-{found.group(2)}.htm"
    if scheme and netloc and path[:1] in ("/", ""):
        return f"{scheme}://{netloc}{path}"  # what urlunsplit writes for them
    return urlunsplit((scheme, netloc, path, "", ""))


def index_page(root: etree._Element) -> PageIndex:
    return PageIndex(root, CLASSES)


def declared_canonical(index: PageIndex) -> str | None:
    return index.canonical or index.meta.get(CANONICAL_META)


@dataclass
class PageFields:
    """What the page shows around the body; the fallback reads these too."""

    title: str = ""
    lead: str = ""
    published_at: str | None = None
    category: str | None = None
    author: str | None = None
    tags: list[str] = field(default_factory=list)


def find_title(index: PageIndex) -> str:
    found = index.first(TITLE)
    if found is not None:
        title = clean(text_of(found))
        if title:
            return title
    for value in [index.meta.get(name) for name in TITLE_META] + [index.title]:
        title = clean(TITLE_SUFFIX.sub("", clean(value)))
        if title:
            return title
    return ""


def find_lead(index: PageIndex) -> str:
    found = index.first(LEAD)
    return clean(text_of(found)) if found is not None else ""


_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")


def find_date(index: PageIndex, site_id: int) -> str | None:
    """The publish time shown on the page (minutes, ``+07:00``); else the meta tag; else the
    18-digit id's timestamp. A shown day without a time takes the time of the meta tag or id
    when they name the same day, midnight otherwise."""
    shown: str | None = None
    has_time = False
    for sel in DATE:
        for el in index.find(sel):
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
    for name in DATE_META:
        value = index.meta.get(name)
        backup = parse_iso_local(value) if value else None
        if backup:
            break
    backup = to_minute(backup) or id_timestamp(site_id)
    if shown is None:
        return backup
    if backup is not None and backup[:10] == shown[:10]:
        return backup
    return to_minute(shown)


def find_category(index: PageIndex) -> str | None:
    for box in index.find(CATEGORY_BOX):
        links = list(box.iter("a"))
        marked = [a for a in links if (a.get("data-role") or "").strip() == "cate-name"]
        names = [clean(text_of(a)) for a in (marked or links)]
        names = [n for n in names if n]
        if names:
            return names[0] if marked else names[-1]
        text = clean(text_of(box))
        if text:
            return text
    for el in index.find(CATEGORY_CRUMB):
        name = clean(text_of(el))
        if name:
            return name
    return None


def _names(els: Iterable[etree._Element]) -> str | None:
    """The distinct names written in ``els``, in order, joined ``, ``; None when none."""
    names = [clean(text_of(el)) for el in els]
    names = [n for n in names if n]
    return ", ".join(dict.fromkeys(names)) if names else None


def find_byline(index: PageIndex) -> str | None:
    """``div.detail-author`` (first with text: the names of its ``.name`` links when it has
    them, as Tuổi Trẻ's author box, else its text), else the top byline's name(s)."""
    for el in index.find(BYLINE):
        named = _names(
            a for a in el.iter(etree.Element) if BYLINE_NAME in (a.get("class") or "").split()
        )
        text = named or clean(text_of(el))
        if text:
            return text
    return _names(index.find(BYLINE_TOP))


def find_tags(index: PageIndex) -> list[str]:
    for sel, links in TAGS:
        for box in index.find(sel):
            tags = [
                clean(text_of(a))
                for a in box.iter("a")
                if links is None or links in (a.get("class") or "").split()
            ]
            tags = [t for t in tags if t]
            if tags:
                return tags
    return []


def page_fields(index: PageIndex, site_id: int) -> PageFields:
    return PageFields(
        title=find_title(index),
        lead=find_lead(index),
        published_at=find_date(index, site_id),
        category=find_category(index),
        author=find_byline(index),
        tags=find_tags(index),
    )


def _drop(el: etree._Element) -> None:
    """Remove ``el`` from the tree, keeping its tail text in place."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        previous = el.getprevious()
        text = ((previous.tail if previous is not None else parent.text) or "") + tail
        try:
            _set_text(parent, previous, text)
        except ValueError:  # lxml reads control characters but will not write them back
            _set_text(parent, previous, strip_controls(text))
    parent.remove(el)


def _set_text(parent: etree._Element, previous: etree._Element | None, text: str) -> None:
    if previous is not None:
        previous.tail = text
    else:
        parent.text = text


def _is_photo_block(el: etree._Element) -> bool:
    tag = el.tag
    if tag == "figure":
        return next(el.iter("table"), None) is None  # a table in a <figure> is body text
    kind = el.get("type")
    if kind and (kind in PHOTO_TYPES or ALBUM_TYPE in kind):
        return True
    return _has(el, _COVER_BLOCK)


def _has(el: etree._Element, fact: int) -> bool:
    """True when the element's class value says ``fact`` (one of the bits below)."""
    cls = el.get("class")
    return bool(cls and _class_facts(cls) & fact)


# What a class value says about its element (bits), worked out once per distinct value: pages
# repeat the same few class values, and a dict lookup costs less than splitting and testing.
_NOISE, _CAPTION, _BYLINE, _AUTHOR, _COVER_BLOCK, _SOURCE_BOX = 1, 2, 4, 8, 16, 32
_CLASS_FACTS: dict[str, int] = {}
_CLASS_FACTS_SEEN = 4096


def _class_facts(cls: str) -> int:
    facts = _CLASS_FACTS.get(cls)
    if facts is None:
        tokens = cls.split()
        facts = (
            (_NOISE if not NOISE_CLASSES.isdisjoint(tokens) else 0)
            | (_NOISE if NOISE_NAME.search(cls.lower()) else 0)
            | (_CAPTION if not CAPTION_CLASSES.isdisjoint(tokens) else 0)
            | (_BYLINE if not BYLINE_CLASSES.isdisjoint(tokens) else 0)
            | (_AUTHOR if "detail-author" in tokens else 0)
            | (_COVER_BLOCK if all(name in tokens for name in COVER_BLOCK) else 0)
            | (_SOURCE_BOX if SOURCE_BOX in tokens else 0)
        )
        if len(cls) <= CACHED_VALUE_LENGTH:
            if len(_CLASS_FACTS) >= _CLASS_FACTS_SEEN:
                _CLASS_FACTS.clear()
            _CLASS_FACTS[cls] = facts
    return facts


def body_parts(body: etree._Element) -> tuple[list[etree._Element], set[etree._Element]]:
    """(noise, left out): the body's noise blocks, and its photo blocks, captions and byline,
    found in one walk over its elements."""
    noise: list[etree._Element] = []
    left_out: set[etree._Element] = set()
    search = NOISE_NAME.search
    for el in body.iter(etree.Element):
        names = el.keys()
        if not names:  # most of a body: plain p, span, a, b, td… with no name to go by
            tag = el.tag
            if tag not in NAMED_TAGS or el is body:
                continue
            kind = cls = ident = None
        else:
            kind = el.get("type") if "type" in names else None
            cls = el.get("class") if "class" in names else None
            ident = el.get("id") if "id" in names else None
            tag = el.tag
            if kind is None and cls is None and ident is None and tag not in NAMED_TAGS:
                if NOISE_ATTR in names:
                    noise.append(el)
                continue
            if el is body:
                continue
        # The name pattern holds no space: searching "{id} {class}" is searching each.
        facts = _class_facts(cls) if cls else 0
        if (
            tag in NOISE_TAGS
            or (kind is not None and kind.strip() in NOISE_TYPES)
            or facts & _NOISE
            or (ident and search(ident.lower()))
            or NOISE_ATTR in names
        ):
            noise.append(el)
        elif (
            tag in CAPTION_TAGS
            or facts & _CAPTION
            or (facts & _BYLINE and (tag == "div" or not facts & _AUTHOR))
            or (
                (next(el.iter("table"), None) is None)  # a table in a <figure> is body text
                if tag == "figure"
                else (kind and (kind in PHOTO_TYPES or ALBUM_TYPE in kind)) or facts & _COVER_BLOCK
            )
        ):
            left_out.add(el)
    return noise, left_out


def _surroundings(
    img: etree._Element, stop: etree._Element | None
) -> tuple[etree._Element | None, str | None]:
    """The image's nearest enclosing photo block and link ``href`` (below ``stop``)."""
    block: etree._Element | None = None
    link: str | None = None
    for anc in img.iterancestors():
        if anc is stop:
            break
        if link is None and anc.tag == "a":
            link = anc.get("href") or None
        if block is None and _is_photo_block(anc):
            block = anc
        if block is not None and link is not None:
            break
    return block, link


def _image_url(img: etree._Element, link: str | None, page_url: str) -> str:
    """The full-size URL: ``data-original``, else the enclosing link, else ``src``."""
    for raw in (img.get("data-original"), link, img.get("src"), img.get("data-src")):
        value = (raw or "").strip()
        if value:
            url = absolute_url(value, page_url)
            if is_web_url(url):
                return url
    return ""


def _displayed_url(img: etree._Element, url: str, page_url: str) -> str | None:
    """The URL the page displays (``src``, e.g. ``/thumb_w/730/…``) when it is not ``url``."""
    value = (img.get("src") or "").strip()
    if not value:
        return None
    shown = absolute_url(value, page_url)
    return shown if is_web_url(shown) and shown != url else None


def _caption(block: etree._Element | None) -> str | None:
    """The text of the block's caption; None for an empty or placeholder caption."""
    if block is None:
        return None
    found = [el for el in block.iter(etree.Element) if el.tag in CAPTION_TAGS or _has(el, _CAPTION)]
    after = block.getnext()
    while after is not None and not isinstance(after.tag, str):
        after = after.getnext()
    if after is not None and _has(after, _CAPTION):
        found.append(after)
    for el in found:
        text = clean(text_of(el))
        if text:
            return text
    return None


def _inside(el: etree._Element, container: etree._Element) -> bool:
    return any(a is container for a in el.iterancestors())


def _cover(img: etree._Element) -> bool:
    role = (img.get("data-role") or "").strip()
    if role == "cover":
        return True
    parent = img.getparent()
    return role == "avatar" and parent is not None and _has(parent, _COVER_BLOCK)


def find_images(index: PageIndex, body: etree._Element, page_url: str) -> list[Image]:
    """Every photo in document order: a cover image outside the body first, then the body's;
    within one photo block the caption goes to its last image."""
    imgs: list[tuple[etree._Element, etree._Element | None]] = [
        (img, None)
        for role in COVER_ROLES
        for img in index.roles.get(role, [])
        if img.tag == "img" and _cover(img) and not _inside(img, body)
    ]
    imgs.extend((img, body) for img in body.iter("img"))
    images: list[Image] = []
    last_in_block: dict[etree._Element, int] = {}
    for img, stop in imgs:
        block, link = _surroundings(img, stop)
        url = _image_url(img, link, page_url)
        if not url:
            continue
        if block is not None:
            last_in_block[block] = len(images)
        images.append(
            Image(
                url=url,
                caption=None,
                alt=clean(img.get("alt")),
                display_url=_displayed_url(img, url, page_url),
            )
        )
    for block, at in last_in_block.items():
        caption = _caption(block)
        if caption:
            image = images[at]
            images[at] = Image(
                url=image.url, caption=caption, alt=image.alt, display_url=image.display_url
            )
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


def box_source(box: etree._Element) -> str | None:
    """The source a source box names, as the page shows it: "Theo X" (a name the box already
    writes with "Theo" is not doubled); None for an empty box."""
    name = title = ""
    for el in box.iter(etree.Element):
        tokens = (el.get("class") or "").split()
        if SOURCE_BOX_NAME in tokens:
            name = clean(text_of(el))
            if name:
                break
        elif SOURCE_BOX_LINK in tokens and not title:
            title = clean(el.get("title"))
    name = name or title
    if not name:
        return None
    return name if name[:5].lower() == "theo " else f"Theo {name}"


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
    index = index_page(root)
    fields = page_fields(index, site_id)
    # The index reads the head's tags when asked: ask before the tree changes below.
    declared = declared_canonical(index)
    noise, left_out = body_parts(body)
    boxed: str | None = None
    for el in noise:
        if boxed is None and _has(el, _SOURCE_BOX):
            boxed = box_source(el)
        _drop(el)
    images = find_images(index, body, page_url)
    paragraphs = [b for b in flatten(body, left_out) if b.text]
    paragraphs, source, author = split_tail(paragraphs, fields.author)
    source = source or boxed
    attachments = find_attachments(body, page_url)
    return Article(
        site_id=site_id,
        url=canonical_url(page_url, declared),
        title=fields.title,
        lead=fields.lead,
        body=[p.text for p in paragraphs],
        body_html=body_html(body, page_url),  # last: it rewrites the body's URLs in place
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
