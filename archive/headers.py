"""Response headers, stored compressed (``headers_packed``) instead of as plain JSON text.

Each archived response (``raw_pages``, ``file_responses``) keeps the headers it came with as a
JSON list of ``[name, value]`` pairs. As plain text that is 300-600 bytes a response, most of it
the same names and values again and again (``Server``, ``Cache-Control``, the SharePoint and
ASP.NET signatures), more than a dictionary-compressed raw page takes. So the JSON text is kept
compressed in ``headers_packed`` and ``headers_json`` is NULL (rows written before migration
``m016`` had the text there, and :func:`headers_json` reads either).

Format: one version byte, then the data. Version ``1``: raw DEFLATE (zlib, level 9) of the
UTF-8 JSON text, with :data:`DICTIONARY_1` as the preset dictionary: the names and common
values of HTTP response headers, so that a response's headers cost about the bytes of what is
particular to it (its date, its length, its validators). A dictionary, once used, is never
changed: a better one becomes version ``2`` and version ``1`` rows stay readable. What comes
back is the stored JSON text byte for byte.
"""

from __future__ import annotations

import zlib

__all__ = ["DICTIONARY_1", "headers_json", "pack", "unpack"]

# Header names and values common on the web and on both portals (IIS/SharePoint and the VCCorp
# CMS behind nginx), as they appear in the JSON text; the most frequent last (nearest the data,
# cheapest to refer to). Never edit: add a DICTIONARY_2 and a version byte 2.
DICTIONARY_1 = (
    b'["Strict-Transport-Security", "max-age=31536000"], ["X-Content-Type-Options", "nosniff"], '
    b'["X-Frame-Options", "SAMEORIGIN"], ["X-Xss-Protection", "1; mode=block"], '
    b'["Access-Control-Allow-Origin", "*"], ["Content-Encoding", "gzip"], '
    b'["Transfer-Encoding", "chunked"], ["Connection", "keep-alive"], '
    b'["Vary", "Accept-Encoding"], ["Accept-Ranges", "bytes"], ["Pragma", "no-cache"], '
    b'["Expires", "-1"], ["Age", "0"], ["Location", "https://'
    b'["Content-Disposition", "attachment; filename="], ["Set-Cookie", "; path=/; HttpOnly"], '
    b'["Sprequestguid", ""], ["Request-Id", ""], ["Sprequestduration", ""], '
    b'["Spiislatency", "0"], ["X-Ms-Invokeapp", "1; RequireReadOnly"], '
    b'["Content-Type", "application/pdf"], ["Content-Type", "application/msword"], '
    b'["Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"], '
    b'["Content-Type", "image/png"], ["Content-Type", "image/gif"], '
    b'["Content-Type", "text/html"], ["Content-Type", "image/webp"], '
    b'["Server", "nginx"], ["X-Powered-By", "VCCorp CMS"], '
    b'["Cache-Control", "public, max-age=60"], ["Cache-Control", "public, max-age=31536000"], '
    b'["Cache-Control", "no-cache"], ["Etag", "\\"'
    b'["Last-Modified", "Wed, 01 Jan 2025 00:00:00 GMT"], '
    b'["Content-Type", "image/jpeg"], ["Cache-Control", "max-age=31536000"], '
    b'["Content-Length", "'
    b'"], ["Server", "Microsoft-IIS/8.5"], ["Microsoftsharepointteamservices", "15.0.0.4797"], '
    b'["X-Aspnet-Version", "4.0.30319"], ["X-Powered-By", "ASP.NET"], '
    b'["X-Sharepointhealthscore", "0"], ["Content-Type", "text/html; charset=utf-8"], '
    b'["Cache-Control", "private"], ["Date", "Mon, Tue, Wed, Thu, Fri, Sat, Sun, '
    b"Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec 2025 2026 00:00:00 GMT"
    b'"]]'
)
_LEVEL = 9
_WBITS = -15  # raw DEFLATE: no zlib header or checksum (the rows are checked by their own digests)


def pack(text: str) -> bytes:
    """``headers_packed`` for the headers' JSON text (format version 1)."""
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, _WBITS, zdict=DICTIONARY_1)
    return b"\x01" + packer.compress(text.encode("utf-8")) + packer.flush()


def unpack(packed: bytes) -> str:
    """The JSON text :func:`pack` was given."""
    if not packed or packed[0] != 1:
        raise ValueError(f"unknown packed headers format {packed[:1]!r}")
    unpacker = zlib.decompressobj(_WBITS, zdict=DICTIONARY_1)
    return (unpacker.decompress(packed[1:]) + unpacker.flush()).decode("utf-8")


def headers_json(text: str | None, packed: bytes | None) -> str | None:
    """A row's headers as JSON text, whichever column holds them (None: none were kept)."""
    if text is not None:
        return text
    return None if packed is None else unpack(bytes(packed))
