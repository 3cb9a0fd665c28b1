"""Text normalisation for the archive: NFC, diacritic folding for search, the content hash.

``fold`` is the one definition of "the same word without its accents" used by the archive: the
full-text index stores folded text (see docs/schema.md) and the read side folds a query with the
same function before matching, so "dien", "Điện" and "ĐIỆN" all meet.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawler.items import Article

# Letters that carry no decomposable accent in Unicode but are accented letters to a reader.
_EXTRA_FOLD_PAIRS = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ı": "i"}
_EXTRA_FOLDS = str.maketrans(_EXTRA_FOLD_PAIRS)
# Runs of white space to write as one space: two or more, or one that is not already " "
# (matching only those leaves the many single spaces of a text alone: much faster than \s+).
_SPACE = re.compile(r"\s{2,}|[^\S ]")
_INVISIBLE_CHARS = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def nfc(text: str) -> str:
    """Return ``text`` in Unicode NFC (composed) form; ``None``-safe callers pass ``""``."""
    return unicodedata.normalize("NFC", text)


class _FoldTable(dict[int, str]):
    """``str.translate`` table folding one character at a time, filled on first sight.

    A character's fold is computed once (NFD, combining marks dropped, đ/Đ → d, NFC) and then
    looked up: folding is on the hot path of every article written and every query.
    """

    def __missing__(self, code: int) -> str:
        decomposed = unicodedata.normalize("NFD", chr(code).translate(_EXTRA_FOLDS))
        stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
        folded = unicodedata.normalize("NFC", stripped.translate(_EXTRA_FOLDS))
        self[code] = folded
        return folded


_FOLD = _FoldTable()
_WORDS_KEPT = 50_000  # words whose fold is remembered (a few MB at most)


class _FoldedWords(dict[str, str]):
    """Words (text between spaces, NFC, lower case) -> their fold, filled on first sight.

    ``str.translate`` looks every character up in a dict; a news text repeats its words, so
    a word's fold is looked up whole instead: the same result (folding is character by
    character and keeps the spaces), a fifth of the time.
    """

    def __missing__(self, word: str) -> str:
        folded = word.translate(_FOLD)
        if len(self) < _WORDS_KEPT:
            self[word] = folded
        return folded


_FOLDED_WORDS = _FoldedWords()


def fold(text: str) -> str:
    """Fold ``text`` for accent-insensitive search: NFC, diacritics stripped, đ/Đ → d, lower case.

    >>> fold("Điện") == "dien" and fold("KHOA HỌC") == "khoa hoc"
    True

    Works on NFD input as well (composed first). Whitespace is kept as it is, so offsets of
    words stay comparable between the folded and the NFC copy.
    """
    if text.isascii():
        return text.lower()
    lowered = unicodedata.normalize("NFC", text).lower()
    return " ".join(map(_FOLDED_WORDS.__getitem__, lowered.split(" ")))


# The characters on which the folded full-text index's own tokenizer (``unicode61
# remove_diacritics 2``, see archive.migrations) folds exactly as :func:`fold` does, đ/Đ/ð/Ð/ı
# apart: ASCII, the Latin letters (Vietnamese included) but ten of Latin Extended-B, general
# punctuation, currency and letterlike symbols. tests/archive/test_index_fold.py checks every
# one of them against the running SQLite.
_INDEX_FOLDS_ALIKE = (
    "\x00-\u01df\u01e4-\u01ed\u01f0-\u01fb\u0200-\u024f\u1e00-\u1eff\u2000-\u206f"
    "\u20a0-\u20cf\u2100-\u214f"
)
# A text made only of those characters: ``fullmatch`` of a run of them (one loop over the
# text) costs half a search for any other character (a match attempt at each position): 3.1
# against 6.6 µs for a 3,400-character article body.
_ALL_INDEX_FOLDED = re.compile(f"[{_INDEX_FOLDS_ALIKE}]*")


def index_fold(text: str) -> str:
    """``text`` as the folded full-text index is given it: the index's tokens are exactly
    those of :func:`fold` (``text``), at a fraction of the cost.

    The tokenizer lower-cases and strips accents itself, as :func:`fold` does, on the
    characters of ``_INDEX_FOLDS_ALIKE`` (a Vietnamese text is made of them); only đ/Đ (and
    ð/Ð/ı), which carry no decomposable accent, are folded here. A text with any other
    character is folded whole by :func:`fold`. Inserting and deleting a row of the folded
    index both go through this function; rows indexed from :func:`fold` (older archives) are
    deleted alike, as their tokens are the same.
    """
    if text.isascii():
        return text
    if _ALL_INDEX_FOLDED.fullmatch(text) is None:
        return fold(text)
    for accented, plain in _EXTRA_FOLD_PAIRS.items():  # no decomposition: not the tokenizer's
        if accented in text:
            text = text.replace(accented, plain)
    return text


def fold_sql(value: object) -> str | None:
    """:func:`fold` as an SQL function (``most_fold``): text folded, anything else NULL."""
    return fold(value) if isinstance(value, str) else None


@functools.cache
def _same_length_table() -> dict[int, str]:
    """Precomposed Latin letters -> their folded letter (one character each), from fold's
    own table."""
    table: dict[int, str] = {}
    for cp in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        folded = fold(chr(cp))
        if len(folded) == 1 and folded != chr(cp):
            table[cp] = folded
    return table


def fold_in_place(text: str) -> str:
    """:func:`fold` for NFC text at C speed, keeping every character's offset.

    The precomposed Latin letters (Vietnamese included, đ -> d) folded one for one, then
    ``str.lower``: what snippets use to find a folded match and mark it in the original.
    """
    return text.translate(_same_length_table()).lower()


def clean(text: str | None) -> str:
    """NFC, zero-width characters dropped, NBSP and all white space collapsed to one space, trimmed.

    Used for hashing only: the archive stores the parser's text as it was given.
    """
    if not text:
        return ""
    if not text.isascii():  # NBSP is white space to the pattern below, so it collapses too
        text = _INVISIBLE_CHARS.sub("", nfc(text))
    return _SPACE.sub(" ", text).strip()


# Joins texts for clean_all: not white space (the patterns above leave it alone and strip()
# keeps it), never composes with what follows it, and never in text a parser gives (XML
# forbids it).
_SEPARATOR = "\x00"


def clean_all(texts: Sequence[str | None]) -> list[str]:
    """``[clean(t) for t in texts]``, in one pass over all of them (an article's paragraphs:
    the per-call cost of the patterns was most of the content hash's time)."""
    if len(texts) < 2:
        return [clean(t) for t in texts]
    joined = _SEPARATOR.join(t or "" for t in texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:  # a text holds the separator itself
        return [clean(t) for t in texts]
    ascii_only = joined.isascii()
    if not ascii_only:
        joined = nfc(joined)
    # Every white space but " " and every invisible character is unprintable: text without
    # them and without a double space has nothing for the patterns to change.
    if "  " in joined or not joined.replace(_SEPARATOR, "").isprintable():
        if not ascii_only:
            joined = _INVISIBLE_CHARS.sub("", joined)
        joined = _SPACE.sub(" ", joined)
    return [p.strip() for p in joined.split(_SEPARATOR)]


def join_body(paragraphs: Iterable[str]) -> str:
    """The stored form of ``Article.body``: paragraphs separated by one blank line."""
    return "\n\n".join(paragraphs)


def split_body(body: str | None) -> list[str]:
    """Inverse of :func:`join_body` ("" → [])."""
    return body.split("\n\n") if body else []


# json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True), the encoder
# made once (json.dumps builds one per call when given options).
_HASH_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def content_hash_fields(
    *,
    title: str | None,
    lead: str | None,
    body: Sequence[str],
    source: str | None,
    images: Sequence[tuple[str, str | None]],
    attachments: Sequence[tuple[str, str]],
    author: str | None = None,
    tags: Sequence[str] = (),
) -> str:
    """sha256 (hex) over the normalised content that decides "changed" for an article.

    Covered: title, lead, body paragraphs (empty ones dropped), source, and for each image its
    URL and caption, for each attachment its URL and title, in document order; the author and
    the tags (in order, empty ones dropped) only where present, so an article with neither
    hashes exactly as before they existed (an archive written then gets no spurious
    revision). Not covered (a change there alone is not a new revision): published_at,
    category, body_html, image alt, the parser name, the portal.
    """
    # every text cleaned in one pass: title, lead, source, author, captions, attachment
    # titles, then the body paragraphs and the tags
    fixed = [title, lead, source, author]
    cleaned = clean_all(
        [*fixed, *(c for _u, c in images), *(t for _u, t in attachments), *body, *tags]
    )
    c_title, c_lead, c_source, c_author = cleaned[:4]
    at = len(fixed)
    captions = cleaned[at : at + len(images)]
    at += len(images)
    titles = cleaned[at : at + len(attachments)]
    at += len(attachments)
    paragraphs = cleaned[at : at + len(body)]
    at += len(body)
    payload: dict[str, object] = {
        "title": c_title,
        "lead": c_lead,
        "body": [c for c in paragraphs if c],
        "source": c_source,
        "images": [[u.strip(), c] for (u, _c), c in zip(images, captions, strict=True)],
        "attachments": [[u.strip(), t] for (u, _t), t in zip(attachments, titles, strict=True)],
    }
    if c_author:
        payload["author"] = c_author
    kept_tags = [c for c in cleaned[at:] if c]
    if kept_tags:
        payload["tags"] = kept_tags
    data = _HASH_JSON(payload)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def content_hash(article: Article) -> str:
    """The content hash of a parsed :class:`crawler.items.Article` (see content_hash_fields)."""
    return content_hash_fields(
        title=article.title,
        lead=article.lead,
        body=article.body,
        source=article.source,
        images=[(i.url, i.caption) for i in article.images],
        attachments=[(a.url, a.title) for a in article.attachments],
        author=article.author,
        tags=article.tags,
    )
