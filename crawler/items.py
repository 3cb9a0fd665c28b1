"""The records that flow from the parsers through the spider to the archive.

Plain dataclasses: no Scrapy import, so parsers, the archive and tests share them freely.
Scrapy accepts dataclass instances as items (itemadapter), so the spider yields them as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Image:
    """An image inside an article body, in document order."""

    url: str  # absolute URL, as the site writes it (percent-encoding kept)
    caption: str | None  # the caption under/beside the image, None when it has none
    alt: str = ""
    # the URL the page displays (its <img src>) when it is not ``url``, e.g. mst's
    # /thumb_w/730/… of a full-size image; fetched with ARCHIVE_FETCH_DISPLAYED_IMAGES. What
    # to fetch, not what the article says: left out of equality and of to_dict()
    display_url: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Attachment:
    """A linked document (pdf/doc/docx/xls/xlsx/ppt/pptx/zip/rar) inside an article body."""

    url: str  # absolute URL
    title: str  # the link text


@dataclass
class Article:
    """One parsed article page. Text fields are NFC, entity-decoded, whitespace-collapsed."""

    site_id: int  # numeric id: /vn/tin-tuc/{id}/... (most), /{slug}-{id}.htm (mst, up to 18 digits)
    url: str  # canonical URL: site scheme + host, path as the site writes it, no query/fragment
    title: str
    lead: str  # the sapo; "" when empty
    body: list[str]  # paragraphs, captions/source/lead/spacers left out, table rows "a | b"
    body_html: str  # sanitised HTML of the body
    published_at: str | None  # ISO 8601 local time with offset, e.g. 2024-04-26T10:30:00+07:00
    category: str | None  # the name in the breadcrumb
    source: str | None  # attribution line without a leading "Nguồn:" label; None when absent
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    parser: str = ""  # e.g. "most/1", "mst/1" or "fallback-trafilatura/1"
    # Added for the second portal (issue 11); the defaults keep older records and callers valid.
    author: str | None = None  # the byline; None where the page shows none
    tags: list[str] = field(default_factory=list)  # the tag links shown, in order
    portal: str = "most"  # "most" (the SharePoint portal) or "mst" (mst.gov.vn)

    @property
    def key(self) -> str:
        """``portal:site_id``, e.g. ``mst:197250704101929995``: the id as a string, since mst
        ids are above 2**53 and would be rounded by JavaScript and spreadsheets."""
        return f"{self.portal}:{self.site_id}"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for image in data["images"]:  # what to fetch, not content (Image.display_url)
            image.pop("display_url", None)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """The article of a ``to_dict()`` record; records written before ``author``, ``tags``
        and ``portal`` existed get their defaults."""
        fields = dict(data)
        fields.pop("key", None)  # derived from portal and site_id (an export carries it)
        fields["images"] = [Image(**i) for i in fields.get("images", [])]
        fields["attachments"] = [Attachment(**a) for a in fields.get("attachments", [])]
        fields["tags"] = list(fields.get("tags") or [])
        return cls(**fields)


@dataclass(frozen=True)
class ListingItem:
    """One entry of a category listing page."""

    url: str  # absolute article URL as linked (not canonicalised)
    title: str
    summary: str
    date: str | None  # ISO date "YYYY-MM-DD", None when the listing prints no date
    thumbnail: str | None  # absolute URL or None


@dataclass
class Listing:
    """A parsed category listing page."""

    url: str
    category_id: int | None
    category: str | None  # the listing's title, e.g. "Tin tổng hợp"
    items: list[ListingItem]
    page: int | None  # this page's number, from the pager
    last_page: int | None  # the last page's number, from the pager
    next_url: str | None  # absolute URL of the next page, None on the last page
