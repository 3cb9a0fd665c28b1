"""Text hygiene shared by every parser: decoding page bytes and normalising strings.

Every string a parser returns goes through :func:`clean`: HTML entities are already decoded by
lxml; here non-breaking and other exotic spaces become plain spaces, zero-width characters and
soft hyphens are dropped, runs of whitespace collapse to one space, the ends are trimmed and the
result is Unicode NFC (pages pasted from Word arrive in NFD).
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# Characters that carry no text: zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# <meta charset="..."> or <meta http-equiv="Content-Type" content="...; charset=...">,
# and the XML declaration's encoding="...".
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""",
    re.IGNORECASE,
)
_SNIFF_BYTES = 4096


def clean(text: str | None) -> str:
    """Normalise one piece of text for storage: spaces collapsed, trimmed, NFC."""
    if not text:
        return ""
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    # str.split() splits on every Unicode space (NBSP, thin and narrow spaces included).
    text = " ".join(text.split())
    # normalize() returns its input at once when the quick check says it is NFC already.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first bytes (meta tag or XML declaration), if any."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if match is None:
        return None
    raw = match.group(1) or match.group(2)
    try:
        return codecs.lookup(raw.decode("ascii")).name
    except (LookupError, UnicodeDecodeError):
        return None


def to_utf8(data: bytes | str) -> bytes:
    """Page bytes (or text) as UTF-8 bytes for the parser, whatever the page declared.

    UTF-8 is the default: a page declaring UTF-8 or nothing is passed on as it is (the parser
    turns invalid bytes into U+FFFD). A page declaring another charset is checked first: if its
    bytes are valid UTF-8 the declaration is wrong and UTF-8 wins; otherwise it is decoded with
    the declared charset, undecodable bytes becoming U+FFFD rather than an error.
    """
    if isinstance(data, str):
        return data.encode("utf-8", "replace")  # lone surrogates become "?"
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace").encode("utf-8")
    charset = declared_charset(data)
    if charset in (None, "utf-8"):
        return data
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(charset, "replace").encode("utf-8", "replace")
    return data
