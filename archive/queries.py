"""The read side of the archive: search, one article with its history, export rows, stats.

Every function takes an open ``sqlite_utils.Database`` (``archive.db.open_archive(path,
readonly=True)`` is what the CLI passes) and only reads. SQL lives here as named constants;
the few parts that vary (filters) are assembled from fixed fragments, and every value a user
typed is a bound parameter.

Search never ranks more rows than it returns. FTS5's ``bm25()`` first walks the full posting
list of every query word to weigh it (measured: 11-57 ms per query on a 52,000-article archive
for common words, whatever the LIMIT), and for words found in most articles its weight is zero
anyway. So the order is built from cheap steps instead, each one FTS5 query walked in rowid
order and stopped by ``LIMIT`` (well under 1 ms each):
1. the query as typed (NFC, accents kept) against ``articles_fts_exact``: matches in the title,
   then in the lead, then anywhere;
2. the query folded (``archive.normalize.fold``: no accents, đ→d) against ``articles_fts``,
   same three steps, leaving out what step 1 returned;
newest article first within a step. An article holding the words with the diacritics as typed
always comes before one that holds them only without (or with other) diacritics.

Which articles match is the folded index's answer alone (the exact one only orders them; for
a query with NOT its steps are kept inside the folded answer), so :func:`count_matches` counts
every match exactly with one ``count(*)`` over the folded index, and a search with an offset,
or ``limit=0`` for all, walks the same steps further: paging gives every hit exactly once. A
query of exclusions only (``-điện``) is every article but the folded index's matches.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlite_utils

from archive import drift
from archive.migrations import FTS_EXACT, FTS_FOLDED
from archive.normalize import fold, fold_sql, nfc, split_body
from archive.revisions import texts as revision_texts
from archive.search import (
    And,
    Node,
    Not,
    Or,
    only_exclusions,
    parse_query,
    quick_fold,
    snippet,
    split_tokens,
    to_fts,
)
from crawler.portals import portal_for_article_url
from crawler.portals.spec import to_int

__all__ = [
    "AmbiguousArticle",
    "ArticleFilter",
    "ArticleRef",
    "SearchHit",
    "count_matches",
    "get_article",
    "id_ref",
    "iter_articles",
    "parse_date",
    "resolve_article",
    "resolve_article_id",
    "search",
    "stats",
]

FOLD_FUNCTION = "most_fold"  # SQL function registered by prepare(): archive.normalize.fold

_KEY = re.compile(r"([a-z][a-z0-9_-]*):([0-9]+)", re.IGNORECASE)  # "mst:197250704101929995"
_ID = re.compile(r"[0-9]+")  # "13245" (ASCII digits: str.isdigit takes "²", which int refuses)
# More rows than any archive holds: a search's limit and offset are cut to it, so that their
# sum stays within SQLite's 64-bit INTEGER (a user may type -n 10**23 for "all of them").
MOST_ROWS = 2**61


def article_key(portal: str, site_id: int) -> str:
    """The key of an article: ``portal:site_id`` (what links and exports use)."""
    return f"{portal}:{site_id}"


class IdRef(NamedTuple):
    """An id as a user typed it: a key (``portal`` set) or a bare id (``portal`` None).

    ``number`` is None when the digits make a number longer than any id an archive holds
    (:func:`crawler.portals.spec.to_int`, the rule the crawler stores ids by): such an id
    names no article and no category, and is never handed to SQLite (whose INTEGER it may not
    fit).
    """

    portal: str | None
    number: int | None


def id_ref(text: str) -> IdRef | None:
    """``text`` read as a key (``"mst:197250704101929995"``) or a bare id (``"13245"``); None
    when it is neither (a name, a URL)."""
    text = text.strip()
    if m := _KEY.fullmatch(text):
        return IdRef(m[1].lower(), to_int(m[2]))
    if _ID.fullmatch(text):
        return IdRef(None, to_int(text))
    return None


# --- filters -------------------------------------------------------------------------------


# The end bound of a period ending on 9999-12-31: there is no next day to point to, and this
# text sorts after every ISO time of that day (hours run to 23; 24:00:00 is ISO 8601's end of it).
END_OF_TIME = "9999-12-31T24:00:00"
DAY = dt.timedelta(days=1)


def parse_date(value: str, *, end: bool) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` → a bound for comparing with ``published_at``.

    Start bounds are inclusive (``published_at >= bound``); end bounds are exclusive and point
    just past the period (``--until 2024-03`` → ``< 2024-04``), so the whole day/month/year
    given is included. Raises ``ValueError`` with a message for the user.
    """
    text = value.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if not m:
        raise ValueError(f"{value!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")
    year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
    try:
        start = dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date ({exc})") from None
    if not end:
        return start.isoformat()
    try:
        if m[3]:
            after = start + DAY
        elif m[2]:
            after = dt.date(year + month // 12, month % 12 + 1, 1)
        else:
            after = dt.date(year + 1, 1, 1)
    except (ValueError, OverflowError):  # the period ends on 9999-12-31: no next day
        return END_OF_TIME
    return after.isoformat()


@dataclass(frozen=True)
class ArticleFilter:
    """Which articles a search or an export covers. Empty = all."""

    since: str | None = None  # inclusive lower bound from parse_date(end=False)
    until: str | None = None  # exclusive upper bound from parse_date(end=True)
    category: str | None = None  # part of a category name, its id or portal:id
    source: str | None = None  # words of the source line (accents/case optional)
    portal: str | None = None  # "most" or "mst"
    query: str | None = None  # a search query (archive.search syntax): the articles it finds

    def sql(self, column: str = "a", *, sets: bool = False) -> tuple[str, dict[str, Any]]:
        """`` AND ...`` conditions on an article's row id, and their parameters.

        ``column`` is the row-id expression (``"articles_fts.rowid"``, ``"a.id"``) or just a
        table alias (``"a"`` → ``"a.id"``). Each condition is ``id IN (subquery)`` or a
        per-row lookup answered from an index or a small table (published_at, portal,
        article_categories, categories, the folded FTS table), so filtering reads no articles
        row (with its long body). The connection needs :func:`prepare` first (the category
        names are folded in SQL).

        ``sets=True`` checks the category as ``id IN (the category's articles)``, a set built
        once from the indexes: for counting every match, where checking row by row would cost
        a lookup per matching article (a search walking only until it has a page keeps the
        row-by-row form).
        """
        id_column = column if "." in column else f"{column}.id"
        where: list[str] = []
        params: dict[str, Any] = {}
        if self.portal:
            where.append(f"{id_column} IN ({_PORTAL_IDS})")
            params["f_portal"] = self.portal
        if self.since or self.until:
            where.append(f"{id_column} IN ({_DATE_IDS})")
            params["f_since"] = self.since or ""
            params["f_until"] = self.until or "9999"
        if self.category:
            cat = self.category.strip()
            ref = id_ref(cat)
            if ref is not None and ref.number is None:
                where.append("0")  # an id longer than any: no category has it
            elif ref is not None and sets:
                where.append(f"{id_column} IN ({_CATEGORY_ID_IDS})")
                params["f_category_portal"], params["f_category_id"] = ref
            elif sets:
                where.append(f"{id_column} IN ({_CATEGORY_NAME_IDS})")
                params["f_category"] = fold(cat)
                params["f_category_name"] = nfc(cat)
            elif ref is not None:
                where.append(_CATEGORY_ID_COND.format(id=id_column))
                params["f_category_portal"], params["f_category_id"] = ref
            else:
                where.append(_CATEGORY_NAME_COND.format(id=id_column))
                params["f_category"] = fold(cat)
                params["f_category_name"] = nfc(cat)
        if self.source:
            where.append(f"{id_column} IN ({_SOURCE_IDS})")
            params["f_source"] = self.source_match()
        if self.query:
            # The articles search finds: the folded index decides (see count_matches).
            node = parse_query(self.query)
            excluded = only_exclusions(node)
            if excluded is None:
                where.append(f"{id_column} IN ({_QUERY_IDS})")
                params["f_query"] = to_fts(node, fold)
            else:
                where.append(f"{id_column} NOT IN ({_QUERY_IDS})")
                params["f_query"] = to_fts(excluded, fold)
        return "".join(f" AND {w}" for w in where), params

    def source_match(self) -> str:
        """The FTS5 expression "these words, in this order, in the source column" (folded)."""
        tokens = split_tokens(fold(self.source or "")) or ["\u2400"]
        return '{source} : "' + " ".join(tokens) + '"'


_PORTAL_IDS = "SELECT id FROM articles WHERE portal = :f_portal"
_DATE_IDS = "SELECT id FROM articles WHERE published_at >= :f_since AND published_at < :f_until"
# Category conditions are checked per article (primary-key lookups in article_categories), so a
# search streaming matches stops as soon as it has enough, without building a set first.
_CATEGORY_ID_COND = (
    "EXISTS (SELECT 1 FROM articles x JOIN article_categories ac ON ac.portal = x.portal "
    "AND ac.site_id = x.site_id WHERE x.id = {id} AND ac.category_id = :f_category_id "
    "AND (:f_category_portal IS NULL OR ac.portal = :f_category_portal))"
)
# Listed in a listing whose name contains NAME (categories is a small table), or with such a
# listing's name (or NAME itself) as the breadcrumb category: checked row by row, only for the
# articles the search walks past (articles.category has no index; a set of all such articles
# would be a full scan of the table).
_MATCHING_LISTINGS = (
    f"SELECT {{col}} FROM categories WHERE instr({FOLD_FUNCTION}(coalesce(name, '')), "
    ":f_category) > 0"
)
_CATEGORY_NAME_COND = (
    "EXISTS (SELECT 1 FROM articles x WHERE x.id = {id} AND (EXISTS (SELECT 1 FROM "
    "article_categories ac WHERE ac.portal = x.portal AND ac.site_id = x.site_id AND "
    "ac.category_id IN ("
    + _MATCHING_LISTINGS.format(col="id")
    + " AND portal = x.portal)) OR x.category = :f_category_name OR x.category IN ("
    + _MATCHING_LISTINGS.format(col="name")
    + ")))"
)
# The same conditions as sets of article ids (ArticleFilter.sql(sets=True), for counting).
_CATEGORY_ID_IDS = (
    "SELECT x.id FROM article_categories ac JOIN articles x ON x.portal = ac.portal "
    "AND x.site_id = ac.site_id WHERE ac.category_id = :f_category_id "
    "AND (:f_category_portal IS NULL OR ac.portal = :f_category_portal)"
)
_CATEGORY_NAME_IDS = (
    "SELECT x.id FROM article_categories ac JOIN articles x ON x.portal = ac.portal "
    "AND x.site_id = ac.site_id WHERE (ac.portal, ac.category_id) IN ("
    + _MATCHING_LISTINGS.format(col="portal, id")
    + ") UNION SELECT id FROM articles WHERE category = :f_category_name OR category IN ("
    + _MATCHING_LISTINGS.format(col="name")
    + ")"
)
_SOURCE_IDS = f"SELECT rowid FROM {FTS_FOLDED} WHERE {FTS_FOLDED} MATCH :f_source"
_QUERY_IDS = f"SELECT rowid FROM {FTS_FOLDED} WHERE {FTS_FOLDED} MATCH :f_query"


def prepare(db: sqlite_utils.Database) -> None:
    """Register the SQL function the filters use (``most_fold`` = archive.normalize.fold)."""
    db.conn.create_function(FOLD_FUNCTION, 1, fold_sql, deterministic=True)


# --- search ----------------------------------------------------------------------------------

# Ranking, best first: where the query matches (title > lead > anywhere), with the diacritics
# as typed before without; within one step, newest article (highest row id: the site id unless
# two portals share it) first. Each step
# is one FTS5 query walked in rowid order and stopped by LIMIT, so its cost follows the number
# of results wanted, not the number of articles that match (see docs/cli.md, "Ranking").
RANK_STEPS: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("title", ("title",)),
    ("lead", ("title", "lead")),
    ("text", None),  # any column: title, lead, body, captions, source
)
SEARCH_STEP = """
SELECT {fts}.rowid AS id FROM {fts}
WHERE {fts} MATCH :match{filters}
ORDER BY {fts}.rowid DESC
LIMIT :limit
"""
_FOLDED_IDS = f"SELECT rowid FROM {FTS_FOLDED} WHERE {FTS_FOLDED} MATCH :folded"
COUNT_MATCHES = """
SELECT count(*) FROM {fts} WHERE {fts} MATCH :match{filters}
"""
EVERY_ARTICLE_BUT = """
SELECT a.id FROM articles AS a
WHERE a.id NOT IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :drop){filters}
ORDER BY a.id DESC
LIMIT :limit
"""
COUNT_EVERY_ARTICLE_BUT = """
SELECT count(*) FROM articles AS a
WHERE a.id NOT IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :drop){filters}
"""
HIT_BATCH = 500  # articles read per query when building hits (SQLite's IN list stays short)
SEARCH_ROWS = """
SELECT a.id, a.portal, a.site_id, a.url, a.title, a.lead, a.body, a.published_at, a.category,
       a.source, a.withdrawn_at,
       (SELECT group_concat(coalesce(caption, ''), ' ') FROM images i
        WHERE i.portal = a.portal AND i.site_id = a.site_id) AS captions
FROM articles AS a WHERE a.id IN ({ids})
"""


@dataclass
class SearchHit:
    site_id: int
    url: str
    title: str
    published_at: str | None
    category: str | None
    source: str | None
    snippet: str
    score: int  # higher is better: 6 exact in title … 1 folded elsewhere
    exact: bool  # the words matched with the diacritics as typed
    where: str  # "title", "lead" (title or lead) or "text" (anywhere)
    portal: str = "most"
    withdrawn_at: str | None = None  # when a re-check found it gone from the site (None: live)

    @property
    def key(self) -> str:
        return article_key(self.portal, self.site_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "site_id": self.site_id,
            "url": self.url,
            "title": self.title,
            "published_at": self.published_at,
            "category": self.category,
            "source": self.source,
            "snippet": self.snippet,
            "score": self.score,
            "match": "exact" if self.exact else "folded",
            "where": self.where,
            "portal": self.portal,
            "key": self.key,
            "withdrawn_at": self.withdrawn_at,
        }


def _step_match(expression: str, columns: tuple[str, ...] | None) -> str:
    if columns is None:
        return expression
    # The column filter finds the words in these columns; AND-ing the whole expression keeps
    # NOT meaning "nowhere in the article", not just "not in the title".
    return "{" + " ".join(columns) + "} : " + expression + " AND " + expression


def search(
    db: sqlite_utils.Database,
    query: str | Node,
    *,
    filters: ArticleFilter | None = None,
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """Full-text search over title, lead, body, captions and source; best hits first.

    ``query`` uses the syntax of :mod:`archive.search` (raises ``archive.search.QueryError``
    when malformed). Order: articles holding the words with the diacritics as typed, then
    those holding them only accent-folded; within each, matches in the title, then in the
    lead, then anywhere; within each of those, newest first. ``offset`` hits are skipped;
    ``limit=0`` returns every hit after them. Which articles match is decided by the folded
    index alone (:func:`count_matches` counts them); the exact index only ranks.
    """
    node = parse_query(query) if isinstance(query, str) else query
    limit, offset = (min(max(0, int(n)), MOST_ROWS) for n in (limit, offset))
    prepare(db)
    found = ranked_ids(db, node, filters or ArticleFilter(), None if limit == 0 else offset + limit)
    found = found[offset:] if limit == 0 else found[offset : offset + limit]
    return _hits(db, node, found)


def ranked_ids(
    db: sqlite_utils.Database, node: Node, flt: ArticleFilter, wanted: int | None
) -> list[tuple[int, int, bool, str]]:
    """The first ``wanted`` matches (all when None) in search order, as (row id, score, exact,
    where); :func:`prepare` must have been called."""
    found: list[tuple[int, int, bool, str]] = []
    seen: set[int] = set()
    excluded = only_exclusions(node)
    if excluded is not None:  # "-a -b": every article but those, newest first
        where, params = flt.sql("a.id")
        sql = EVERY_ARTICLE_BUT.format(fts=FTS_FOLDED, filters=where)
        rows = db.execute(
            sql,
            {**params, "drop": to_fts(excluded, fold), "limit": -1 if wanted is None else wanted},
        )
        return [(int(r[0]), 1, False, "text") for r in rows]
    folded = to_fts(node, fold)
    tiers = ((FTS_EXACT, to_fts(node, nfc), True), (FTS_FOLDED, folded, False))
    score = len(tiers) * len(RANK_STEPS)
    for fts, expression, exact in tiers:
        for step, columns in RANK_STEPS:
            if wanted is not None and len(found) >= wanted:
                break
            # "+": the sets filter FTS rows as they stream by; without it SQLite would walk
            # the set and run the MATCH once per article in it (seconds on a large archive).
            where, params = flt.sql(f"+{fts}.rowid")
            if exact and _has_not(node):
                # The folded index decides what matches: "a NOT điện" leaves out "dien" too.
                where += f" AND +{fts}.rowid IN ({_FOLDED_IDS})"
                params["folded"] = folded
            sql = SEARCH_STEP.format(fts=fts, filters=where)
            # Rows found by an earlier step come again here: skipped, so ask for that many more.
            room = -1 if wanted is None else wanted - len(found) + len(seen)
            rows = db.execute(
                sql, {**params, "match": _step_match(expression, columns), "limit": room}
            )
            for (row_id,) in rows:
                if row_id in seen:
                    continue
                found.append((int(row_id), score, exact, step))
                seen.add(int(row_id))
                if wanted is not None and len(found) >= wanted:
                    break
            score -= 1
    return found


def _has_not(node: Node) -> bool:
    if isinstance(node, Not):
        return True
    if isinstance(node, And | Or):
        return any(_has_not(p) for p in node.parts)
    return False


def count_matches(
    db: sqlite_utils.Database, query: str | Node, *, filters: ArticleFilter | None = None
) -> int:
    """How many articles :func:`search` finds for ``query`` with ``filters``, exactly (what
    ``search(..., limit=0)`` would return, counted in the folded index without ranking)."""
    node = parse_query(query) if isinstance(query, str) else query
    prepare(db)
    flt = filters or ArticleFilter()
    excluded = only_exclusions(node)
    if excluded is not None:
        where, params = flt.sql("a.id", sets=True)
        sql = COUNT_EVERY_ARTICLE_BUT.format(fts=FTS_FOLDED, filters=where)
        return int(db.execute(sql, {**params, "drop": to_fts(excluded, fold)}).fetchone()[0])
    where, params = flt.sql(f"+{FTS_FOLDED}.rowid", sets=True)
    sql = COUNT_MATCHES.format(fts=FTS_FOLDED, filters=where)
    return int(db.execute(sql, {**params, "match": to_fts(node, fold)}).fetchone()[0])


def _hits(
    db: sqlite_utils.Database, node: Node, found: list[tuple[int, int, bool, str]]
) -> list[SearchHit]:
    """The hits of ``found`` with their article fields and snippets, in that order."""
    hits: list[SearchHit] = []
    for first in range(0, len(found), HIT_BATCH):
        chunk = found[first : first + HIT_BATCH]
        ids = ", ".join(str(f[0]) for f in chunk)
        articles = {int(r["id"]): r for r in db.query(SEARCH_ROWS.format(ids=ids))}
        for row_id, rank, exact, step in chunk:
            a = articles.get(row_id)
            if a is None:  # an index row without its article: nothing to show
                continue
            texts = [
                a["lead"] or "",
                *split_body(a["body"]),
                a["captions"] or "",
                a["source"] or "",
            ]
            hits.append(
                SearchHit(
                    site_id=int(a["site_id"]),
                    portal=a["portal"],
                    url=a["url"],
                    title=a["title"],
                    published_at=a["published_at"],
                    category=a["category"],
                    source=a["source"],
                    snippet=snippet(texts, node, str.lower, quick_fold)
                    if exact
                    else snippet(texts, node, quick_fold),
                    score=rank,
                    exact=exact,
                    where=step,
                    withdrawn_at=a["withdrawn_at"],
                )
            )
    return hits


# --- one article -----------------------------------------------------------------------------

ARTICLE_BY_ID = "SELECT * FROM articles WHERE portal = :portal AND site_id = :site_id"
ARTICLE_BY_URL = "SELECT portal, site_id FROM articles WHERE url = :url COLLATE NOCASE LIMIT 1"
ARTICLES_BY_SITE_ID = "SELECT portal, site_id FROM articles WHERE site_id = ? ORDER BY portal"
ARTICLE_IMAGES = """
SELECT i.position, i.url, i.caption, i.alt, f.path, f.size, f.content_type, f.sha256
FROM images i LEFT JOIN files f ON f.url = i.url
WHERE i.portal = :portal AND i.site_id = :site_id ORDER BY i.position
"""
ARTICLE_ATTACHMENTS = """
SELECT t.position, t.url, t.title, f.path, f.size, f.content_type, f.sha256
FROM attachments t LEFT JOIN files f ON f.url = t.url
WHERE t.portal = :portal AND t.site_id = :site_id ORDER BY t.position
"""
ARTICLE_CATEGORIES = """
SELECT c.id, c.name, c.url FROM article_categories ac
JOIN categories c ON c.portal = ac.portal AND c.id = ac.category_id
WHERE ac.portal = :portal AND ac.site_id = :site_id ORDER BY c.id
"""
ARTICLE_REVISIONS = """
SELECT revision, content_hash, title, lead, body, published_at, category, source, images_json,
       attachments_json, parser, reason, first_seen, last_seen, author, tags, storage,
       packed, body_html, portal
FROM revisions WHERE portal = :portal AND site_id = :site_id ORDER BY revision
"""


class ArticleRef(NamedTuple):
    """An archived article's identity: its portal and its id there."""

    portal: str
    site_id: int

    @property
    def key(self) -> str:
        return article_key(self.portal, self.site_id)


class AmbiguousArticle(ValueError):
    """A bare id that articles of several portals have; ``keys`` names each of them."""

    def __init__(self, site_id: int, keys: list[str]) -> None:
        self.site_id = site_id
        self.keys = keys
        super().__init__(
            f"id {site_id} is an article of {len(keys)} portals: {', '.join(keys)} "
            "(give the key instead)"
        )


def resolve_article(db: sqlite_utils.Database, ref: str) -> ArticleRef | None:
    """The archived article ``ref`` names, or ``None``.

    ``ref`` is a key (``"mst:197250704101929995"``), a bare id (``"13245"``: raises
    :class:`AmbiguousArticle` when articles of two portals have it) or any URL form of the
    article (scheme, www, host, case, slug, query, legacy ``chitiettin.aspx?IDNews=``).
    """
    text = ref.strip()
    typed = id_ref(text)
    candidate: ArticleRef | None
    if typed is not None:
        if typed.number is None:
            return None  # longer than any id
        if typed.portal is None:  # a bare id: whichever portal has it
            found = [
                ArticleRef(r["portal"], int(r["site_id"]))
                for r in db.query(ARTICLES_BY_SITE_ID, [typed.number])
            ]
            if len(found) > 1:
                raise AmbiguousArticle(typed.number, [f.key for f in found])
            return found[0] if found else None
        candidate = ArticleRef(typed.portal, typed.number)
    else:
        row = next(iter(db.query(ARTICLE_BY_URL, {"url": text})), None)
        if row is not None:
            return ArticleRef(row["portal"], int(row["site_id"]))
        named = portal_for_article_url(text)  # the portals' URL rules (crawler.portals)
        candidate = ArticleRef(named[0].name, named[1]) if named else None
    if candidate is None:
        return None
    found_row = next(
        iter(db.query("SELECT 1 FROM articles WHERE portal = ? AND site_id = ?", list(candidate))),
        None,
    )
    return candidate if found_row else None


def resolve_article_id(db: sqlite_utils.Database, id_or_url: str) -> int | None:
    """The site id of the article ``id_or_url`` names (see :func:`resolve_article`)."""
    found = resolve_article(db, id_or_url)
    return None if found is None else found.site_id


def get_article(
    db: sqlite_utils.Database, site_id: int, *, portal: str = "most"
) -> dict[str, Any] | None:
    """One article in full, as a JSON-ready dict, or ``None``.

    Keys: the ``articles`` columns but ``id`` and ``body_html`` (``portal``, ``key``,
    ``author`` and ``tags`` — a list — among them), ``body`` as stored (paragraphs separated
    by a blank line), ``categories`` (``[{id, name, url}]``), ``images`` (``[{position, url,
    caption, alt, path, size, content_type}]``, ``path`` relative to the files folder or None),
    ``attachments`` (same with ``title``), ``revisions`` (oldest first, each with ``revision,
    content_hash, title, lead, body, published_at, category, source, images, attachments,
    parser, reason, first_seen, last_seen, author, tags``).
    """
    p = {"portal": portal, "site_id": site_id}
    row = next(iter(db.query(ARTICLE_BY_ID, p)), None)
    if row is None:
        return None
    article = {k: v for k, v in row.items() if k not in ("id", "body_html", "body_html_packed")}
    article["tags"] = _json_list(article.get("tags"))
    article["categories"] = list(db.query(ARTICLE_CATEGORIES, p))
    article["images"] = list(db.query(ARTICLE_IMAGES, p))
    article["attachments"] = list(db.query(ARTICLE_ATTACHMENTS, p))
    article["revisions"] = get_revisions(db, site_id, portal=portal)
    return article


def get_revisions(
    db: sqlite_utils.Database, site_id: int, *, portal: str = "most"
) -> list[dict[str, Any]]:
    """Every stored version of an article, oldest first, with its fields as they were."""
    revisions = []
    for r in db.query(ARTICLE_REVISIONS, {"portal": portal, "site_id": site_id}):
        rev = dict(r)
        rev["lead"], rev["body"], _html = revision_texts(db, site_id, rev)
        for key in ("storage", "packed", "body_html", "portal"):
            rev.pop(key)
        rev["images"] = _json_list(rev.pop("images_json"))
        rev["attachments"] = _json_list(rev.pop("attachments_json"))
        rev["tags"] = _json_list(rev.get("tags"))
        revisions.append(rev)
    return revisions


def _json_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text or "[]")
    except json.JSONDecodeError:
        return []
    return value if isinstance(value, list) else []


# --- export ----------------------------------------------------------------------------------

EXPORT_ARTICLES = """
SELECT a.site_id, a.url, a.title, a.lead, a.body, a.published_at, a.category, a.source,
       a.parser, a.revision, a.first_seen, a.last_seen, a.last_changed, a.portal, a.author,
       a.tags, a.key, a.withdrawn_at,
       (SELECT json_group_array(c.name) FROM article_categories ac
        JOIN categories c ON c.portal = ac.portal AND c.id = ac.category_id
        WHERE ac.portal = a.portal AND ac.site_id = a.site_id) AS categories
FROM articles AS a WHERE 1 = 1{filters}
ORDER BY a.site_id, a.portal
"""
EXPORT_IMAGES = """
SELECT i.url, i.caption, f.path FROM images i LEFT JOIN files f ON f.url = i.url
WHERE i.portal = :portal AND i.site_id = :site_id ORDER BY i.position
"""
EXPORT_ATTACHMENTS = """
SELECT t.url, t.title, f.path FROM attachments t LEFT JOIN files f ON f.url = t.url
WHERE t.portal = :portal AND t.site_id = :site_id ORDER BY t.position
"""


def iter_articles(
    db: sqlite_utils.Database, filters: ArticleFilter | None = None
) -> Iterator[dict[str, Any]]:
    """Every matching article, by site id (then portal), with ``images`` ``[{url, caption,
    path}]``, ``attachments`` ``[{url, title, path}]``, ``categories`` (names), ``portal``,
    ``author``, ``tags`` (a list) and ``key``. A generator over a cursor: memory stays flat
    however large the archive."""
    prepare(db)
    where, params = (filters or ArticleFilter()).sql("a.id")
    for row in db.query(EXPORT_ARTICLES.format(filters=where), params):
        article = dict(row)
        article["categories"] = [c for c in _json_list(article["categories"]) if c]
        article["tags"] = _json_list(article["tags"])
        p = {"portal": article["portal"], "site_id": article["site_id"]}
        article["images"] = list(db.query(EXPORT_IMAGES, p))
        article["attachments"] = list(db.query(EXPORT_ATTACHMENTS, p))
        yield article


# --- stats -----------------------------------------------------------------------------------

# ":portal IS NULL OR portal = :portal": every portal, or one. Raw pages have no portal: their
# count is the whole archive's; files count for a portal when one of its articles links them.
_P = "(:portal IS NULL OR portal = :portal)"
_FILES_OF = (
    "(:portal IS NULL OR url IN (SELECT url FROM images WHERE portal = :portal "
    "UNION SELECT url FROM attachments WHERE portal = :portal))"
)
STATS_TOTALS = f"""
SELECT (SELECT count(*) FROM articles WHERE {_P}) AS articles,
       (SELECT count(*) FROM revisions WHERE {_P}) AS revisions,
       (SELECT count(*) FROM images WHERE {_P}) AS images,
       (SELECT count(*) FROM attachments WHERE {_P}) AS attachments,
       (SELECT count(*) FROM raw_pages) AS raw_pages,
       (SELECT count(*) FROM files WHERE {_FILES_OF}) AS files,
       (SELECT coalesce(sum(size), 0) FROM files WHERE {_FILES_OF}) AS file_bytes,
       (SELECT min(published_at) FROM articles WHERE {_P}) AS oldest,
       (SELECT max(published_at) FROM articles WHERE {_P}) AS newest
"""
STATS_BY_PORTAL = """
SELECT portal, count(*) AS articles, min(published_at) AS oldest, max(published_at) AS newest
FROM articles GROUP BY portal ORDER BY portal
"""
STATS_BY_CATEGORY = f"""
SELECT coalesce(category, '(none)') AS category, count(*) AS articles
FROM articles WHERE {_P} GROUP BY 1 ORDER BY articles DESC, category
"""
STATS_BY_YEAR = f"""
SELECT coalesce(substr(published_at, 1, 4), '(none)') AS year, count(*) AS articles
FROM articles WHERE {_P} GROUP BY 1 ORDER BY year
"""
STATS_RUNS = f"""
SELECT id, started_at, finished_at, mode, outcome, pages_fetched, articles_new,
       articles_updated, articles_unchanged, files, errors, portal, site,
       json_extract(counts_json, '$.site_served') AS site_served
FROM runs WHERE {_P} ORDER BY id DESC LIMIT :limit
"""
STATS_OPEN_ERRORS = f"""
SELECT kind, count(*) AS count FROM fetch_errors WHERE resolved_at IS NULL AND {_P}
GROUP BY kind ORDER BY kind
"""
STATS_ERROR_REASONS = f"""
SELECT coalesce(nullif(reason, ''), 'HTTP ' || status, '(no reason recorded)') AS reason,
       count(*) AS count
FROM fetch_errors WHERE resolved_at IS NULL AND {_P}
GROUP BY 1 ORDER BY count DESC, reason
"""
STATS_RECENT_ERRORS = f"""
SELECT url, kind, status, reason, attempts, first_failed, last_failed, portal FROM fetch_errors
WHERE resolved_at IS NULL AND {_P} ORDER BY last_failed DESC LIMIT :limit
"""


# A site's frontier is its portal's when the run that left it was that portal's.
STATS_FRONTIER = """
SELECT site, sum(kind = 'listing') AS listings, sum(kind = 'article') AS articles,
       max(saved_at) AS saved_at, max(run_id) AS run_id
FROM walk_frontier
WHERE :portal IS NULL OR run_id IN (SELECT id FROM runs WHERE portal = :portal)
GROUP BY site ORDER BY site
"""


# Each site's last finished run, with its counts (the crawl's drift report is in them).
STATS_LAST_RUNS = f"""
SELECT id, site, portal, counts_json FROM runs
WHERE id IN (SELECT max(id) FROM runs WHERE finished_at IS NOT NULL GROUP BY site) AND {_P}
ORDER BY id DESC
"""


def listing_drift(db: sqlite_utils.Database, portal: str | None = None) -> list[dict[str, Any]]:
    """The listing drift of each site's last finished run (``crawler.outcome.listings_drifted``:
    none of its first listing pages listed an article link): run, site, portal, the first pages
    it parsed and up to five of them. Empty when the last runs' listings were fine."""
    found: list[dict[str, Any]] = []
    for row in db.query(STATS_LAST_RUNS, {"portal": portal}):
        try:
            report = json.loads(row["counts_json"] or "{}").get("drift") or []
        except (ValueError, AttributeError):
            continue
        for alarm in report if isinstance(report, list) else []:
            if isinstance(alarm, dict) and alarm.get("kind") == "listings":
                found.append(
                    {
                        "run": row["id"],
                        "site": row["site"],
                        "portal": alarm.get("portal") or row["portal"],
                        "first_pages": alarm.get("samples"),
                        "examples": [e.get("url") for e in alarm.get("examples") or []],
                    }
                )
    return found


def unfinished_walks(db: sqlite_utils.Database, portal: str | None = None) -> list[dict[str, Any]]:
    """Sites whose walk a time-limited run left for the next (``walk_frontier``); with
    ``portal``, only the sites of that portal's runs."""
    if "walk_frontier" not in db.table_names():
        return []
    return list(db.query(STATS_FRONTIER, {"portal": portal}))


def stats(
    db: sqlite_utils.Database, *, runs: int = 5, errors: int = 10, portal: str | None = None
) -> dict[str, Any]:
    """Counts for an overview: totals, by portal, by category, by year, the last ``runs`` runs
    (newest first) and the open fetch errors (by kind, and the ``errors`` most recent).

    ``portal``: only that portal's articles, revisions, images, attachments, files, runs,
    errors and unfinished walks (``raw_pages`` and ``by_portal`` always cover the whole
    archive).
    """
    p = {"portal": portal}
    totals = dict(next(iter(db.query(STATS_TOTALS, p))))
    open_by_kind = {r["kind"]: r["count"] for r in db.query(STATS_OPEN_ERRORS, p)}
    rule = drift.DriftRule()
    quality = drift.portal_quality(db, rule, portals=[portal] if portal else ())
    return {
        **totals,
        "by_portal": list(db.query(STATS_BY_PORTAL)),
        "by_category": list(db.query(STATS_BY_CATEGORY, p)),
        "by_year": list(db.query(STATS_BY_YEAR, p)),
        "runs": list(db.query(STATS_RUNS, {**p, "limit": runs})),
        "open_errors": {
            "count": sum(open_by_kind.values()),
            "by_kind": open_by_kind,
            "recent": list(db.query(STATS_RECENT_ERRORS, {**p, "limit": errors})),
            "by_reason": list(db.query(STATS_ERROR_REASONS, p)),
        },
        "unfinished_walks": unfinished_walks(db, portal),
        "parse_quality": {
            "rule": {
                "window": rule.window,
                "threshold": rule.threshold,
                "min_samples": rule.min_samples,
            },
            "portals": [q.to_dict() for q in quality],
            "drifted": [q.portal for q in quality if q.drifted],
        },
        "listing_drift": listing_drift(db, portal),
    }
