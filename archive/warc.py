"""WARC export: every archived response from the site, replayable (pywb, ReplayWeb.page).

Written with warcio (gzip per record, WARC/1.0, block and payload digests), so ``warcio
check`` passes. In this order:

1. one ``warcinfo`` record (software, format, filters, and how headers were made);
2. one ``response`` record per stored raw page (articles, listing pages, the home page, error
   pages), oldest first, at its URL and fetch time;
3. one ``response`` record per downloaded file response (images, attachments): the stored
   file's bytes with the status and headers kept in ``file_responses``; a file stored before
   the archive kept its response (a ``files`` row alone) gets minimal synthesised headers
   (``Content-Type``, ``Content-Length``, status 200) and the record says so with the field
   ``WARC-Synthesized-Headers: true`` (so does a page stored without headers);
4. one ``revisit`` record (profile identical-payload-digest) per re-fetch that found the
   content already archived (``revisits``: a page or file fetched again unchanged, or a 304),
   pointing at the response it repeats (``WARC-Refers-To``, ``WARC-Refers-To-Target-URI``,
   ``WARC-Refers-To-Date``), with that response's payload digest.

The archive keeps each body *decoded* (Scrapy undoes gzip/deflate/br and chunking before the
archive sees it), so the stored headers are fixed to describe the bytes actually written:
``Content-Encoding`` and ``Transfer-Encoding`` are dropped (kept, for the record, as
``X-Archive-Orig-Content-Encoding`` / ``X-Archive-Orig-Transfer-Encoding``, the names pywb uses)
and ``Content-Length`` is set to the stored body's length. Status line: ``HTTP/1.1 <status>
<standard reason phrase>``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import http
import io
import json
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.headers import headers_json
from archive.queries import ArticleFilter
from archive.rawpages import decode

if TYPE_CHECKING:
    import sqlite_utils

# Headers that describe the transfer, not the stored (decoded) body.
DROPPED_HEADERS = ("content-encoding", "transfer-encoding")
ORIG_PREFIX = "X-Archive-Orig-"

PAGES_SQL = """
SELECT rp.id, rp.url, rp.status, rp.headers_json, rp.headers_packed, rp.body, rp.codec,
       rp.dictionary_id, rp.content_type, rp.fetched_at
FROM raw_pages rp
{where}
ORDER BY rp.id
"""
# With a filter, the pages of the selected articles: every page a version of the article was
# parsed from, and every page fetched at the article's URL.
SELECTED_PAGES = """
WHERE rp.id IN (
    SELECT r.page_id FROM revisions r
    JOIN articles a ON a.portal = r.portal AND a.site_id = r.site_id
    WHERE r.page_id IS NOT NULL{filters}
    UNION SELECT a.page_id FROM articles a WHERE a.page_id IS NOT NULL{filters}
) OR rp.url IN (SELECT a.url FROM articles a WHERE 1 = 1{filters})
"""


# The files of the selected articles (images and attachments they name).
SELECTED_FILES = """
SELECT url FROM images i WHERE EXISTS (SELECT 1 FROM articles a WHERE a.portal = i.portal
    AND a.site_id = i.site_id{filters})
UNION SELECT url FROM attachments t WHERE EXISTS (SELECT 1 FROM articles a
    WHERE a.portal = t.portal AND a.site_id = t.site_id{filters})
"""
FILE_RESPONSES_SQL = """
SELECT id, url, status, headers_json, headers_packed, sha256, path, size, content_type,
       fetched_at
FROM file_responses {where} ORDER BY id
"""
# Files stored before their responses were kept: a ``files`` row with no response of its
# content.
LEGACY_FILES_SQL = """
SELECT f.url, f.sha256, f.path, f.size, f.content_type, f.fetched_at FROM files f
WHERE NOT EXISTS (SELECT 1 FROM file_responses r WHERE r.url = f.url AND r.sha256 = f.sha256)
{also} ORDER BY f.rowid
"""
REVISITS_SQL = """
SELECT id, url, fetched_at, status, page_id, file_response_id FROM revisits ORDER BY id
"""
SYNTHESIZED = "WARC-Synthesized-Headers"
HEADERS_NOTE = (
    "HTTP headers are those received, with Content-Encoding and Transfer-Encoding renamed "
    "X-Archive-Orig-* and Content-Length set to the stored (decoded) body. Responses archived "
    "before most-archive kept headers (files of earlier releases, pages stored without "
    f"headers) have minimal synthesised headers (status 200, Content-Type, Content-Length); "
    f"their records carry '{SYNTHESIZED}: true'. Status lines carry the standard reason "
    "phrase (Scrapy keeps the code, not the server's phrase)."
)


def payload_digest(body: bytes) -> str:
    """The ``WARC-Payload-Digest`` warcio writes: ``sha1:`` and the base32 SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def _software() -> str:
    try:
        return f"most-archive/{version('most-archive')}"
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "most-archive"


def warc_date(fetched_at: str) -> str:
    """``2026-11-26T13:20:37+07:00`` → ``2026-11-26T06:20:37Z`` (UTC, as WARC/1.0 wants it).

    A time without an offset is taken as UTC.
    """
    moment = dt.datetime.fromisoformat(fetched_at.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_line(status: int) -> str:
    """``200`` → ``"200 OK"``; an unknown code keeps an empty reason (``"599 "``)."""
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} "


def header_pairs(headers_json: str | None) -> list[tuple[str, str]]:
    """The stored headers as ``(name, value)`` pairs.

    ``archive.store.save_page`` stores a JSON list of pairs; a JSON object (values strings or
    lists of strings) is accepted too.
    """
    if not headers_json:
        return []
    data: Any = json.loads(headers_json)
    pairs: list[tuple[str, str]] = []
    items = data.items() if isinstance(data, dict) else data
    for name, value in items:
        for v in value if isinstance(value, list) else [value]:
            pairs.append((str(name), str(v)))
    return pairs


def _characters(value: str) -> str:
    """A header value as archived (its bytes as latin-1 text, one character a byte) in the
    characters it means: UTF-8 when its bytes are valid UTF-8 (a Vietnamese file name in
    ``Content-Disposition``), else latin-1 as it is. warcio percent-encodes a non-ASCII value
    from its characters (RFC 8187): from the latin-1 reading of UTF-8 bytes it wrote mojibake."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except UnicodeError:  # not UTF-8 (or not bytes as latin-1 text): the characters as they are
        return value


def http_headers(
    status: int, headers: list[tuple[str, str]], body_length: int, content_type: str | None
) -> StatusAndHeaders:
    """The HTTP header block of a response record, fixed for a decoded body of ``body_length``."""
    fixed: list[tuple[str, str]] = []
    for name, raw in headers:
        value = _characters(raw)
        lower = name.lower()
        if lower == "content-length":
            continue
        if lower in DROPPED_HEADERS:
            fixed.append((ORIG_PREFIX + name, value))
            continue
        fixed.append((name, value))
    if content_type and not any(n.lower() == "content-type" for n, _ in fixed):
        fixed.append(("Content-Type", content_type))
    fixed.append(("Content-Length", str(body_length)))
    return StatusAndHeaders(status_line(status), fixed, protocol="HTTP/1.1")


def _pages(
    db: sqlite_utils.Database, filters: tuple[str, dict[str, Any]] | None
) -> Iterator[dict[str, Any]]:
    if filters is not None:
        where, params = filters
        sql = PAGES_SQL.format(where=SELECTED_PAGES.format(filters=where))
    else:
        sql, params = PAGES_SQL.format(where=""), {}
    yield from db.query(sql, params)


def _filter(
    since: str | None,
    until: str | None,
    category: str | None,
    portal: str | None,
    filters: ArticleFilter | None = None,
) -> ArticleFilter:
    """``filters`` when given (it may select by query and source too), else the four bounds."""
    return filters or ArticleFilter(since=since, until=until, category=category, portal=portal)


def _selection(
    db: sqlite_utils.Database,
    since: str | None,
    until: str | None,
    category: str | None,
    portal: str | None,
    filters: ArticleFilter | None = None,
) -> tuple[str, dict[str, Any]] | None:
    flt = _filter(since, until, category, portal, filters)
    if flt == ArticleFilter():
        return None
    from archive.queries import prepare

    prepare(db)  # the category filter folds names with the most_fold SQL function
    return flt.sql("a")


class _Writer:
    """Writes the records, remembering each response's record id, date and payload digest
    (what a later ``revisit`` record of it refers to)."""

    def __init__(self, out: BinaryIO, files_dir: Path | None, warn: Callable[[str], None]) -> None:
        self.writer = WARCWriter(out, gzip=True)
        self.files_dir = files_dir
        self.warn = warn
        self.written = 0
        self.pages: dict[int, tuple[str, str, str, str]] = {}  # id -> record id, uri, date, digest
        self.files: dict[int, tuple[str, str, str, str]] = {}

    def response(
        self,
        url: str,
        body: bytes,
        *,
        status: int,
        headers: list[tuple[str, str]],
        content_type: str | None,
        fetched_at: str,
    ) -> tuple[str, str, str, str]:
        date = warc_date(fetched_at)
        extra = {"WARC-Date": date}
        if not headers:
            extra[SYNTHESIZED] = "true"
        record = self.writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers(status, headers, len(body), content_type),
            warc_headers_dict=extra,
        )
        self.writer.write_record(record)
        self.written += 1
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        return record_id, url, date, payload_digest(body)

    def file_body(self, rel_path: str, url: str, sha256: str) -> bytes | None:
        from archive.files import resolve

        if self.files_dir is None:
            return None
        try:
            target = resolve(self.files_dir, rel_path)
            if target.exists() and not target.is_file():  # a pipe would block the read forever
                self.warn(f"file of {url} not exported: {rel_path} is not a regular file")
                return None
            body = target.read_bytes()
        except (OSError, ValueError) as exc:
            self.warn(f"file of {url} not exported: {rel_path}: {exc}")
            return None
        if hashlib.sha256(body).hexdigest() != sha256:
            self.warn(
                f"file of {url} not exported: {rel_path} does not match its sha256 "
                "(run most-archive verify)"
            )
            return None
        return body

    def revisit(self, row: dict[str, Any], original: tuple[str, str, str, str]) -> None:
        record_id, uri, date, digest = original
        record = self.writer.create_revisit_record(
            row["url"],
            digest,
            uri,
            date,
            warc_headers_dict={
                "WARC-Date": warc_date(row["fetched_at"]),
                "WARC-Refers-To": record_id,
            },
        )
        self.writer.write_record(record)
        self.written += 1


def write_warc(
    db: sqlite_utils.Database,
    out: BinaryIO,
    *,
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    filename: str | None = None,
    portal: str | None = None,
    files_dir: str | Path | None = None,
    warn: Callable[[str], None] | None = None,
    filters: ArticleFilter | None = None,
) -> int:
    """Write the archive's responses to ``out`` as a gzipped WARC; return the records written.

    The count includes the one ``warcinfo`` record. Without filters every stored page (listing
    and home pages too), every file response and every revisit is written; with
    ``since``/``until``/``category``/``portal`` (the bounds :func:`archive.queries.parse_date`
    makes, the category and portal as :class:`archive.queries.ArticleFilter` takes them) only
    the pages of the matching articles and the files they name. Files are read from
    ``files_dir`` (the files folder beside the database); without it no file is written. A
    file that is missing or does not match its digest is left out and named to ``warn``.
    Bodies are streamed one at a time; ``out`` is any writable binary file.
    """
    w = _Writer(out, Path(files_dir) if files_dir is not None else None, warn or (lambda _: None))
    info = {
        "software": _software(),
        "format": "WARC File Format 1.0",
        "description": "Responses archived by most-archive from mst.gov.vn and www.most.gov.vn: "
        "pages, listing and home pages, images and attachments, and revisits",
        "http-headers": HEADERS_NOTE,
    }
    flt = _filter(since, until, category, portal, filters)
    if flt != ArticleFilter():
        chosen = {"since": flt.since, "until": flt.until, "category": flt.category}
        if flt.portal:
            chosen["portal"] = flt.portal
        if flt.source:
            chosen["source"] = flt.source
        if flt.query:
            chosen["query"] = flt.query
        info["filters"] = json.dumps(chosen)
    # WARC headers are UTF-8: a file name that is not (Linux names are bytes) shows U+FFFD.
    name = (filename or "").encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    w.writer.write_record(w.writer.create_warcinfo_record(name, info))
    w.written += 1
    selection = _selection(db, since, until, category, portal, filters)
    for page in _pages(db, selection):
        body = (
            b""
            if page["body"] is None
            else decode(db, bytes(page["body"]), page["codec"], page["dictionary_id"])
        )
        w.pages[int(page["id"])] = w.response(
            page["url"],
            body,
            status=int(page["status"] or 200),
            headers=header_pairs(headers_json(page["headers_json"], page["headers_packed"])),
            content_type=page["content_type"],
            fetched_at=page["fetched_at"],
        )
    _write_files(db, w, selection)
    for row in db.query(REVISITS_SQL):
        original = (
            w.pages.get(row["page_id"])
            if row["page_id"] is not None
            else w.files.get(row["file_response_id"])
        )
        if original is not None:  # its response is in this export
            w.revisit(row, original)
    return w.written


def _write_files(
    db: sqlite_utils.Database, w: _Writer, selection: tuple[str, dict[str, Any]] | None
) -> None:
    if w.files_dir is None:
        return
    params: dict[str, Any] = {}
    where = also = ""
    if selection is not None:
        filters, params = selection
        chosen = SELECTED_FILES.format(filters=filters)
        where, also = f"WHERE url IN ({chosen})", f"AND f.url IN ({chosen})"
    for row in db.query(FILE_RESPONSES_SQL.format(where=where), params):
        body = w.file_body(row["path"], row["url"], row["sha256"])
        if body is not None:
            w.files[int(row["id"])] = w.response(
                row["url"],
                body,
                status=int(row["status"]),
                headers=header_pairs(headers_json(row["headers_json"], row["headers_packed"])),
                content_type=row["content_type"],
                fetched_at=row["fetched_at"],
            )
    for row in db.query(LEGACY_FILES_SQL.format(also=also), params):
        body = w.file_body(row["path"], row["url"], row["sha256"])
        if body is not None:
            w.response(
                row["url"],
                body,
                status=200,
                headers=[],
                content_type=row["content_type"],
                fetched_at=row["fetched_at"],
            )
