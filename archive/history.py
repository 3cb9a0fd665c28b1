"""The read side of revisions: every stored version of the selected articles, oldest first.

:func:`iter_revisions` walks the articles an :class:`archive.queries.ArticleFilter` selects
(in site-id order, as the article export does) and yields each of their revisions as it was
archived, with the time its page was fetched (``fetched_at``: the raw page's fetch time, or
the time the version was first seen when no raw page is linked) and the stored file path of
each image and attachment the version named. Texts are read through
:func:`archive.queries.get_revisions`, the one reader of the revisions table's storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from archive.queries import ArticleFilter, get_revisions, prepare

if TYPE_CHECKING:
    import sqlite_utils

__all__ = ["iter_revisions"]

SELECTED_ARTICLES = """
SELECT a.portal, a.site_id, a.revision AS current_revision FROM articles AS a
WHERE 1 = 1{filters}
ORDER BY a.site_id, a.portal
"""
REVISION_FETCHES = """
SELECT r.revision, p.fetched_at FROM revisions r LEFT JOIN raw_pages p ON p.id = r.page_id
WHERE r.portal = :portal AND r.site_id = :site_id
"""
REVISION_URLS = (
    "SELECT url FROM revisions WHERE portal = :portal AND site_id = :site_id "
    "AND revision = :revision"
)
FILE_PATH = "SELECT path FROM files WHERE url = :url"


def iter_revisions(
    db: sqlite_utils.Database, filters: ArticleFilter | None = None
) -> Iterator[dict[str, Any]]:
    """Every revision of every selected article: the dicts of
    :func:`archive.queries.get_revisions` plus ``portal``, ``site_id``, ``url`` (the
    article's URL then, or its current one when the revision did not record it),
    ``fetched_at``, ``current`` (the article's current revision) and ``path`` in each
    image and attachment. A generator: one article's revisions in memory at a time."""
    prepare(db)
    where, params = (filters or ArticleFilter()).sql("a.id")
    articles = db.execute(SELECTED_ARTICLES.format(filters=where), params).fetchall()
    for portal, site_id, current in articles:
        p = {"portal": portal, "site_id": site_id}
        fetched = {int(r): f for r, f in db.execute(REVISION_FETCHES, p).fetchall()}
        article_url = db.execute(
            "SELECT url FROM articles WHERE portal = :portal AND site_id = :site_id", p
        ).fetchone()[0]
        for rev in get_revisions(db, int(site_id), portal=portal):
            number = int(rev["revision"])
            row = db.execute(REVISION_URLS, {**p, "revision": number}).fetchone()
            rev["portal"], rev["site_id"] = portal, int(site_id)
            rev["url"] = (row[0] if row else None) or article_url
            rev["fetched_at"] = fetched.get(number) or rev["first_seen"]
            rev["current"] = number == int(current)
            for item in (*rev["images"], *rev["attachments"]):
                if isinstance(item, dict) and "url" in item:
                    found = db.execute(FILE_PATH, {"url": str(item["url"])}).fetchone()
                    item["path"] = found[0] if found else None
            yield rev
