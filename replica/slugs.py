"""Slugs as the real site writes them (SITE.md §3.2) and the variants found in the wild (§10.2).

Rules of the real site: lower-case ASCII, diacritics removed (đ -> d), every space or punctuation
character becomes one hyphen and hyphens are *not* collapsed ("Bảo vệ, phát triển" ->
"bao-ve--phat-trien", "4.0" -> "4-0"), quotes vanish, and a trailing space leaves a trailing hyphen.
"""

from __future__ import annotations

import unicodedata

_QUOTES = frozenset("\"'“”‘’«»")


def ascii_fold(text: str) -> str:
    """Remove Vietnamese diacritics: "Điểm báo" -> "Diem bao"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(title: str) -> str:
    """The site's article slug for a title (trailing space -> trailing hyphen)."""
    out: list[str] = []
    for ch in ascii_fold(title).lower():
        if ch in _QUOTES:
            continue
        out.append(ch if ch.isascii() and ch.isalnum() else "-")
    return "".join(out)


def title_case(slug: str) -> str:
    """ "ha-noi-dieu-chinh" -> "Ha-Noi-Dieu-Chinh" (the Title-Case form seen on category slugs)."""
    return "-".join(part[:1].upper() + part[1:] for part in slug.split("-"))


def variants(slug: str) -> list[str]:
    """Other slugs that must resolve to the same article (routing is by id)."""
    return [
        slug.upper(),
        title_case(slug),
        slug.rstrip("-") + "-",
        slug + "--",
        slug.replace("-", "--", 1),
        "tin-bai",
    ]
