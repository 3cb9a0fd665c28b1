"""Re-parse the archive from its stored raw pages, without re-crawling.

Each article's current raw page (``articles.page_id``) is run through the parser again; a
changed result is recorded by :func:`archive.store.reparse_article` as a new revision with reason
``"reparse:<parser>"`` (the old revisions stay), an identical one changes nothing but the
article's ``parser`` name. Nothing is deleted: a page the parser now rejects is counted and
left as it was, and so is a page the portal's parser read and only the generic fallback reads
now (:func:`archive.store.kept_version_parser`: a parser change that no longer knows the
markup must not replace exact versions with the fallback's coarser ones).

Run it under the crawl lock (:func:`archive.lock.crawl_lock`), so a crawl cannot write a newer
capture of an article between its re-parse and its save.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from archive.progress import Progress, Ticker
from archive.rawpages import page_body
from archive.store import kept_version_parser, now_iso, reparse_article

if TYPE_CHECKING:
    import sqlite_utils

    from crawler.items import Article

ParseFn = Callable[[bytes, str], "Article | None"]
PROGRESS_SECONDS = 2.0  # a progress line at most this often, so a short run prints none

_SELECT = """
SELECT a.portal, a.site_id, a.page_id, p.url AS page_url
FROM articles a JOIN raw_pages p ON p.id = a.page_id
WHERE (:parser IS NULL OR a.parser = :parser)
  AND (:since IS NULL OR p.fetched_at >= :since)
ORDER BY a.site_id, a.portal
"""


_STORED_VERSIONS = """
SELECT parser, count(*) AS articles FROM articles WHERE parser IS NOT NULL
GROUP BY parser ORDER BY parser
"""


class UnknownParserVersion(ValueError):
    """``parser_version`` is neither written by a current parser nor carried by any article."""

    def __init__(self, version: str, known: dict[str, int]) -> None:
        listed = ", ".join(f"{v} ({n} article{'s' if n != 1 else ''})" for v, n in known.items())
        super().__init__(f"unknown parser version {version!r}; known: {listed or 'none'}")
        self.version = version
        self.known = known


def code_parser_versions() -> tuple[str, ...]:
    """The versions the current parsers write: each portal's, and the generic fallback's."""
    from crawler.parsers.fallback import PARSER_NAME as FALLBACK  # pure: no Scrapy behind it
    from crawler.portals import PORTALS

    return tuple(sorted({v for portal in PORTALS for v in portal.parser_versions} | {FALLBACK}))


def known_parser_versions(db: sqlite_utils.Database) -> dict[str, int]:
    """Every parser version worth asking for, with how many articles carry it now: those the
    articles of ``db`` carry (older releases' included) and those the current parsers write."""
    known = {str(r["parser"]): int(r["articles"]) for r in db.query(_STORED_VERSIONS)}
    for name in code_parser_versions():
        known.setdefault(name, 0)
    return dict(sorted(known.items()))


def _default_parser() -> ParseFn:
    from crawler.parsers import parse_article  # pure: no Scrapy behind it

    return parse_article


def reparse(
    db: sqlite_utils.Database,
    *,
    parser_version: str | None = None,
    since: str | None = None,
    parse: ParseFn | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Re-parse stored pages and record what changed; return counts.

    - ``parser_version``: only articles whose current ``parser`` is this (e.g. ``"most/1"``).
    - ``since``: only articles whose raw page was fetched at or after this ISO time.
    - ``parse``: the parser, ``(body bytes, page url) -> Article | None``; default
      ``crawler.parsers.parse_article``.
    - ``progress``: gets a line now and then on a long run (every :data:`PROGRESS_SECONDS`).

    Counts: ``articles`` (looked at), ``updated``, ``unchanged``, ``refreshed`` (unchanged
    content whose date, category, HTML or image alt text took the page's), ``failed`` (parser
    returned None or raised ValueError/UnicodeError), ``mismatch`` (parsed a different site id
    or portal),
    ``missing_page`` (no stored body), ``fallback_only`` (read by the generic fallback only,
    where the portal's parser read it before: left as it was).

    Raises :class:`UnknownParserVersion` (before changing anything) when ``parser_version`` is
    not among :func:`known_parser_versions`.
    """
    if parser_version is not None:
        known = known_parser_versions(db)
        if parser_version not in known:
            raise UnknownParserVersion(parser_version, known)
    parse_fn = parse or _default_parser()
    counts: Counter[str] = Counter(
        {
            "articles": 0,
            "updated": 0,
            "unchanged": 0,
            "refreshed": 0,
            "failed": 0,
            "mismatch": 0,
            "fallback_only": 0,
        }
    )
    rows = list(db.query(_SELECT, {"parser": parser_version, "since": since}))
    tick = Ticker(progress, PROGRESS_SECONDS)
    for row in rows:
        tick(
            lambda: (
                f"re-parsed {counts['articles']:,} of {len(rows):,} articles "
                f"({counts['updated']:,} updated)"
            )
        )
        counts["articles"] += 1
        body = page_body(db, int(row["page_id"]))
        if body is None:
            counts["missing_page"] += 1
            continue
        try:
            article = parse_fn(body, str(row["page_url"]))
        except (ValueError, UnicodeError):
            article = None
        if article is None:
            counts["failed"] += 1
            continue
        if (article.portal, article.site_id) != (row["portal"], row["site_id"]):
            counts["mismatch"] += 1
            continue
        if kept_version_parser(db, article) is not None:
            counts["fallback_only"] += 1
            continue
        outcome = reparse_article(db, article, page_id=int(row["page_id"]), parsed_at=now_iso())
        counts[outcome] += 1
    return dict(counts)
