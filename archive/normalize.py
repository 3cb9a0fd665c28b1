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
_EXTRA_FOLDS = str.maketrans({"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ı": "i"})
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


def fold(text: str) -> str:
    """Fold ``text`` for accent-insensitive search: NFC, diacritics stripped, đ/Đ → d, lower case.

    >>> fold("Điện") == "dien" and fold("KHOA HỌC") == "khoa hoc"
    True

    Works on NFD input as well (composed first). Whitespace is kept as it is, so offsets of
    words stay comparable between the folded and the NFC copy.
    """
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFC", text).lower().translate(_FOLD)


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


def join_body(paragraphs: Iterable[str]) -> str:
    """The stored form of ``Article.body``: paragraphs separated by one blank line."""
    return "\n\n".join(paragraphs)


def split_body(body: str | None) -> list[str]:
    """Inverse of :func:`join_body` ("" → [])."""
    return body.split("\n\n") if body else []


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
    payload: dict[str, object] = {
        "title": clean(title),
        "lead": clean(lead),
        "body": [c for c in (clean(p) for p in body) if c],
        "source": clean(source),
        "images": [[u.strip(), clean(c)] for u, c in images],
        "attachments": [[u.strip(), clean(t)] for u, t in attachments],
    }
    if clean(author):
        payload["author"] = clean(author)
    kept_tags = [c for c in (clean(t) for t in tags) if c]
    if kept_tags:
        payload["tags"] = kept_tags
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
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
