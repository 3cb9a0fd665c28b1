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
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from archive import drift, rawpages
from archive import migrations as m
from archive.batch import category_known, defer_fts
from archive.db import write_transaction
from archive.files import FileRecord, write_blob
from archive.headers import pack as pack_headers
from archive.normalize import content_hash, index_fold, join_body, nfc
from archive.rawpages import page_body
from archive.revisions import article_texts, pack_html
from archive.revisions import pack as pack_revision
from archive.runlog import (
    RUN_COUNT_COLUMNS,
    FrontierEntry,
    clear_frontier,
    finish_run,
    mark_dead_runs,
    now_iso,
    record_error,
    resolve_error,
    save_frontier,
    start_run,
)
from crawler.portals import (
    is_legacy_article_url,
    portal_for_article_url,
    recorded_article_url,
)

if TYPE_CHECKING:
    import sqlite_utils

    from crawler.items import Article

__all__ = [
    "RUN_COUNT_COLUMNS",
    "ArticleOutcome",
    "FileRecord",
    "FrontierEntry",
    "Listed",
    "add_listing",
    "clear_frontier",
    "finish_run",
    "mark_checked",
    "mark_dead_runs",
    "mark_withdrawn",
    "now_iso",
    "page_body",
    "record_error",
    "record_parse_sample",
    "reject_article",
    "reparse_article",
    "resolve_error",
    "save_article",
    "save_category",
    "save_file",
    "save_frontier",
    "save_page",
    "start_run",
]

ArticleOutcome = Literal["new", "updated", "unchanged"]
# A re-parse's outcome: "refreshed" is "unchanged" whose version took a field the content hash
# leaves out (see _refresh_version).
ReparseOutcome = Literal["new", "updated", "unchanged", "refreshed"]
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
    portal: str | None = None,
) -> int:
    """Store a raw HTTP response (body compressed, see :mod:`archive.rawpages`); return its id.

    ``headers``: a mapping (values may be lists, bytes are decoded as latin-1) or a sequence of
    ``(name, value)`` pairs; kept in order as a JSON list of pairs. ``content_type`` defaults to
    the Content-Type header; ``portal`` to :func:`archive.rawpages.portal_of` of the URL. An
    identical body already stored for the same URL and status is not stored again: the
    existing id is returned, and the re-fetch is recorded in ``revisits`` (its time; a WARC
    export writes it as a ``revisit`` record). The portal's first pages make its compression
    dictionary (written in the same transaction as the page that completes the sample).
    """
    sha = hashlib.sha256(body).hexdigest()
    with write_transaction(db):
        existing = db.conn.execute(
            "SELECT id FROM raw_pages WHERE url = ? AND body_sha256 = ? AND status = ? "
            "ORDER BY id LIMIT 1",
            [url, sha, status],
        ).fetchone()
        if existing:
            _revisit(
                db,
                url=url,
                fetched_at=fetched_at,
                status=status,
                page_id=int(existing[0]),
                run_id=run_id,
            )
            return int(existing[0])
        pairs = _header_pairs(headers)
        if content_type is None:
            content_type = next((v for k, v in pairs if k.lower() == "content-type"), None)
        portal = portal or rawpages.portal_of(url)
        encoded = rawpages.encode(db, body, portal)
        cursor = db.conn.execute(
            "INSERT INTO raw_pages (url, status, headers_packed, body, body_sha256, content_type, "
            "fetched_at, run_id, size, codec, dictionary_id, portal) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                url,
                status,
                pack_headers(json.dumps(pairs, ensure_ascii=False)),
                encoded.body,
                sha,
                content_type,
                fetched_at,
                run_id,
                len(body),
                encoded.codec,
                encoded.dictionary_id,
                portal,
            ],
        )
        page_id = int(cursor.lastrowid or 0)
        if encoded.dictionary_id is None and rawpages.ready_to_train(db, portal):
            rawpages.train_dictionary(db, portal, created_at=fetched_at)
    return page_id


def _revisit(
    db: sqlite_utils.Database,
    *,
    url: str,
    fetched_at: str,
    status: int | None,
    page_id: int | None = None,
    file_response_id: int | None = None,
    run_id: int | None = None,
) -> None:
    """Record a re-fetch of ``url`` that found the content already archived."""
    db.conn.execute(
        "INSERT INTO revisits (url, fetched_at, status, page_id, file_response_id, run_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [url, fetched_at, status, page_id, file_response_id, run_id],
    )


# --------------------------------------------------------------------------- categories


_UPSERT_CATEGORY = (
    "INSERT INTO categories (portal, id, name, url) VALUES (?, ?, ?, ?) "
    "ON CONFLICT(portal, id) DO UPDATE SET "
    "name = coalesce(excluded.name, name), url = coalesce(excluded.url, url)"
)
_LINK_ARTICLE = (
    "INSERT OR IGNORE INTO article_categories (portal, site_id, category_id) VALUES (?, ?, ?)"
)


def save_category(
    db: sqlite_utils.Database,
    category_id: int,
    name: str | None,
    url: str | None,
    *,
    portal: str = m.DEFAULT_PORTAL,
) -> None:
    """Insert or update a category of ``portal`` (a known name/url is never replaced by None).

    In a batch (:mod:`archive.batch`) the same upsert is run once: a second one changes nothing.
    """
    params = [portal, category_id, name, url]
    if not category_known(db, tuple(params)):
        db.execute(_UPSERT_CATEGORY, params)  # committed at once outside a transaction


def _link(db: sqlite_utils.Database, portal: str, site_id: int, listed: Listed) -> bool:
    if listed.category_id is None:  # a listing whose id the parser could not read
        return False
    save_category(db, listed.category_id, listed.name, listed.url, portal=portal)
    cursor = db.conn.execute(_LINK_ARTICLE, [portal, site_id, listed.category_id])
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
    "url",
    "title",
    "lead",
    "body",
    "body_html",
    "published_at",
    "category",
    "source",
    "parser",
    "content_hash",
    "body_html_packed",
    "author",
    "tags",
)
_ARTICLE_MARKS = ", ".join("?" * len(_ARTICLE_COLUMNS))
_FTS_COLS = ", ".join(("rowid", *m.FTS_COLUMNS))
_FTS_MARKS = ", ".join("?" * (len(m.FTS_COLUMNS) + 1))
_FTS_INSERT_EXACT = f"INSERT INTO {m.FTS_EXACT} ({_FTS_COLS}) VALUES ({_FTS_MARKS})"
_FTS_INSERT_FOLDED = f"INSERT INTO {m.FTS_FOLDED} ({_FTS_COLS}) VALUES ({_FTS_MARKS})"
# Contentless FTS5: a row is deleted by giving back the values it was indexed with.
_FTS_DELETE_EXACT = (
    f"INSERT INTO {m.FTS_EXACT} ({m.FTS_EXACT}, {_FTS_COLS}) VALUES ('delete', {_FTS_MARKS})"
)
_FTS_DELETE_FOLDED = (
    f"INSERT INTO {m.FTS_FOLDED} ({m.FTS_FOLDED}, {_FTS_COLS}) VALUES ('delete', {_FTS_MARKS})"
)
_INSERT_ARTICLE = (
    f"INSERT INTO articles (id, portal, site_id, {', '.join(_ARTICLE_COLUMNS)}, revision, "
    "first_seen, last_seen, last_checked, last_fetched, last_changed, page_id, etag, "
    "last_modified) "
    # id = site_id unless another portal's article holds it (then SQLite picks one)
    "VALUES ((SELECT CASE WHEN count(*) THEN NULL ELSE ? END FROM articles WHERE id = ?), "
    f"?, ?, {_ARTICLE_MARKS}, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_REPLACE_ARTICLE = (
    f"UPDATE articles SET {', '.join(f'{c} = ?' for c in _ARTICLE_COLUMNS)}, revision = ?, "
    "last_seen = ?, last_checked = coalesce(?, last_checked), "
    "last_fetched = coalesce(?, last_fetched), last_changed = ?, "
    "page_id = coalesce(?, page_id), etag = CASE WHEN ? THEN etag ELSE ? END, "
    "last_modified = CASE WHEN ? THEN last_modified ELSE ? END WHERE id = ?"
)
_INSERT_REVISION = (
    "INSERT INTO revisions (site_id, revision, content_hash, title, lead, body, published_at, "
    "category, source, images_json, attachments_json, parser, reason, first_seen, last_seen, "
    "page_id, body_html, url, storage, portal, author, tags) "
    "VALUES (?, ?, ?, ?, '', '', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'article', ?, ?, ?)"
)
_CURRENT = (
    "SELECT content_hash, revision, last_seen, id, url FROM articles "
    "WHERE portal = ? AND site_id = ?"
)


def _current(db: sqlite_utils.Database, stored: _Stored) -> tuple[Any, ...] | None:
    """The archived row of the article (content hash, revision, last seen, id, url), or None.

    The URL the article keeps is the portal's rule (``crawler.portals.recorded_article_url``):
    when it keeps the archived one, ``stored`` takes it, for crawls and re-parses alike.
    """
    a = stored.article
    current: tuple[Any, ...] | None = db.conn.execute(_CURRENT, [a.portal, a.site_id]).fetchone()
    if current is not None:
        url = recorded_article_url(current[4], a.url)
        if url != a.url:
            stored.article = dataclasses.replace(a, url=url)
    return current


# json.dumps(value, ensure_ascii=False), the encoder made once (json.dumps builds one per call
# when given an option)
_json = json.JSONEncoder(ensure_ascii=False).encode


class _Stored:
    """An article in the forms the archive stores it, each computed once (NFC, folding).

    The content hash at once; the rest (the row's NFC texts, the packed HTML, the folded
    full-text values, the JSON columns) by :meth:`rows`, when the article's row is written: an
    article found unchanged needs none of it (packing the HTML alone is a third of the work).
    """

    __slots__ = (
        "_rows",
        "article",
        "attachments",
        "attachments_json",
        "columns",
        "digest",
        "exact",
        "folded",
        "images",
        "images_json",
    )
    columns: list[object]
    images: list[tuple[object, ...]]
    attachments: list[tuple[object, ...]]
    exact: list[str]
    folded: list[str]
    images_json: str
    attachments_json: str

    def __init__(self, article: Article) -> None:
        self.article = article
        self.digest = content_hash(article)
        self._rows = False

    def rows(self) -> _Stored:
        """Fill in the row's values from :attr:`article` (as :func:`_current` left it), once."""
        if self._rows:
            return self
        a = self.article
        title, lead, body = nfc(a.title), nfc(a.lead or ""), nfc(join_body(a.body))
        source = None if a.source is None else nfc(a.source)
        self.columns = [
            a.url,
            title,
            lead,
            body,
            None,
            a.published_at,
            a.category,
            source,
            a.parser,
            self.digest,
            pack_html(a.body_html, lead, body),
            None if a.author is None else nfc(a.author),
            _json([nfc(t) for t in a.tags]),
        ]
        captions = [None if i.caption is None else nfc(i.caption) for i in a.images]
        self.images = [
            (a.portal, a.site_id, pos, i.url, cap, i.alt or "")
            for pos, (i, cap) in enumerate(zip(a.images, captions, strict=True))
        ]
        self.attachments = [
            (a.portal, a.site_id, pos, t.url, nfc(t.title or ""))
            for pos, t in enumerate(a.attachments)
        ]
        self.exact = [title, lead, body, "\n".join(c for c in captions if c), source or ""]
        self.folded = [index_fold(t) for t in self.exact]
        self.images_json = _json(
            [{"url": i.url, "caption": i.caption, "alt": i.alt} for i in a.images]
        )
        self.attachments_json = _json([{"url": t.url, "title": t.title} for t in a.attachments])
        self._rows = True
        return self


def _write_children(db: sqlite_utils.Database, stored: _Stored, row_id: int) -> None:
    """Images, attachments and both full-text rows (rowid ``articles.id``) of an article that
    has none yet."""
    conn = db.conn
    if stored.images:
        conn.executemany(
            "INSERT INTO images (portal, site_id, position, url, caption, alt) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            stored.images,
        )
    if stored.attachments:
        conn.executemany(
            "INSERT INTO attachments (portal, site_id, position, url, title) "
            "VALUES (?, ?, ?, ?, ?)",
            stored.attachments,
        )
    defer_fts(db, _FTS_INSERT_EXACT, [row_id, *stored.exact])
    defer_fts(db, _FTS_INSERT_FOLDED, [row_id, *stored.folded])


def _drop_children(db: sqlite_utils.Database, portal: str, site_id: int, row_id: int) -> None:
    """Remove an article's images, attachments and full-text rows (before new ones).

    The full-text tables are contentless: a row is deleted by giving back the values it was
    indexed with, rebuilt from the article row and its images (``migrations.FTS_SOURCE``).
    """
    conn = db.conn
    old = conn.execute(m.FTS_SOURCE + " WHERE a.id = ?", [row_id]).fetchone()
    if old is not None:
        texts = [t or "" for t in old[1:]]
        defer_fts(db, _FTS_DELETE_EXACT, [row_id, *texts])
        defer_fts(db, _FTS_DELETE_FOLDED, [row_id, *(index_fold(t) for t in texts)])
    conn.execute("DELETE FROM images WHERE portal = ? AND site_id = ?", [portal, site_id])
    conn.execute("DELETE FROM attachments WHERE portal = ? AND site_id = ?", [portal, site_id])


def _add_revision(
    db: sqlite_utils.Database,
    stored: _Stored,
    *,
    revision: int,
    reason: str,
    first_seen: str,
    last_seen: str,
    page_id: int | None,
) -> None:
    """Append the article's current version as revision ``revision`` (its long texts are the
    article row's: storage ``article``, see :mod:`archive.revisions`)."""
    a, c = stored.article, stored.columns
    db.conn.execute(
        _INSERT_REVISION,
        [
            a.site_id,
            revision,
            stored.digest,
            c[1],
            a.published_at,
            a.category,
            c[7],
            stored.images_json,
            stored.attachments_json,
            a.parser,
            reason,
            first_seen,
            last_seen,
            page_id,
            a.url,
            a.portal,
            c[-2],
            c[-1],
        ],
    )


def _retire_revision(db: sqlite_utils.Database, portal: str, site_id: int, revision: int) -> None:
    """The current revision stops being current: its long texts, until now the article
    row's, are packed into the revision row before the article row changes."""
    lead, body, html = article_texts(db, site_id, portal)
    db.conn.execute(
        "UPDATE revisions SET storage = 'zlib', packed = ?, lead = '', body = '', "
        "body_html = NULL WHERE portal = ? AND site_id = ? AND revision = ? "
        "AND storage = 'article'",
        [pack_revision(lead, body, html), portal, site_id, revision],
    )


_REFRESH_FIELDS = (
    "UPDATE {table} SET published_at = coalesce(:published, published_at), "
    "category = coalesce(:category, category) WHERE portal = :portal AND site_id = :sid{only} "
    "AND (published_at IS NOT coalesce(:published, published_at) "
    "OR category IS NOT coalesce(:category, category))"
)
_REFRESH_ARTICLE = _REFRESH_FIELDS.format(table="articles", only="")
_REFRESH_REVISION = _REFRESH_FIELDS.format(table="revisions", only=" AND revision = :revision")


def _refresh_version(db: sqlite_utils.Database, stored: _Stored, revision: int) -> bool:
    """An article found unchanged takes what its page now shows outside the content hash:
    ``published_at``, ``category``, ``body_html`` and image ``alt``, in the article row and in
    its current revision (no new revision: see docs/schema.md). A value the page no longer
    gives (None) keeps the stored one. Whether anything changed.

    The row's lead and body stay the stored ones (the same text to the hash, perhaps not to
    the byte), so new HTML is packed against them, as :func:`unpack_html` reads it back.
    """
    a, conn = stored.article, db.conn
    where = {"portal": a.portal, "sid": a.site_id, "revision": revision}
    fields = {**where, "published": a.published_at, "category": a.category}
    changed = conn.execute(_REFRESH_ARTICLE, fields).rowcount > 0
    conn.execute(_REFRESH_REVISION, fields)
    if a.body_html is not None:
        lead, body, html = article_texts(db, a.site_id, a.portal)
        if html != a.body_html:
            conn.execute(
                "UPDATE articles SET body_html = NULL, body_html_packed = :packed "
                "WHERE portal = :portal AND site_id = :sid",
                {**where, "packed": pack_html(a.body_html, lead, body)},
            )
            changed = True
    alts = [i.alt or "" for i in a.images]
    stored_alts = [
        str(r[0] or "")
        for r in conn.execute(
            "SELECT alt FROM images WHERE portal = ? AND site_id = ? ORDER BY position",
            [a.portal, a.site_id],
        )
    ]
    if len(stored_alts) == len(alts) and stored_alts != alts:  # the same images: the hash
        conn.executemany(
            "UPDATE images SET alt = ? WHERE portal = ? AND site_id = ? AND position = ?",
            [(alt, a.portal, a.site_id, pos) for pos, alt in enumerate(alts)],
        )
        found = conn.execute(
            "SELECT images_json FROM revisions WHERE portal = :portal AND site_id = :sid "
            "AND revision = :revision",
            where,
        ).fetchone()
        images = json.loads(found[0]) if found and found[0] else []
        if len(images) == len(a.images):
            for entry, image in zip(images, a.images, strict=True):
                entry["alt"] = image.alt
            conn.execute(
                "UPDATE revisions SET images_json = :images WHERE portal = :portal "
                "AND site_id = :sid AND revision = :revision",
                {**where, "images": _json(images)},
            )
        changed = True
    return changed


ListedIn = Iterable[Listed | tuple[int, str | None, str | None]]


def _link_all(db: sqlite_utils.Database, portal: str, site_id: int, listed_in: ListedIn) -> None:
    for listed in listed_in:
        _link(db, portal, site_id, Listed(*listed))


def _insert_article(
    db: sqlite_utils.Database,
    stored: _Stored,
    *,
    reason: str,
    at: str,
    checked: bool,
    page_id: int | None,
    etag: str | None,
    last_modified: str | None,
) -> None:
    a = stored.rows().article
    cursor = db.conn.execute(
        _INSERT_ARTICLE,
        [
            a.site_id,
            a.site_id,
            a.portal,
            a.site_id,
            *stored.columns,
            at,
            at,
            at if checked else None,
            at if checked else None,
            at,
            page_id,
            etag,
            last_modified,
        ],
    )
    _write_children(db, stored, int(cursor.lastrowid or 0))
    _add_revision(
        db, stored, revision=1, reason=reason, first_seen=at, last_seen=at, page_id=page_id
    )


def _replace_article(
    db: sqlite_utils.Database,
    stored: _Stored,
    current: tuple[Any, ...],
    *,
    reason: str,
    at: str,
    last_seen: str,
    checked: bool,
    page_id: int | None,
    etag: str | None,
    last_modified: str | None,
) -> None:
    """A changed version: the old one becomes a packed revision, the new one the article."""
    stored.rows()
    portal, sid, row_id = stored.article.portal, stored.article.site_id, int(current[3])
    revision = int(current[1]) + 1
    _retire_revision(db, portal, sid, int(current[1]))
    _drop_children(db, portal, sid, row_id)
    keep_validators = not checked
    db.conn.execute(
        _REPLACE_ARTICLE,
        [
            *stored.columns,
            revision,
            last_seen,
            at if checked else None,
            at if checked else None,
            at,
            page_id,
            keep_validators,
            etag,
            keep_validators,
            last_modified,
            row_id,
        ],
    )
    _write_children(db, stored, row_id)
    _add_revision(
        db,
        stored,
        revision=revision,
        reason=reason,
        first_seen=at,
        last_seen=last_seen,
        page_id=page_id,
    )


def save_article(
    db: sqlite_utils.Database,
    article: Article,
    *,
    page_id: int | None,
    listed_in: ListedIn = (),
    fetched_at: str,
    etag: str | None = None,
    last_modified: str | None = None,
    run_id: int | None = None,
) -> ArticleOutcome:
    """Archive one crawled article with its images, attachments, categories, FTS rows, revision.

    All in ONE transaction (a savepoint when the caller has one open): either everything
    below is written or nothing is. An article is known by ``(article.portal,
    article.site_id)``: the same number on two portals is two articles.

    - ``"new"``: first capture; ``articles`` row with ``revision = 1``, revision 1 recorded.
    - ``"unchanged"``: the content hash (title, lead, body, captions, source, image URLs,
      attachments, author and tags where present — see
      :func:`archive.normalize.content_hash_fields`) equals the current one.
      Only ``last_seen``/``last_checked``/``last_fetched`` (and the current revision's
      ``last_seen``) move, plus the latest ``page_id`` (when given), ``url`` and
      ``etag``/``last_modified`` (the validators of this response: ``None`` clears them).
    - ``"updated"``: a new revision (previous number + 1) is appended, the old ones are kept
      (packed, see :mod:`archive.revisions`), and the article row, images, attachments and
      FTS rows become the new version (``first_seen`` of the article is kept,
      ``last_changed = fetched_at``).

    ``listed_in``: listings the article was found in (:class:`Listed` or
    ``(category_id, name, url)`` tuples; entries with ``category_id=None`` are skipped); links
    are added, never removed. A new revision's reason is ``"crawl"``. ``run_id`` names the
    crawl's run in the article's parse sample (:mod:`archive.drift`: a crawled article leaves
    one, a re-parse none).
    """
    stored = _Stored(article)
    sid = article.site_id
    with write_transaction(db):
        current = _current(db, stored)
        outcome: ArticleOutcome
        if current is None:
            _insert_article(
                db,
                stored,
                reason="crawl",
                at=fetched_at,
                checked=True,
                page_id=page_id,
                etag=etag,
                last_modified=last_modified,
            )
            outcome = "new"  # never withdrawn: _back_on_site has nothing to do
        elif current[0] == stored.digest:
            db.conn.execute(
                "UPDATE articles SET last_seen = max(last_seen, :t), "
                "last_checked = :t, last_fetched = :t, url = :url, "
                "page_id = coalesce(:page, page_id), "
                "etag = :etag, last_modified = :lm WHERE id = :id",
                {
                    "t": fetched_at,
                    "url": stored.article.url,
                    "page": page_id,
                    "etag": etag,
                    "lm": last_modified,
                    "id": current[3],
                },
            )
            db.conn.execute(
                "UPDATE revisions SET last_seen = max(last_seen, ?) "
                "WHERE portal = ? AND site_id = ? AND revision = ?",
                [fetched_at, article.portal, sid, current[1]],
            )
            _refresh_version(db, stored, int(current[1]))
            outcome = "unchanged"
        else:
            _replace_article(
                db,
                stored,
                current,
                reason="crawl",
                at=fetched_at,
                last_seen=fetched_at,
                checked=True,
                page_id=page_id,
                etag=etag,
                last_modified=last_modified,
            )
            outcome = "updated"
        _link_all(db, article.portal, sid, listed_in)
        record_parse_sample(
            db,
            portal=_portal_of(article),
            url=article.url,
            site_id=sid,
            parser=article.parser,
            missing=(),
            run_id=run_id,
            at=fetched_at,
        )
        if outcome != "new":  # fetched: on the site, whatever it was before
            _back_on_site(db, article.portal, sid)
    return outcome


def _back_on_site(db: sqlite_utils.Database, portal: str, site_id: int) -> None:
    db.conn.execute(
        "UPDATE articles SET withdrawn_at = NULL WHERE portal = ? AND site_id = ? "
        "AND withdrawn_at IS NOT NULL",
        [portal, site_id],
    )


def mark_withdrawn(
    db: sqlite_utils.Database,
    site_id: int,
    *,
    at: str,
    url: str | None = None,
    status: int | None = None,
    portal: str = m.DEFAULT_PORTAL,
) -> bool:
    """A re-check found archived article ``site_id`` gone from the site (``status``: 404, 410,
    or the code of a redirect to the home page): record when it was withdrawn.

    ``withdrawn_at`` keeps the first time it was found gone; ``last_checked`` moves, so the
    article is re-checked on its schedule like any other (and is live again, with a revision
    if it changed, when it comes back: :func:`save_article`, :func:`mark_checked`). An open
    fetch error of ``url`` is resolved: a withdrawn article is not an error to retry. Returns
    False when no such article is archived. ``status`` is accepted for the log; the archive
    keeps the time only.
    """
    del status
    with write_transaction(db):
        cursor = db.conn.execute(
            "UPDATE articles SET withdrawn_at = coalesce(withdrawn_at, :t), last_checked = :t "
            "WHERE portal = :portal AND site_id = :sid",
            {"t": at, "portal": portal, "sid": site_id},
        )
        if url:
            resolve_error(db, url, at=at)
    return cursor.rowcount > 0


def reparse_article(
    db: sqlite_utils.Database, article: Article, *, page_id: int | None, parsed_at: str
) -> ReparseOutcome:
    """Record a re-parse of a stored page (see :mod:`archive.reparse`); one transaction.

    Unlike a crawl, a re-parse saw nothing on the site: it never moves ``last_checked``, the
    validators or ``last_seen`` (a changed version's revision starts at ``parsed_at`` and is
    last seen when the article was). ``"unchanged"`` moves only the article's ``parser``
    (``"refreshed"``: and fields outside the content hash, see :func:`_refresh_version`);
    ``"updated"`` appends a revision with reason ``"reparse:<parser>"``; an article not yet
    archived is stored as ``"new"`` (never checked).
    """
    stored = _Stored(article)
    reason = f"reparse:{article.parser or 'unknown'}"
    with write_transaction(db):
        current = _current(db, stored)
        if current is None:
            _insert_article(
                db,
                stored,
                reason=reason,
                at=parsed_at,
                checked=False,
                page_id=page_id,
                etag=None,
                last_modified=None,
            )
            return "new"
        if current[0] == stored.digest:
            db.conn.execute(
                "UPDATE articles SET parser = ? WHERE id = ?", [article.parser, current[3]]
            )
            return "refreshed" if _refresh_version(db, stored, int(current[1])) else "unchanged"
        _replace_article(
            db,
            stored,
            current,
            reason=reason,
            at=parsed_at,
            last_seen=max(str(current[2]), parsed_at),
            checked=False,
            page_id=page_id,
            etag=None,
            last_modified=None,
        )
        return "updated"


def _portal_of(article: Article) -> str | None:
    """The portal of a parsed article: its own ``portal`` field (None: its URL's portal)."""
    portal = getattr(article, "portal", None)
    return portal if isinstance(portal, str) and portal else None


def record_parse_sample(
    db: sqlite_utils.Database,
    *,
    portal: str | None,
    url: str,
    site_id: int | None,
    parser: str | None,
    missing: Iterable[str],
    run_id: int | None,
    at: str | None = None,
) -> None:
    """Record how an article page parsed, for the markup-drift alarm (:mod:`archive.drift`).

    ``parser``: the parser that read it (``None`` when none did); ``missing``: the required
    fields it lacked (``title``, ``date``, ``body``). :func:`save_article` records the stored
    articles of a crawl itself; the crawl calls this for pages that gave no storable article,
    beside :func:`record_error`. Samples beyond :data:`archive.drift.KEEP_PER_PORTAL` per
    portal are pruned now and then.
    """
    missing = sorted(set(missing))
    if not portal:
        found = portal_for_article_url(url)
        portal = found[0].name if found else m.DEFAULT_PORTAL
    degraded = drift.degraded_reason(parser, missing) is not None
    cursor = db.execute(
        "INSERT INTO parse_samples (portal, url, site_id, parser, missing, degraded, run_id, "
        "parsed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [portal, url, site_id, parser, ",".join(missing), int(degraded), run_id, at or now_iso()],
    )
    if (cursor.lastrowid or 0) % 100 == 0:
        db.execute(
            "DELETE FROM parse_samples WHERE portal = :p AND id <= (SELECT id FROM parse_samples "
            "WHERE portal = :p ORDER BY id DESC LIMIT 1 OFFSET :keep)",
            {"p": portal, "keep": drift.KEEP_PER_PORTAL},
        )


def kept_version_parser(db: sqlite_utils.Database, article: Article) -> str | None:
    """The parser of the archived version that ``article`` must not replace, or None.

    A page read by the generic fallback alone (``drift.FALLBACK_PARSER``) never replaces a
    version a portal's own parser read: at a known article's URL such a page is a maintenance
    notice, an error page served with 200, or markup the parsers no longer know, and it would
    become the article's current version (searched and exported until the next re-check) while
    the run went on. The crawl then records the fetch as failed (:func:`reject_article`) and
    tries it again next run.
    """
    if article.parser != drift.FALLBACK_PARSER:
        return None
    row = db.execute(
        "SELECT parser FROM articles WHERE portal = ? AND site_id = ?",
        [article.portal, article.site_id],
    ).fetchone()
    if row is None or row[0] in (None, drift.FALLBACK_PARSER):
        return None
    return str(row[0])


def reject_article(
    db: sqlite_utils.Database,
    *,
    url: str,
    site_id: int | None,
    portal: str | None,
    parser: str | None,
    missing: Iterable[str],
    status: int | None,
    reason: str,
    run_id: int | None,
    at: str | None = None,
    content_type: str | None = None,
) -> None:
    """An article page that gave no storable article: its fetch error (kind ``article``) and
    its parse sample, in one transaction (``portal=None``: the URL's portal). A page that is not
    markup (``drift.is_markup``: a PDF served for an article) leaves no parse sample."""
    t = at or now_iso()
    if not portal:
        found = portal_for_article_url(url)
        portal = found[0].name if found else m.DEFAULT_PORTAL
    with write_transaction(db):
        record_error(
            db,
            url=url,
            kind="article",
            status=status,
            reason=reason,
            run_id=run_id,
            at=t,
            portal=portal,
        )
        if drift.is_markup(content_type):
            record_parse_sample(
                db,
                portal=portal,
                url=url,
                site_id=site_id,
                parser=parser,
                missing=missing,
                run_id=run_id,
                at=t,
            )


def mark_checked(
    db: sqlite_utils.Database,
    site_id: int,
    *,
    fetched_at: str,
    etag: str | None = None,
    last_modified: str | None = None,
    portal: str = m.DEFAULT_PORTAL,
    url: str | None = None,
    run_id: int | None = None,
) -> None:
    """A re-check answered 304 Not Modified: the article was seen unchanged at ``fetched_at``.

    Moves ``last_checked``/``last_seen`` of the article and ``last_seen`` of its current
    revision; stores new validators when the 304 carried them; a withdrawn article is live
    again. With ``url`` (the URL re-checked), the 304 is recorded in ``revisits`` against the
    article's current raw page.
    """
    with write_transaction(db):
        if url:
            row = db.execute(
                "SELECT page_id FROM articles WHERE portal = ? AND site_id = ?", [portal, site_id]
            ).fetchone()
            if row is not None and row[0] is not None:
                _revisit(
                    db,
                    url=url,
                    fetched_at=fetched_at,
                    status=304,
                    page_id=int(row[0]),
                    run_id=run_id,
                )
        db.execute(
            "UPDATE articles SET last_checked = :t, last_seen = max(last_seen, :t), "
            "etag = coalesce(:etag, etag), last_modified = coalesce(:lm, last_modified), "
            "withdrawn_at = NULL WHERE portal = :portal AND site_id = :sid",
            {"t": fetched_at, "etag": etag, "lm": last_modified, "sid": site_id, "portal": portal},
        )
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
    status: int = 200,
    headers: Headers = (),
    run_id: int | None = None,
) -> FileRecord:
    """Store a downloaded image/attachment content-addressed and record it in ``files``.

    The bytes are written (atomically) before the rows, so a row always has its file. A URL
    fetched again replaces its ``files`` row (new hash/path if the content changed; the old
    file stays). The response itself (``status``, ``headers`` as for :func:`save_page`, fetch
    time) is kept in ``file_responses``, one row per distinct content of the URL; a re-fetch
    that finds the same content as the URL's latest response is a ``revisits`` row instead.
    """
    sha, rel = write_blob(files_dir, body, url=url, content_type=content_type)
    record = FileRecord(url, sha, rel, len(body), content_type, fetched_at)
    with write_transaction(db):
        _save_file_rows(db, record, status=status, headers=headers, run_id=run_id)
    return record


def _save_file_rows(
    db: sqlite_utils.Database,
    record: FileRecord,
    *,
    status: int,
    headers: Headers,
    run_id: int | None,
) -> None:
    latest = db.conn.execute(
        "SELECT id, sha256, status FROM file_responses WHERE url = ? ORDER BY id DESC LIMIT 1",
        [record.url],
    ).fetchone()
    if latest is not None and latest[1] == record.sha256 and latest[2] == status:
        _revisit(
            db,
            url=record.url,
            fetched_at=record.fetched_at,
            status=status,
            file_response_id=int(latest[0]),
            run_id=run_id,
        )
    else:
        db.conn.execute(
            "INSERT INTO file_responses (url, status, headers_packed, sha256, path, size, "
            "content_type, fetched_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.url,
                status,
                pack_headers(json.dumps(_header_pairs(headers), ensure_ascii=False)),
                record.sha256,
                record.path,
                record.size,
                record.content_type,
                record.fetched_at,
                run_id,
            ],
        )
    db.conn.execute(
        "INSERT INTO files (url, sha256, path, size, content_type, fetched_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET sha256 = excluded.sha256, "
        "path = excluded.path, size = excluded.size, content_type = excluded.content_type, "
        "fetched_at = excluded.fetched_at",
        [
            record.url,
            record.sha256,
            record.path,
            record.size,
            record.content_type,
            record.fetched_at,
        ],
    )
