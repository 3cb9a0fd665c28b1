"""Raw pages, compressed with a dictionary built from each portal's own pages.

A portal's pages share almost all of their bytes: the SharePoint markup, the menus, the
footer and long runs of ``__VIEWSTATE``. So each page is compressed with Zstandard against a
*dictionary* made of that portal's earlier pages, and a stored page takes a few hundred bytes
to a couple of kilobytes instead of the ~25 KB zlib alone gives.

How it goes, per portal (:func:`portal_of`: ``"most"``, ``"mst"``, as ``crawler.portals`` says):

1. Until the portal has a dictionary, pages are stored with codec ``"zstd"`` (no dictionary).
2. Once :data:`TRAIN_PAGES` such pages are stored, a dictionary is built from the newest of
   them (:data:`SAMPLE_BYTES` at most: Zstandard *raw-content* dictionary, the pages
   themselves; measured on the replica it beats a COVER-trained dictionary of the same size,
   1.2 KB against 2.4 KB per page), stored in ``raw_page_dictionaries``, and those pages are
   re-encoded with it, in the same transaction.
3. Every later page of the portal is stored with codec ``"zstd-dict"`` and the id of the
   portal's newest dictionary.

Each row names its codec and dictionary, and dictionaries are never changed or deleted, so a
row stays readable whatever is trained later; :func:`train_dictionary` makes a new one (say,
after the portal's templates changed) and new pages use it. Codec ``"zlib"`` is the archive's
first format (rows written before migration ``m006``), still read.

The body is byte-exact: ``decode(encode(body)) == body``, checked against ``body_sha256``.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import zstandard

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "CODECS",
    "DEFAULT_PORTAL",
    "Encoded",
    "decode",
    "encode",
    "page_body",
    "portal_of",
    "train_dictionary",
]

DEFAULT_PORTAL = "most"
CODECS = ("zlib", "zstd", "zstd-dict")
LEVEL = 9  # Zstandard level: ~0.5 ms per 40 KB page with a dictionary (about a parse), 15% smaller
# than level 6 (0.2 ms); level 12 gains 8% more for twice the time
TRAIN_PAGES = 64  # pages stored without a dictionary before the portal gets one
SAMPLE_BYTES = 3 << 20  # the dictionary: the newest pages, this many bytes at most
DICTIONARY_LEVEL = 19  # the dictionary's own bytes are stored compressed, once


def portal_of(url: str | None) -> str:
    """The portal a page belongs to, asked of :mod:`crawler.portals` (the one place that knows
    them): by the shape of an article URL, else by the host family; ``"most"`` otherwise (a
    listing on a replica's 127.0.0.1, say). Only which dictionary compresses the page depends
    on it; a page compressed with another portal's dictionary is just as byte-exact."""
    from crawler.portals import portal_for_article_url, portal_of_host

    found = portal_for_article_url(url or "")
    if found is not None:
        return found[0].name
    by_host = portal_of_host(url or "")
    return DEFAULT_PORTAL if by_host is None else by_host.name


class Encoded(NamedTuple):
    """A compressed body and how to read it back."""

    body: bytes
    codec: str
    dictionary_id: int | None


@dataclass(frozen=True)
class _Dictionary:
    id: int
    sha256: str
    compressor: zstandard.ZstdCompressor
    decompressor: zstandard.ZstdDecompressor


# Dictionaries are immutable once committed; the cache is keyed by id *and* digest, so a
# dictionary rolled back and another written under the same id is never confused with it.
_CACHE: dict[tuple[int, str], _Dictionary] = {}
_PLAIN = zstandard.ZstdCompressor(level=LEVEL)
_PLAIN_D = zstandard.ZstdDecompressor()

_LATEST = "SELECT id, sha256 FROM raw_page_dictionaries WHERE portal = ? ORDER BY id DESC LIMIT 1"


def _load(db: sqlite_utils.Database, dictionary_id: int, sha256: str | None) -> _Dictionary:
    if sha256 is None:
        row = db.execute(
            "SELECT sha256 FROM raw_page_dictionaries WHERE id = ?", [dictionary_id]
        ).fetchone()
        if row is None:
            raise LookupError(f"raw page dictionary {dictionary_id} is missing")
        sha256 = str(row[0])
    cached = _CACHE.get((dictionary_id, sha256))
    if cached is not None:
        return cached
    (content,) = db.execute(
        "SELECT content FROM raw_page_dictionaries WHERE id = ?", [dictionary_id]
    ).fetchone()
    digest = sha256
    raw = _PLAIN_D.decompress(bytes(content))
    if hashlib.sha256(raw).hexdigest() != digest:
        raise ValueError(f"raw page dictionary {dictionary_id} does not match its digest")
    data = zstandard.ZstdCompressionDict(raw, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    entry = _Dictionary(
        dictionary_id,
        digest,
        zstandard.ZstdCompressor(level=LEVEL, dict_data=data),
        zstandard.ZstdDecompressor(dict_data=data),
    )
    _CACHE[(dictionary_id, digest)] = entry
    return entry


def _latest(db: sqlite_utils.Database, portal: str) -> _Dictionary | None:
    row = db.execute(_LATEST, [portal]).fetchone()
    return None if row is None else _load(db, int(row[0]), str(row[1]))


def encode(db: sqlite_utils.Database, body: bytes, portal: str) -> Encoded:
    """Compress ``body`` with the portal's newest dictionary (plain Zstandard without one)."""
    found = _latest(db, portal)
    if found is None:
        return Encoded(_PLAIN.compress(body), "zstd", None)
    return Encoded(found.compressor.compress(body), "zstd-dict", found.id)


def decode(
    db: sqlite_utils.Database, body: bytes, codec: str | None, dictionary_id: int | None
) -> bytes:
    """The page's bytes from a stored ``(body, codec, dictionary_id)``."""
    if codec in (None, "zlib"):
        return zlib.decompress(body)
    if codec == "zstd":
        return _PLAIN_D.decompress(body)
    if codec == "zstd-dict" and dictionary_id is not None:
        return _load(db, int(dictionary_id), None).decompressor.decompress(body)
    raise ValueError(f"unknown raw page codec {codec!r} (dictionary {dictionary_id})")


def page_body(db: sqlite_utils.Database, page_id: int) -> bytes | None:
    """The decompressed body of a stored raw page (``None`` if there is no such page)."""
    row = db.execute(
        "SELECT body, codec, dictionary_id FROM raw_pages WHERE id = ?", [page_id]
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return decode(db, bytes(row[0]), row[1], row[2])


def train_dictionary(
    db: sqlite_utils.Database, portal: str, *, created_at: str, reencode: str = "undictionaried"
) -> int | None:
    """Build a new dictionary from the portal's newest pages; return its id (None: no pages).

    ``reencode``: which of the portal's rows to rewrite with it: ``"undictionaried"`` (rows
    stored without a dictionary; the default), ``"all"`` (every row, as a migration does) or
    ``"none"``. Call it inside a write transaction: the dictionary and the rows it rewrites
    are committed together.
    """
    sample: list[bytes] = []
    size = 0
    for (page_id,) in db.execute(
        "SELECT id FROM raw_pages WHERE portal = ? AND body IS NOT NULL ORDER BY id DESC",
        [portal],
    ).fetchall():
        body = page_body(db, int(page_id))
        if not body:
            continue
        sample.append(body)
        size += len(body)
        if size >= SAMPLE_BYTES:
            break
    if not sample:
        return None
    raw = b"".join(reversed(sample))[-SAMPLE_BYTES:]  # newest last: nearest, cheapest to match
    digest = hashlib.sha256(raw).hexdigest()
    content = zstandard.ZstdCompressor(level=DICTIONARY_LEVEL).compress(raw)
    cursor = db.execute(
        "INSERT INTO raw_page_dictionaries (portal, codec, created_at, pages, size, sha256, "
        "content) VALUES (?, 'zstd-raw', ?, ?, ?, ?, ?)",
        [portal, created_at, len(sample), len(raw), digest, content],
    )
    dictionary_id = int(cursor.lastrowid or 0)
    if reencode != "none":
        where = "" if reencode == "all" else " AND dictionary_id IS NULL"
        reencode_rows(db, portal, dictionary_id, where)
    return dictionary_id


def reencode_rows(db: sqlite_utils.Database, portal: str, dictionary_id: int, where: str) -> None:
    """Rewrite the portal's rows (``where``: an extra fixed condition) with one dictionary.

    Each rewritten row is deleted and inserted again, same id and columns, new body: an update
    in place would leave the B-tree pages the rows filled while they were big (a page stored
    before the portal had a dictionary takes a leaf page of its own) holding a few small rows
    each, about 130 KB of empty space per portal. References to the rows (``page_id``) are
    checked at commit (``defer_foreign_keys``), when the rows are back.
    """
    target = _load(db, dictionary_id, None)
    deferred = int(db.execute("PRAGMA defer_foreign_keys").fetchone()[0])
    db.execute("PRAGMA defer_foreign_keys = ON")
    try:
        _rewrite_rows(db, portal, dictionary_id, where, target)
    finally:
        db.execute(f"PRAGMA defer_foreign_keys = {deferred}")


def _rewrite_rows(
    db: sqlite_utils.Database, portal: str, dictionary_id: int, where: str, target: _Dictionary
) -> None:
    last = 0
    while True:
        cursor = db.execute(
            "SELECT * FROM raw_pages "
            f"WHERE portal = ? AND id > ? AND body IS NOT NULL{where} ORDER BY id LIMIT 200",
            [portal, last],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        if not rows:
            return
        last = int(rows[-1]["id"])
        rewritten = []
        for row in rows:
            if row["codec"] == "zstd-dict" and row["dictionary_id"] == dictionary_id:
                continue
            data = decode(db, bytes(row["body"]), row["codec"], row["dictionary_id"])
            sha = row["body_sha256"]
            if sha and hashlib.sha256(data).hexdigest() != sha:
                raise ValueError(f"raw page {row['id']} does not match its body_sha256")
            row.update(codec="zstd-dict", dictionary_id=dictionary_id)
            row["body"] = target.compressor.compress(data)
            rewritten.append(row)
        if not rewritten:
            continue
        db.conn.executemany("DELETE FROM raw_pages WHERE id = ?", [[r["id"]] for r in rewritten])
        columns = ", ".join(f"[{n}]" for n in names)
        db.conn.executemany(
            f"INSERT INTO raw_pages ({columns}) VALUES ({', '.join('?' * len(names))})",
            [[r[n] for n in names] for r in rewritten],
        )


def ready_to_train(db: sqlite_utils.Database, portal: str) -> bool:
    """True when enough of the portal's pages wait without a dictionary to build one.

    Call it only after :func:`encode` answered codec ``"zstd"`` (the portal has none yet).
    """
    row = db.execute(
        "SELECT count(*) FROM raw_pages WHERE dictionary_id IS NULL AND portal = ?", [portal]
    ).fetchone()
    return int(row[0]) >= TRAIN_PAGES
