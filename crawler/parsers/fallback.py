"""The generic fallback: trafilatura, for an article page on which no site body selector matches.

Records it produces carry ``parser = "fallback-trafilatura/1"`` so they can be found and
re-parsed once the site parser learns the new markup. The site's own title, lead, date, category
and source selectors are still tried first (a page may lose its body markup and keep the rest);
trafilatura fills the body, and the title when the site selectors find none. trafilatura's date
is not used: on this site it picks the header's "today" date. Not articles (None): pages where
trafilatura, in its precision mode, finds less than ``MIN_TEXT`` characters of prose, category
listings and SharePoint's error page.
"""

from __future__ import annotations

from html import escape

from lxml import etree

from crawler.items import Article
from crawler.parsers import most
from crawler.parsers.text import clean

PARSER_NAME = "fallback-trafilatura/1"
# At least this many characters of prose (lines of PROSE_LINE characters or more): menus,
# link lists and error messages are short lines.
MIN_TEXT = 200
PROSE_LINE = 80
# Pages that are certainly not articles: a category listing, SharePoint's error page.
NOT_ARTICLE = most.xpaths(
    "//*[contains(@id, '_pnListNews')]",
    "//*[contains(concat(' ', @class, ' '), ' listnews_item ')]",
    "id('ms-error')",
    "//*[contains(concat(' ', @class, ' '), ' ms-error-header ')]",
)


def parse_fallback(root: etree._Element, page_url: str, site_id: int) -> Article | None:
    # Imported here: trafilatura is slow to import and most pages never need it.
    import trafilatura

    if most.first(NOT_ARTICLE, root) is not None:
        return None
    title = most.find_title(root)
    published_at = most.find_date(root)
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
    lead = most.find_lead(root)
    if lead and paragraphs and paragraphs[0] == lead:
        paragraphs = paragraphs[1:]
    return Article(
        site_id=site_id,
        url=page_url,
        title=title or clean(data.get("title") or ""),
        lead=lead,
        body=paragraphs,
        body_html="".join(f"<p>{escape(p)}</p>" for p in paragraphs),
        published_at=published_at,
        category=most.find_category(root),
        source=most.find_source(root),
        images=[],
        attachments=[],
        parser=PARSER_NAME,
    )
