"""Which portal a site's page belongs to, from its markup alone (never from its host).

The crawl fetches a site's root (``/``) before anything else and asks :func:`portal_of_page`
which portal's walk to follow, so a replica on 127.0.0.1 is crawled exactly like the real host.
Each portal has markers: structures of its CMS that the other does not produce (SharePoint's
``__VIEWSTATE``, ``/_layouts/`` and ``listnews_item``; the VCCorp newsroom's ``#hdZoneId``,
``box-category-item`` and ``/tin-tuc-su-kien/…htm`` zone links). The portal with the most
markers present wins; a page with none (an error page, a parking page) belongs to no portal.
"""

from __future__ import annotations

from lxml import etree

from crawler.parsers.document import load


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _xp(*paths: str) -> tuple[etree.XPath, ...]:
    return tuple(etree.XPath(f"boolean({p})") for p in paths)


# --- markers, per portal name --------------------------------------------------------------------
MARKERS: dict[str, tuple[etree.XPath, ...]] = {
    "most": _xp(
        "//input[@name='__VIEWSTATE' or @id='__VIEWSTATE']",
        "//*[@src[contains(., '/_layouts/')] or @href[contains(., '/_layouts/')]]",
        f"//*[{_has_class('listnews_item')}]",
        "//a[@href[contains(translate(., 'CHUYENMUC', 'chuyenmuc'), '/chuyen-muc/')]]",
        "//a[@href[contains(translate(., 'PAGES', 'pages'), '/vn/pages/')]]",
        "//*[@id='divArticleDescription2']",
    ),
    "mst": _xp(
        "//input[@id='hdZoneId']",
        f"//*[{_has_class('box-category-item')} or {_has_class('box-stream-item')}]",
        "//a[@href[contains(., '/tin-tuc-su-kien/') and contains(., '.htm')]]",
        "//*[@src[contains(., 'mediacdn.vn/')] or @data-src[contains(., 'mediacdn.vn/')]]",
        f"//*[{_has_class('detail-content')} or {_has_class('afcbc-body')}]",
        f"//*[{_has_class('list__news')} or {_has_class('list__focus')}]",
    ),
}
# ---------------------------------------------------------------------------------------------


def portal_scores(html: bytes | str) -> dict[str, int]:
    """How many markers of each portal the page carries."""
    root = load(html)
    if root is None:
        return dict.fromkeys(MARKERS, 0)
    return {name: sum(1 for m in markers if m(root) is True) for name, markers in MARKERS.items()}


def portal_of_page(html: bytes | str, url: str = "") -> str | None:
    """The name of the portal whose markup the page carries (``"most"``, ``"mst"``), else None.

    ``url`` is accepted for symmetry with the other parsers and deliberately not used: the
    host name never decides.
    """
    scores = portal_scores(html)
    best = max(scores.values())
    if best == 0:
        return None
    winners = [name for name, score in scores.items() if score == best]
    return winners[0] if len(winners) == 1 else None
