"""The generic fallback: trafilatura, for an article page on which no site body selector matches.

Records it produces carry ``parser = "fallback-trafilatura/1"`` so they can be found and
re-parsed once the site parser learns the new markup, and the portal whose article URL form the
page was fetched at. That portal's own title, lead, date, category, source, byline and tag
selectors are still tried first (a page may lose its body markup and keep the rest);
trafilatura fills the body, and the title when the portal's selectors find none. trafilatura's
date is not used: on the SharePoint portal it picks the header's "today" date. Not articles
(None): pages where trafilatura, in its precision mode, finds less than ``MIN_TEXT`` characters
of prose, and pages the portal marks as no article (category listings, SharePoint's error page,
mst zone pages).
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from lxml import etree

from crawler.items import Article
from crawler.parsers.document import first
from crawler.parsers.text import clean

if TYPE_CHECKING:
    from crawler.parsers.sites import SiteParser

PARSER_NAME = "fallback-trafilatura/1"
# At least this many characters of prose (lines of PROSE_LINE characters or more): menus,
# link lists and error messages are short lines.
MIN_TEXT = 200
PROSE_LINE = 80


def parse_fallback(
    root: etree._Element, page_url: str, site_id: int, site: SiteParser
) -> Article | None:
    """The article trafilatura finds on a page of ``site``'s URL form, or None."""
    # Imported here: trafilatura is slow to import and most pages never need it.
    import trafilatura

    if first(site.not_article, root) is not None:
        return None
    fields = site.fields(root, site_id)
    try:
        doc = trafilatura.bare_extraction(
            etree.tostring(root, encoding="unicode"),
            url=page_url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,  # menus and link lists stay out (a home page yields nothing)
        )
    except (ValueError, TypeError, AttributeError, etree.LxmlError):
        return None
    if doc is None:
        return None
    data = doc if isinstance(doc, dict) else doc.as_dict()
    paragraphs = [p for p in (clean(line) for line in (data.get("text") or "").split("\n")) if p]
    if sum(len(p) for p in paragraphs if len(p) >= PROSE_LINE) < MIN_TEXT:
        return None
    lead = fields.lead
    if lead and paragraphs and paragraphs[0] == lead:
        paragraphs = paragraphs[1:]
    return Article(
        site_id=site_id,
        url=page_url,
        title=fields.title or clean(data.get("title") or ""),
        lead=lead,
        body=paragraphs,
        body_html="".join(f"<p>{escape(p)}</p>" for p in paragraphs),
        published_at=fields.published_at,
        category=fields.category,
        source=fields.source,
        images=[],
        attachments=[],
        parser=PARSER_NAME,
        author=fields.author,
        tags=fields.tags,
        portal=site.portal,
    )
