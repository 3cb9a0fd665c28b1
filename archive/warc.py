"""WARC export: the stored raw responses (``raw_pages``) as WARC ``response`` records.

One ``warcinfo`` record, then one ``response`` record per stored page, oldest first, written
with warcio (gzip per record, WARC/1.0, block and payload digests), so ``warcio check`` passes
and replay tools (pywb, ReplayWeb.page) serve each page at its URL and fetch time.

The archive keeps each body *decoded* (Scrapy undoes gzip/deflate/br and chunking before the
archive sees it), so the stored headers are fixed to describe the bytes actually written:
``Content-Encoding`` and ``Transfer-Encoding`` are dropped (kept, for the record, as
``X-Archive-Orig-Content-Encoding`` / ``X-Archive-Orig-Transfer-Encoding``, the names pywb uses)
and ``Content-Length`` is set to the stored body's length. Status line: ``HTTP/1.1 <status>
<standard reason phrase>``.
"""

from __future__ import annotations

import datetime as dt
import http
import io
import json
from collections.abc import Iterator
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archive.queries import ArticleFilter
from archive.rawpages import decode

if TYPE_CHECKING:
    import sqlite_utils

# Headers that describe the transfer, not the stored (decoded) body.
DROPPED_HEADERS = ("content-encoding", "transfer-encoding")
ORIG_PREFIX = "X-Archive-Orig-"

PAGES_SQL = """
SELECT rp.id, rp.url, rp.status, rp.headers_json, rp.body, rp.codec, rp.dictionary_id,
       rp.content_type, rp.fetched_at
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


def http_headers(
    status: int, headers: list[tuple[str, str]], body_length: int, content_type: str | None
) -> StatusAndHeaders:
    """The HTTP header block of a response record, fixed for a decoded body of ``body_length``."""
    fixed: list[tuple[str, str]] = []
    for name, value in headers:
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


def _pages(db: sqlite_utils.Database, flt: ArticleFilter) -> Iterator[dict[str, Any]]:
    if flt != ArticleFilter():
        from archive.queries import prepare

        prepare(db)  # the category filter folds names with the most_fold SQL function
        filters, params = flt.sql("a")
        sql = PAGES_SQL.format(where=SELECTED_PAGES.format(filters=filters))
    else:
        sql, params = PAGES_SQL.format(where=""), {}
    yield from db.query(sql, params)


def write_warc(
    db: sqlite_utils.Database,
    out: BinaryIO,
    *,
    since: str | None = None,
    until: str | None = None,
    category: str | None = None,
    filename: str | None = None,
    portal: str | None = None,
    filters: ArticleFilter | None = None,
) -> int:
    """Write the archive's raw pages to ``out`` as a gzipped WARC; return the records written.

    The count includes the one ``warcinfo`` record (so it is pages + 1). Without filters every
    stored page is written (listings too); with ``since``/``until``/``category``/``portal``
    (the bounds :func:`archive.queries.parse_date` makes, the category and portal as
    :class:`archive.queries.ArticleFilter` takes them), or ``filters`` (which then replaces
    them, and may also select by query and source), only the pages of the matching articles.
    Each page's body is streamed one at a time; ``out`` is any writable binary file.
    """
    flt = filters or ArticleFilter(since=since, until=until, category=category, portal=portal)
    writer = WARCWriter(out, gzip=True)
    info = {
        "software": _software(),
        "format": "WARC File Format 1.0",
        "description": "Raw responses archived by most-archive from mst.gov.vn and www.most.gov.vn",
    }
    if flt != ArticleFilter():
        chosen: dict[str, str | None] = {"since": flt.since, "until": flt.until,
                                         "category": flt.category}
        extra = {"portal": flt.portal, "query": flt.query, "source": flt.source}
        chosen.update({k: v for k, v in extra.items() if v})
        info["filters"] = json.dumps(chosen)
    writer.write_record(writer.create_warcinfo_record(filename or "", info))
    written = 1
    for page in _pages(db, flt):
        body = b"" if page["body"] is None else decode(
            db, bytes(page["body"]), page["codec"], page["dictionary_id"]
        )
        headers = http_headers(
            int(page["status"] or 200), header_pairs(page["headers_json"]), len(body),
            page["content_type"],
        )  # fmt: skip
        record = writer.create_warc_record(
            page["url"],
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": warc_date(page["fetched_at"])},
        )
        writer.write_record(record)
        written += 1
    return written
