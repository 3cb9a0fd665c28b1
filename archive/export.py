"""Export the archive as JSON Lines or CSV, streaming (one article in memory at a time).

JSON Lines: one object per article, UTF-8 (``ensure_ascii=False``), keys in this order:
``site_id, url, title, lead, body, published_at, category, categories, source, images,
attachments, parser, revision, first_seen, last_seen, last_changed, portal, author, tags,
key, withdrawn_at``. ``withdrawn_at`` is when a re-check found the article gone from the site
(HTTP 404 or 410, or a redirect to the home page), null while it is live.
``site_id`` is a JSON number as it always was (exact in the text, but an 18-digit mst id is
rounded by JavaScript and spreadsheets);
``key`` is the string ``portal:site_id`` (``"mst:197250704101929995"``) for them. ``body`` is
the paragraphs separated by one blank line; ``images`` is ``[{url, caption, path}]`` and
``attachments`` ``[{url, title, path}]``, where ``path`` is the file's path relative to the
files folder beside the database (``<db stem>-files/``), or null when it was not downloaded.

CSV: the same articles, one row each, with the lists flattened into parallel columns whose
values are separated by a newline inside the cell (``image_urls``, ``image_captions``,
``image_paths``, …: line *n* of each belongs to image *n*); ``categories`` and ``tags`` joined by
``; ``.

With ``excel=True`` the CSV starts with a UTF-8 byte order mark and ends its rows with CRLF,
so Excel on Windows opens it with the Vietnamese text intact.

Revisions (``export --revisions``): JSON Lines, one object per stored revision of each
selected article, oldest first within an article, keys in this order: ``revision,
fetched_at, site_id, url, title, lead, body, published_at, category, source, images,
attachments, parser, content_hash, reason, first_seen, last_seen, current, portal, author,
tags, key`` — the article's fields as that revision archived them (``images`` ``[{url,
caption, alt, path}]``, ``attachments`` ``[{url, title, path}]``; ``current`` is true for the
article's current revision).

The WARC format is written by :mod:`archive.warc` from the stored raw responses.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TextIO

from archive.queries import ArticleFilter, iter_articles

if TYPE_CHECKING:
    import sqlite_utils

JSON_KEYS = (
    "site_id",
    "url",
    "title",
    "lead",
    "body",
    "published_at",
    "category",
    "categories",
    "source",
    "images",
    "attachments",
    "parser",
    "revision",
    "first_seen",
    "last_seen",
    "last_changed",
    "portal",
    "author",
    "tags",
    "key",
    "withdrawn_at",
)
CSV_COLUMNS = (
    "site_id",
    "url",
    "title",
    "lead",
    "body",
    "published_at",
    "category",
    "categories",
    "source",
    "image_urls",
    "image_captions",
    "image_paths",
    "attachment_urls",
    "attachment_titles",
    "attachment_paths",
    "parser",
    "revision",
    "first_seen",
    "last_seen",
    "last_changed",
    "portal",
    "author",
    "tags",
    "key",
    "withdrawn_at",
)


REVISION_KEYS = (
    "revision",
    "fetched_at",
    "site_id",
    "url",
    "title",
    "lead",
    "body",
    "published_at",
    "category",
    "source",
    "images",
    "attachments",
    "parser",
    "content_hash",
    "reason",
    "first_seen",
    "last_seen",
    "current",
    "portal",
    "author",
    "tags",
    "key",
)
EXCEL_BOM = "\ufeff"


def article_record(article: dict[str, Any]) -> dict[str, Any]:
    """The export form of one row of :func:`archive.queries.iter_articles`."""
    record = {k: article.get(k) for k in JSON_KEYS}
    record["images"] = [
        {"url": i["url"], "caption": i["caption"], "path": i["path"]} for i in article["images"]
    ]
    record["attachments"] = [
        {"url": t["url"], "title": t["title"], "path": t["path"]} for t in article["attachments"]
    ]
    return record


def write_jsonl(
    db: sqlite_utils.Database, out: TextIO, filters: ArticleFilter | None = None
) -> int:
    """Write one JSON object per article to ``out``; return the number written."""
    n = 0
    for article in _snapshot(db, filters):
        out.write(json.dumps(article_record(article), ensure_ascii=False) + "\n")
        n += 1
    return n


def _cell(values: list[Any]) -> str:
    return "\n".join("" if v is None else str(v) for v in values)


# What a spreadsheet reads as the start of a formula (OWASP, "CSV injection"): a page's text
# beginning with one of these would run as one in the archivist's Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(value: str) -> str:
    """An Excel cell kept as text: ``'`` first (Excel's text mark, not shown) when ``value``
    would start a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(
    db: sqlite_utils.Database,
    out: TextIO,
    filters: ArticleFilter | None = None,
    *,
    excel: bool = False,
) -> int:
    """Write a header and one CSV row per article to ``out``; return the number of rows.

    ``excel``: a UTF-8 byte order mark first and CRLF after each row (line breaks inside a
    cell stay LF, as Excel writes them), and a text cell that would start a formula begins with
    ``'`` (:data:`FORMULA_STARTS`: a hostile page's ``=HYPERLINK(...)`` stays text). Without
    ``excel`` every cell is the archived text as it is."""
    if excel:
        out.write(EXCEL_BOM)
    writer = csv.writer(out, lineterminator="\r\n" if excel else "\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for article in _snapshot(db, filters):
        r = article_record(article)
        flat = {
            **r,
            "categories": "; ".join(r["categories"] or []),
            "tags": "; ".join(r["tags"] or []),
            "image_urls": _cell([i["url"] for i in r["images"]]),
            "image_captions": _cell([i["caption"] for i in r["images"]]),
            "image_paths": _cell([i["path"] for i in r["images"]]),
            "attachment_urls": _cell([t["url"] for t in r["attachments"]]),
            "attachment_titles": _cell([t["title"] for t in r["attachments"]]),
            "attachment_paths": _cell([t["path"] for t in r["attachments"]]),
        }
        row = ["" if flat[c] is None else flat[c] for c in CSV_COLUMNS]
        if excel:
            row = [_as_text(v) if isinstance(v, str) else v for v in row]
        writer.writerow(row)
        n += 1
    return n


def revision_record(rev: dict[str, Any]) -> dict[str, Any]:
    """The export form of one revision of :func:`archive.history.iter_revisions`."""
    from archive.queries import article_key

    record = {k: rev.get(k) for k in REVISION_KEYS}
    record["key"] = article_key(rev["portal"], rev["site_id"])
    record["images"] = [
        {
            "url": i.get("url"),
            "caption": i.get("caption"),
            "alt": i.get("alt"),
            "path": i.get("path"),
        }
        for i in rev["images"]
        if isinstance(i, dict)
    ]
    record["attachments"] = [
        {"url": t.get("url"), "title": t.get("title"), "path": t.get("path")}
        for t in rev["attachments"]
        if isinstance(t, dict)
    ]
    return record


def write_revisions_jsonl(
    db: sqlite_utils.Database, out: TextIO, filters: ArticleFilter | None = None
) -> int:
    """Write one JSON object per revision of the selected articles; return the number."""
    from archive.history import iter_revisions
    from archive.totals import read_snapshot

    n = 0
    with read_snapshot(db):
        for rev in iter_revisions(db, filters):
            out.write(json.dumps(revision_record(rev), ensure_ascii=False) + "\n")
            n += 1
    return n


def _snapshot(db: sqlite_utils.Database, filters: ArticleFilter | None) -> Iterator[dict[str, Any]]:
    """Iterate inside one read transaction, so a crawl writing meanwhile cannot make the
    export mix two states of the archive (WAL gives the reader a fixed snapshot)."""
    own = not db.conn.in_transaction
    if own:
        db.conn.execute("BEGIN")
    try:
        yield from iter_articles(db, filters)
    finally:
        if own and db.conn.in_transaction:
            db.conn.execute("COMMIT")
