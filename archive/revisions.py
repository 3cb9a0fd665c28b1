"""How an article's long texts are kept: once, and the HTML compressed.

The current version's ``lead`` and ``body`` are plain text in the ``articles`` row (search,
snippets and ``show`` read them); its sanitised ``body_html`` is zlib-compressed UTF-8 in
``articles.body_html_packed``, with the lead and body as preset dictionary (see
:func:`pack_html`), and ``articles.body_html`` is NULL (rows written before migration
``m008`` kept it there). :func:`article_html` reads it either way.

``revisions.storage`` says where a revision's ``lead``, ``body`` and ``body_html`` are:

- ``"article"``: the revision is the article's current one and its texts are the ``articles``
  row's (the revision row holds ``''``/NULL there);
- ``"zlib"``: an older revision; the three texts are in ``packed``, zlib-compressed JSON;
- ``"plain"``: in the row's own columns (rows written before migration ``m008``, if any were
  left so).

Every other column of a revision (title, hash, dates, images, attachments, parser, reason,
page) is in the row as it always was. :func:`texts` reads the three back whatever the storage.
"""

from __future__ import annotations

import json
import zlib
from typing import TYPE_CHECKING, Any

from isal import isal_zlib

if TYPE_CHECKING:
    import sqlite_utils

__all__ = [
    "article_html",
    "article_texts",
    "pack",
    "pack_html",
    "texts",
    "unpack",
    "unpack_html",
]

LEVEL = 9  # older revisions: written once, when a version is superseded
# The current HTML, written with every new version: ISA-L's deflate (``isal_zlib``) at its
# highest level, 3. Measured on the replica's articles against the standard library's zlib at
# level 3: 23 µs an article against 43-64 µs (20 µs less inside save_article, about an
# eighth of its own Python), 5% larger (1,120 bytes against 1,065).
HTML_LEVEL = 3


def pack(lead: str | None, body: str | None, body_html: str | None) -> bytes:
    """The three long texts of a revision, as stored in ``revisions.packed``."""
    data = json.dumps([lead or "", body or "", body_html], ensure_ascii=False)
    return zlib.compress(data.encode("utf-8"), LEVEL)


def unpack(packed: bytes) -> tuple[str, str, str | None]:
    """Inverse of :func:`pack`: ``(lead, body, body_html)``."""
    lead, body, html = json.loads(zlib.decompress(packed).decode("utf-8"))
    return str(lead), str(body), None if html is None else str(html)


def _text_dictionary(lead: str, body: str) -> bytes:
    return f"{lead}\n\n{body}".encode()[-32768:]  # zlib's window: the last 32 KiB


def pack_html(body_html: str | None, lead: str, body: str) -> bytes | None:
    """``articles.body_html_packed``: the HTML as zlib-compressed UTF-8 (None stays None).

    The HTML holds the body's text again, so the stream is compressed with the row's own
    ``lead`` and ``body`` as zlib's preset dictionary (``zdict``): only the markup costs
    bytes (1.1 KB against 1.6 KB without, on the replica's articles). Reading it back needs
    the same ``lead`` and ``body``, which :mod:`archive.store` always writes together with it.

    The stream is written by ISA-L (``isal_zlib``, a faster deflate) and is an ordinary zlib
    stream: :func:`unpack_html` reads it with the standard library, so reading an archive
    never depends on ISA-L (rows written with zlib itself read the same way).
    """
    if body_html is None:
        return None
    packer = isal_zlib.compressobj(HTML_LEVEL, zdict=_text_dictionary(lead, body))
    return packer.compress(body_html.encode("utf-8")) + packer.flush()


def unpack_html(packed: bytes, lead: str, body: str) -> str:
    """Inverse of :func:`pack_html`."""
    unpacker = zlib.decompressobj(zdict=_text_dictionary(lead, body))
    return (unpacker.decompress(packed) + unpacker.flush()).decode("utf-8")


_ARTICLE_TEXTS = (
    "SELECT lead, body, body_html, body_html_packed FROM articles WHERE portal = ? AND site_id = ?"
)


def article_texts(
    db: sqlite_utils.Database, site_id: int, portal: str = "most"
) -> tuple[str, str, str | None]:
    """``(lead, body, body_html)`` of an article's current version (``("", "", None)`` when
    there is no such article)."""
    found = db.execute(_ARTICLE_TEXTS, [portal, site_id]).fetchone()
    if found is None:
        return "", "", None
    lead, body, html, packed = found
    lead, body = str(lead or ""), str(body or "")
    if html is None and packed is not None:
        html = unpack_html(bytes(packed), lead, body)
    return lead, body, html


def article_html(db: sqlite_utils.Database, site_id: int, portal: str = "most") -> str | None:
    """The sanitised body HTML of an article's current version."""
    return article_texts(db, site_id, portal)[2]


def texts(
    db: sqlite_utils.Database, site_id: int, row: dict[str, Any]
) -> tuple[str, str, str | None]:
    """``(lead, body, body_html)`` of one revision row (it must carry ``storage``, ``packed``,
    ``lead``, ``body`` and ``body_html``; its ``portal``, when it has one, names the article)."""
    storage = row.get("storage") or "plain"
    if storage == "zlib":
        return unpack(bytes(row["packed"]))
    if storage == "article":
        return article_texts(db, site_id, str(row.get("portal") or "most"))
    return str(row.get("lead") or ""), str(row.get("body") or ""), row.get("body_html")
