"""Text hygiene shared by every parser: decoding page bytes and normalising strings.

Every string a parser returns goes through :func:`clean`: HTML entities are already decoded by
lxml; here non-breaking and other exotic spaces become plain spaces, zero-width characters and
soft hyphens are dropped, runs of whitespace collapse to one space, the ends are trimmed and the
result is Unicode NFC (pages pasted from Word arrive in NFD).

Control characters never reach a parsed field: C0 and C1 controls (ESC, BEL, the 8-bit CSI and
OSC…) and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
are dropped by :func:`clean` (those that are whitespace, such as form feed or NEL, become a
space first), by :func:`strip_controls` for text that keeps its line breaks (``body_html``),
and percent-encoded in URLs by :func:`encode_controls`. Raw pages are stored as fetched.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

# Characters that carry no text: zero-width space/non-joiner/joiner, word joiner, BOM, soft hyphen.
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Bidirectional embeddings, overrides (U+202A-U+202E) and isolates (U+2066-U+2069): they can
# make text display in another order than it is stored (and read).
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
# C0 and C1 control characters that are not whitespace (str.split() turns the others, tab, line
# feed, CR, VT, FF, the information separators U+001C-U+001F and NEL, into plain spaces).
_NON_SPACE_CONTROLS = "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}{_BIDI_CONTROLS}{_NON_SPACE_CONTROLS}]")
# Every C0 and C1 control but tab and line feed, and the bidi controls.
CONTROLS = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI_CONTROLS}]")
# <meta charset="..."> or <meta http-equiv="Content-Type" content="...; charset=...">,
# and the XML declaration's encoding="...".
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""",
    re.IGNORECASE,
)
_SNIFF_BYTES = 4096


def clean(text: str | None) -> str:
    """Normalise one piece of text for storage: controls dropped, spaces collapsed, trimmed, NFC."""
    if not text:
        return ""
    # Every space but " " and every invisible character is non-printable: text that is
    # printable once its NBSPs are spaces (the usual paragraph) holds no invisible character
    # and no other space, and unless two spaces meet or one ends it, it is clean as it is:
    # C-level tests instead of a regex search and a split into words.
    spaced = text.replace("\xa0", " ")
    if spaced.isprintable():
        if "  " in spaced or spaced[0] == " " or spaced[-1] == " ":
            spaced = " ".join(spaced.split())
        text = spaced
    else:
        # str.split() splits on every Unicode space (NBSP, thin and narrow spaces included).
        joined = " ".join(text.split())
        # Invisible characters survive the join: a printable result had none.
        text = joined if joined.isprintable() else " ".join(_INVISIBLE.sub("", text).split())
    # normalize() returns its input at once when the quick check says it is NFC already.
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _control_replacement(match: re.Match[str]) -> str:
    return " " if match.group().isspace() else ""


def strip_controls(text: str) -> str:
    """``text`` without control characters, tab and line feed kept.

    Controls that are whitespace (CR, VT, FF, NEL, U+001C-U+001F) become a space, the others
    (ESC, BEL, C1, bidi controls…) are dropped. For text whose line breaks matter (HTML).
    """
    # Every control character is non-printable: text that is printable once its line feeds
    # and tabs are set aside (one C-level test each) holds none, without a regex search.
    rest = text.replace("\n", "")
    if "\t" in rest:
        rest = rest.replace("\t", "")
    if rest.isprintable():
        return text
    return CONTROLS.sub(_control_replacement, text) if CONTROLS.search(text) else text


def encode_controls(url: str) -> str:
    """``url`` with its control characters (and bidi controls) percent-encoded as UTF-8.

    What a browser sends for such a URL; the URL stays the same address, and no control
    character reaches a stored ``url`` field.
    """
    if url.isprintable() or not CONTROLS.search(url):  # controls are non-printable
        return url
    return CONTROLS.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), url)


# Python text codecs no web page is written in: they decode escapes or host names (and raise on
# other bytes), or are UTF-7, which no browser reads a page in, or refuse everything.
_NOT_PAGE_ENCODINGS = frozenset(
    {"idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7", "undefined"}
)


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in its first bytes (meta tag or XML declaration), if any
    a page can be written in: a codec that is no text encoding (rot13, base64, zlib: decoding
    with them raises) or in :data:`_NOT_PAGE_ENCODINGS` is no charset (None, as undeclared)."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    if match is None:
        return None
    raw = match.group(1) or match.group(2)
    try:
        name = codecs.lookup(raw.decode("ascii")).name
        b"x".decode(name)  # LookupError for a codec that is no text encoding (b"" skips the check)
    except (LookupError, UnicodeError):
        return None
    return None if name in _NOT_PAGE_ENCODINGS else name


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
        try:
            return data.decode(charset, "replace").encode("utf-8", "replace")
        except (LookupError, UnicodeError):  # a codec that raises whatever the errors handler
            return data
    return data
