"""The write side of the archive: runs, raw pages, articles with their revisions, files, errors.

This module and :mod:`archive.crawlstate` are the contract between the crawler and the archive.
No parsing and no Scrapy here: callers hand over parsed :class:`crawler.items.Article` objects
and raw bytes. Every function that writes more than one row does it in one transaction.

Times are ISO 8601 strings with an offset, as the caller gives them (the crawler uses UTC,
e.g. ``2026-11-26T06:20:37+00:00``; :func:`now_iso` makes one).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple

from archive import migrations as m
from archive.db import write_transaction
from archive.files import FileRecord, write_blob
from archive.normalize import content_hash, fold, join_body, nfc
from archive.runlog import (
    RUN_COUNT_COLUMNS,
    finish_run,
    mark_dead_runs,
    now_iso,
    record_error,
    resolve_error,
    start_run,
)
from crawler.portals import is_legacy_article_url, recorded_article_url

if TYPE_CHECKING:
    import sqlite_utils

    from crawler.items import Article

__all__ = [
    "RUN_COUNT_COLUMNS",
    "ArticleOutcome",
    "FileRecord",
    "Listed",
    "add_listing",
    "finish_run",
    "mark_checked",
    "mark_dead_runs",
    "now_iso",
    "page_body",
    "record_error",
    "resolve_error",
    "save_article",
    "save_category",
    "save_file",
    "save_page",
    "start_run",
]

ArticleOutcome = Literal["new", "updated", "unchanged"]
Headers = Mapping[str, str | Sequence[str]] | Sequence[tuple[str, str]]


class Listed(NamedTuple):
    """A listing an article appears in: the site's category id, its name and URL."""

    category_id: int
    name: str | None = None
    url: str | None = None


# --------------------------------------------------------------------------- raw pages


def _header_pairs(headers: Headers) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    items: Iterable[tuple[object, object]]
    items = headers.items() if isinstance(headers, Mapping) else headers
    for name, value in items:
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            pairs.append((key, v.decode("latin-1") if isinstance(v, bytes) else str(v)))
    return pairs


def save_page(
    db: sqlite_utils.Database,
    *,
    url: str,
    status: int,
    headers: Headers,
    body: bytes,
    fetched_at: str,
    run_id: int | None,
    content_type: str | None = None,
) -> int:
    """Store a raw HTTP response (zlib-compressed body) and return its ``raw_pages.id``.

    ``headers``: a mapping (values may be lists, bytes are decoded as latin-1) or a sequence of
    ``(name, value)`` pairs; kept in order as a JSON list of pairs. ``content_type`` defaults to
    the Content-Type header. An identical body already stored for the same URL and status is
    not stored again: the existing id is returned.
    """
    sha = hashlib.sha256(body).hexdigest()
    existing = next(
        db.query(
            "SELECT id FROM raw_pages WHERE url = ? AND body_sha256 = ? AND status = ? "
            "ORDER BY id LIMIT 1",
            [url, sha, status],
        ),
        None,
    )
    if existing:
        return int(existing["id"])
    pairs = _header_pairs(headers)
    if content_type is None:
        content_type = next((v for k, v in pairs if k.lower() == "content-type"), None)
    cursor = db.execute(
        "INSERT INTO raw_pages (url, status, headers_json, body, body_sha256, content_type, "
        "fetched_at, run_id, size) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            url,
            status,
            json.dumps(pairs, ensure_ascii=False),
            zlib.compress(body, 6),
            sha,
            content_type,
            fetched_at,
            run_id,
            len(body),
        ],
    )
    return int(cursor.lastrowid or 0)


def page_body(db: sqlite_utils.Database, page_id: int) -> bytes | None:
    """The decompressed body of a stored raw page (``None`` if there is no such page)."""
    row = next(db.query("SELECT body FROM raw_pages WHERE id = ?", [page_id]), None)
    if row is None or row["body"] is None:
        return None
    return zlib.decompress(row["body"])


# --------------------------------------------------------------------------- categories


def save_category(
    db: sqlite_utils.Database, category_id: int, name: str | None, url: str | None,
    *, portal: str = m.DEFAULT_PORTAL,
) -> None:  # fmt: skip
    """Insert or update a category of ``portal`` (a known name/url is never replaced by None)."""
    db.execute(
        "INSERT INTO categories (portal, id, name, url) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(portal, id) DO UPDATE SET "
        "name = coalesce(excluded.name, name), url = coalesce(excluded.url, url)",
        [portal, category_id, name, url],
    )


def _link(db: sqlite_utils.Database, portal: str, site_id: int, listed: Listed) -> bool:
    if listed.category_id is None:  # a listing whose id the parser could not read
        return False
    save_category(db, listed.category_id, listed.name, listed.url, portal=portal)
    cursor = db.execute(
        "INSERT OR IGNORE INTO article_categories (portal, site_id, category_id) "
        "VALUES (?, ?, ?)",
        [portal, site_id, listed.category_id],
    )
    return cursor.rowcount > 0


def add_listing(
    db: sqlite_utils.Database,
    site_id: int,
    category_id: int,
    category_name: str | None,
    url: str | None,
    *,
    article_url: str | None = None,
    portal: str = m.DEFAULT_PORTAL,
) -> bool:
    """Record that archived article ``site_id`` of ``portal`` is listed in ``category_id``.

    ``url`` is the category listing's URL. Returns True when the link is new, False when it was
    known already or the article is not archived yet (pass ``listed_in`` to
    :func:`save_article` for those). ``article_url`` is the article's URL as the listing links
    it: listings are authoritative, so an article first archived under the legacy
    ``chitiettin.aspx?IDNews=`` form (found only through a feed) takes the listing's URL.
    """
    with write_transaction(db):
        row = next(
            db.query(
                "SELECT id, url FROM articles WHERE portal = ? AND site_id = ?", [portal, site_id]
            ),
            None,
        )
        if row is None:
            return False
        if article_url and row["url"] != article_url and is_legacy_article_url(row["url"] or ""):
            db.execute("UPDATE articles SET url = ? WHERE id = ?", [article_url, row["id"]])
        return _link(db, portal, site_id, Listed(category_id, category_name, url))


# --------------------------------------------------------------------------- articles

_ARTICLE_COLUMNS = (
    "url, title, lead, body, body_html, published_at, category, source, parser, content_hash, "
    "author, tags"
)
_ARTICLE_MARKS = ", ".join("?" * len(_ARTICLE_COLUMNS.split(",")))


def _article_values(article: Article, digest: str) -> list[object]:
    return [
        article.url,
        nfc(article.title),
        nfc(article.lead or ""),
        nfc(join_body(article.body)),
        article.body_html,
        article.published_at,
        article.category,
        None if article.source is None else nfc(article.source),
        article.parser,
        digest,
        _author(article),
        _tags(article),
    ]


def _author(article: Article) -> str | None:
    return None if article.author is None else nfc(article.author)


def _tags(article: Article) -> str:
    return json.dumps([nfc(t) for t in article.tags], ensure_ascii=False)


def _write_children(db: sqlite_utils.Database, article: Article, row_id: int) -> None:
    key = [article.portal, article.site_id]
    db.execute("DELETE FROM images WHERE portal = ? AND site_id = ?", key)
    db.execute("DELETE FROM attachments WHERE portal = ? AND site_id = ?", key)
    for pos, img in enumerate(article.images):
        db.execute(
            "INSERT INTO images (portal, site_id, position, url, caption, alt) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [*key, pos, img.url, None if img.caption is None else nfc(img.caption),
             img.alt or ""],
        )  # fmt: skip
    for pos, att in enumerate(article.attachments):
        db.execute(
            "INSERT INTO attachments (portal, site_id, position, url, title) "
            "VALUES (?, ?, ?, ?, ?)",
            [*key, pos, att.url, nfc(att.title or "")],
        )
    fts_texts = [
        nfc(article.title),
        nfc(article.lead or ""),
        nfc(join_body(article.body)),
        "\n".join(nfc(i.caption) for i in article.images if i.caption),
        nfc(article.source or ""),
    ]
    cols = ", ".join(("rowid", *m.FTS_COLUMNS))
    marks = ", ".join("?" * (len(m.FTS_COLUMNS) + 1))
    for table, texts in (
        (m.FTS_EXACT, fts_texts),
        (m.FTS_FOLDED, [fold(t) for t in fts_texts]),
    ):
        db.execute(f"DELETE FROM {table} WHERE rowid = ?", [row_id])
        db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", [row_id, *texts])


def _write_revision(
    db: sqlite_utils.Database,
    article: Article,
    *,
    revision: int,
    digest: str,
    reason: str,
    first_seen: str,
    last_seen: str,
    page_id: int | None,
) -> None:
    images = [{"url": i.url, "caption": i.caption, "alt": i.alt} for i in article.images]
    attachments = [{"url": a.url, "title": a.title} for a in article.attachments]
    db.execute(
        "INSERT INTO revisions (site_id, revision, content_hash, title, lead, body, published_at, "
        "category, source, images_json, attachments_json, parser, reason, first_seen, last_seen, "
        "page_id, body_html, url, portal, author, tags) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            article.site_id,
            revision,
            digest,
            nfc(article.title),
            nfc(article.lead or ""),
            nfc(join_body(article.body)),
            article.published_at,
            article.category,
            None if article.source is None else nfc(article.source),
            json.dumps(images, ensure_ascii=False),
            json.dumps(attachments, ensure_ascii=False),
            article.parser,
            reason,
            first_seen,
            last_seen,
            page_id,
            article.body_html,
            article.url,
            article.portal,
            _author(article),
            _tags(article),
        ],
    )


def save_article(
    db: sqlite_utils.Database,
    article: Article,
    *,
    page_id: int | None,
    listed_in: Iterable[Listed | tuple[int, str | None, str | None]] = (),
    fetched_at: str,
    run_id: int | None = None,
    reason: str = "crawl",
    etag: str | None = None,
    last_modified: str | None = None,
) -> ArticleOutcome:
    """Archive one parsed article with its images, attachments, categories, FTS rows, revision.

    All in ONE transaction: either everything below is written or nothing is. An article is
    known by ``(article.portal, article.site_id)``: the same number on two portals is two
    articles.

    - ``"new"``: first capture; ``articles`` row with ``revision = 1``, revision 1 recorded.
    - ``"unchanged"``: the content hash (title, lead, body, captions, source, image URLs,
      attachments, author and tags where present — see
      :func:`archive.normalize.content_hash_fields`) equals the current one.
      Only ``last_seen``/``last_checked`` (and the current revision's ``last_seen``) move, plus
      the latest ``page_id`` (when given), ``url`` and ``etag``/``last_modified`` (the
      validators of this response: ``None`` clears them). For a re-parse
      (``reason`` starting with ``"reparse"``) nothing moves but the article's ``parser``.
    - ``"updated"``: a new revision (previous number + 1) is appended, the old ones are kept
      untouched, and the article row, images, attachments and FTS rows become the new version
      (``first_seen`` of the article is kept, ``last_changed = fetched_at``).

    ``listed_in``: listings the article was found in (:class:`Listed` or
    ``(category_id, name, url)`` tuples; entries with ``category_id=None`` are skipped); links
    are added, never removed. ``run_id`` is accepted for symmetry (the raw page row carries
    the run). ``reason`` is stored on a new revision: ``"crawl"`` or ``"reparse:<parser>"``;
    a re-parse never touches ``last_checked`` or the validators.
    """
    del run_id  # the raw page row already names the run that fetched it
    digest = content_hash(article)
    sid = article.site_id
    is_reparse = reason.startswith("reparse")
    with write_transaction(db):
        current = next(
            db.query(
                "SELECT id, content_hash, revision, last_seen, url FROM articles "
                "WHERE portal = ? AND site_id = ?",
                [article.portal, sid],
            ),
            None,
        )
        if current is not None:
            url = recorded_article_url(current["url"], article.url)
            if url != article.url:
                article = dataclasses.replace(article, url=url)
        outcome: ArticleOutcome
        if current is None:
            cursor = db.execute(
                f"INSERT INTO articles (id, portal, site_id, {_ARTICLE_COLUMNS}, revision, "
                "first_seen, last_seen, last_checked, last_changed, page_id, etag, last_modified) "
                # id = site_id unless another portal's article holds it (then SQLite picks one)
                "VALUES ((SELECT CASE WHEN count(*) THEN NULL ELSE ? END FROM articles "
                f"WHERE id = ?), ?, ?, {_ARTICLE_MARKS}, 1, ?, ?, ?, ?, ?, ?, ?)",
                [
                    sid,
                    sid,
                    article.portal,
                    sid,
                    *_article_values(article, digest),
                    fetched_at,
                    fetched_at,
                    None if is_reparse else fetched_at,
                    fetched_at,
                    page_id,
                    etag,
                    last_modified,
                ],
            )
            _write_children(db, article, int(cursor.lastrowid or 0))
            _write_revision(
                db, article, revision=1, digest=digest, reason=reason,
                first_seen=fetched_at, last_seen=fetched_at, page_id=page_id,
            )  # fmt: skip
            outcome = "new"
        elif current["content_hash"] == digest:
            if is_reparse:
                db.execute(
                    "UPDATE articles SET parser = ? WHERE id = ?", [article.parser, current["id"]]
                )
            else:
                db.execute(
                    "UPDATE articles SET last_seen = max(last_seen, :t), "
                    "last_checked = :t, url = :url, page_id = coalesce(:page, page_id), "
                    "etag = :etag, last_modified = :lm WHERE id = :id",
                    {"t": fetched_at, "url": article.url, "page": page_id, "etag": etag,
                     "lm": last_modified, "id": current["id"]},
                )  # fmt: skip
                db.execute(
                    "UPDATE revisions SET last_seen = max(last_seen, ?) "
                    "WHERE portal = ? AND site_id = ? AND revision = ?",
                    [fetched_at, article.portal, sid, current["revision"]],
                )
            outcome = "unchanged"
        else:
            revision = int(current["revision"]) + 1
            last_seen = max(str(current["last_seen"]), fetched_at) if is_reparse else fetched_at
            sets = ", ".join(f"{c.strip()} = ?" for c in _ARTICLE_COLUMNS.split(","))
            db.execute(
                f"UPDATE articles SET {sets}, revision = ?, last_seen = ?, "
                "last_checked = coalesce(?, last_checked), last_changed = ?, "
                "page_id = coalesce(?, page_id), etag = CASE WHEN ? THEN etag ELSE ? END, "
                "last_modified = CASE WHEN ? THEN last_modified ELSE ? END WHERE id = ?",
                [
                    *_article_values(article, digest),
                    revision,
                    last_seen,
                    None if is_reparse else fetched_at,
                    fetched_at,
                    page_id,
                    is_reparse,
                    etag,
                    is_reparse,
                    last_modified,
                    current["id"],
                ],
            )
            _write_children(db, article, int(current["id"]))
            _write_revision(
                db, article, revision=revision, digest=digest, reason=reason,
                first_seen=fetched_at, last_seen=last_seen, page_id=page_id,
            )  # fmt: skip
            outcome = "updated"
        for listed in listed_in:
            _link(db, article.portal, sid, Listed(*listed))
    return outcome


def mark_checked(
    db: sqlite_utils.Database, site_id: int, *, fetched_at: str, etag: str | None = None,
    last_modified: str | None = None, portal: str = m.DEFAULT_PORTAL,
) -> None:  # fmt: skip
    """A re-check answered 304 Not Modified: the article was seen unchanged at ``fetched_at``.

    Moves ``last_checked``/``last_seen`` of the article and ``last_seen`` of its current
    revision; stores new validators when the 304 carried them.
    """
    with write_transaction(db):
        db.execute(
            "UPDATE articles SET last_checked = :t, last_seen = max(last_seen, :t), "
            "etag = coalesce(:etag, etag), last_modified = coalesce(:lm, last_modified) "
            "WHERE portal = :portal AND site_id = :sid",
            {"t": fetched_at, "etag": etag, "lm": last_modified, "sid": site_id,
             "portal": portal},
        )  # fmt: skip
        db.execute(
            "UPDATE revisions SET last_seen = max(last_seen, :t) WHERE portal = :portal AND "
            "site_id = :sid AND revision = (SELECT revision FROM articles WHERE portal = :portal "
            "AND site_id = :sid)",
            {"t": fetched_at, "portal": portal, "sid": site_id},
        )


# --------------------------------------------------------------------------- files


def save_file(
    db: sqlite_utils.Database,
    files_dir: str | Path,
    *,
    url: str,
    body: bytes,
    content_type: str | None,
    fetched_at: str,
) -> FileRecord:
    """Store a downloaded image/attachment content-addressed and record it in ``files``.

    The bytes are written (atomically) before the row, so a row always has its file. A URL
    fetched again replaces its row (new hash/path if the content changed; the old file stays).
    """
    sha, rel = write_blob(files_dir, body, url=url, content_type=content_type)
    record = FileRecord(url, sha, rel, len(body), content_type, fetched_at)
    db.execute(
        "INSERT INTO files (url, sha256, path, size, content_type, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET sha256 = excluded.sha256, "
        "path = excluded.path, size = excluded.size, content_type = excluded.content_type, "
        "fetched_at = excluded.fetched_at",
        [record.url, record.sha256, record.path, record.size, record.content_type, fetched_at],
    )
    return record
