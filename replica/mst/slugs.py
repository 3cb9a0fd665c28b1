"""Slugs as the mst CMS writes them (SITE-mst.md §3.1): lower-case ASCII, diacritics removed
(đ -> d), words joined by single hyphens, punctuation dropped, "/" between parts -> "-" [I for
the exact punctuation rule: the two real examples disagree]."""

from __future__ import annotations

import re

from replica.slugs import ascii_fold


def slugify(title: str) -> str:
    text = ascii_fold(title).lower().replace("/", " ")
    text = re.sub(r"[^a-z0-9\s-]", "", text)
    return re.sub(r"[\s-]+", "-", text).strip("-")


def variants(slug: str) -> list[str]:
    """Other slugs that must reach the same article (routing is by id)."""
    words = slug.split("-")
    return ["-".join(words[: max(1, len(words) // 2)]), slug.upper(), "tin-bai", slug + "-1"]
