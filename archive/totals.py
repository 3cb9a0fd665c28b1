"""Honest result lists: the exact total beside a page of hits, and why a selection is empty.

:func:`search_page` answers a search as ``most-archive search`` and the web search page show
it: the total number of matching articles (counted, never capped), the offset and the hits of
one page, read in one snapshot of the archive so the total and the page agree even while a
crawl writes. :func:`empty_reasons` says which filter left nothing, in words for the user
(an unknown category names the closest category names).
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archive.normalize import fold
from archive.queries import (
    ArticleFilter,
    SearchHit,
    count_matches,
    id_ref,
    prepare,
    search,
)

if TYPE_CHECKING:
    import sqlite_utils

    from archive.search import Node

__all__ = ["SearchPage", "count_selected", "empty_reasons", "read_snapshot", "search_page"]

CLOSEST = 3  # category names suggested for an unknown one
COUNT_SELECTED = "SELECT count(*) FROM articles AS a WHERE 1 = 1{filters}"
CATEGORY_NAMES = """
SELECT name FROM categories WHERE name IS NOT NULL AND name != ''
UNION SELECT category FROM articles WHERE category IS NOT NULL AND category != ''
"""
CATEGORY_IDS = "SELECT 1 FROM categories WHERE id = :id AND (:portal IS NULL OR portal = :portal)"


@dataclass
class SearchPage:
    """One page of a search: ``total`` matching articles, ``hits`` from ``offset`` on."""

    total: int
    offset: int
    hits: list[SearchHit]

    @property
    def first(self) -> int:
        """1-based number of the first hit shown (0 when none is)."""
        return self.offset + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.offset + len(self.hits)

    def to_dict(self) -> dict[str, Any]:
        """The ``--json-object`` form: ``{"total", "offset", "results"}``."""
        return {
            "total": self.total,
            "offset": self.offset,
            "results": [h.to_dict() for h in self.hits],
        }


@contextlib.contextmanager
def read_snapshot(db: sqlite_utils.Database) -> Iterator[None]:
    """Run the reads inside one read transaction: in WAL mode they all see one state of the
    archive, so a crawl committing meanwhile cannot make a total disagree with its page."""
    own = not db.conn.in_transaction
    if own:
        db.conn.execute("BEGIN")
    try:
        yield
    finally:
        if own and db.conn.in_transaction:
            db.conn.execute("COMMIT")


def search_page(
    db: sqlite_utils.Database,
    node: Node,
    *,
    filters: ArticleFilter | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """The total and one page of hits (``limit`` 0: every hit from ``offset`` on)."""
    with read_snapshot(db):
        total = count_matches(db, node, filters=filters)
        hits = search(db, node, filters=filters, limit=limit, offset=offset) if total else []
    return SearchPage(total=total, offset=offset, hits=hits)


def count_selected(db: sqlite_utils.Database, filters: ArticleFilter) -> int:
    """How many articles ``filters`` select (no query): what ``export`` writes."""
    prepare(db)
    where, params = filters.sql("a.id", sets=True)
    return int(db.execute(COUNT_SELECTED.format(filters=where), params).fetchone()[0])


def _alone(flt: ArticleFilter) -> list[tuple[str, ArticleFilter]]:
    """Each filter that is set, as (its option as typed on the command line, it alone)."""
    parts: list[tuple[str, ArticleFilter]] = []
    if flt.portal:
        parts.append((f"--portal {flt.portal}", ArticleFilter(portal=flt.portal)))
    if flt.since or flt.until:
        parts.append(("--since/--until", ArticleFilter(since=flt.since, until=flt.until)))
    if flt.category:
        parts.append((f"--category {flt.category!r}", ArticleFilter(category=flt.category)))
    if flt.source:
        parts.append((f"--source {flt.source!r}", ArticleFilter(source=flt.source)))
    return parts


def _dates(flt: ArticleFilter) -> str:
    if flt.since and flt.until:
        return f"on or after {flt.since} and before {flt.until}"
    return f"on or after {flt.since}" if flt.since else f"before {flt.until}"


def _filter_reason(db: sqlite_utils.Database, option: str, flt: ArticleFilter) -> str:
    """Why ``flt`` (one filter) selects no article."""
    if flt.portal:
        return f"{option}: the archive holds no article of this portal"
    if flt.since or flt.until:
        return f"{option}: no article was published {_dates(flt)}"
    if flt.source:
        return f"{option}: no article's source line holds these words in this order"
    cat = (flt.category or "").strip()
    ref = id_ref(cat)
    if ref is not None:
        if ref.number is None or not list(
            db.query(CATEGORY_IDS, {"id": ref.number, "portal": ref.portal})
        ):
            return f"{option}: no category has this id"
        return f"{option}: no article is listed in this category"
    names = sorted({str(r["name"]) for r in db.query(CATEGORY_NAMES)})
    if any(fold(cat) in fold(n) for n in names):
        return f"{option}: no article is listed in a category of this name"
    closest = closest_names(cat, names)
    hint = f" (closest: {', '.join(closest)})" if closest else ""
    return f"{option}: no category's name contains it{hint}"


def closest_names(typed: str, names: list[str], n: int = CLOSEST) -> list[str]:
    """The ``n`` names most like ``typed``, compared without accents or case (difflib)."""
    by_folded: dict[str, str] = {}
    for name in names:
        by_folded.setdefault(fold(name), name)
    close = difflib.get_close_matches(fold(typed), list(by_folded), n=n, cutoff=0.4)
    if len(close) < n:  # a part of a long name ("tong hop" for "Tin tổng hợp")
        words = fold(typed).split()
        close += [f for f in by_folded if f not in close and any(w in f for w in words)]
    return [by_folded[f] for f in close[:n]]


def empty_reasons(
    db: sqlite_utils.Database, filters: ArticleFilter, node: Node | None = None
) -> list[str]:
    """Why nothing is selected: each filter that alone selects no article, or else the
    filter that leaves none of the query's matches, in words for the user. ``[]`` when
    there is no filter to blame (the query itself matches nothing, or nothing is set)."""
    prepare(db)
    parts = _alone(filters)
    reasons = [_filter_reason(db, opt, f) for opt, f in parts if count_selected(db, f) == 0]
    if reasons or not parts:
        return reasons
    if node is not None:
        matching = count_matches(db, node)
        if matching == 0:
            return []
        for option, alone in parts:
            if count_matches(db, node, filters=alone) == 0:
                return [f"{option}: none of the {matching} articles matching the query"]
    elif len(parts) == 1:  # pragma: no cover - one filter that selects articles selects some
        return []
    shown = ", ".join(opt for opt, _ in parts)
    return [f"{shown}: each selects articles, but no article passes all of them together"]
