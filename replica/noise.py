"""Turn clean text into the noisy HTML text the real site serves (SITE.md §10.16-18).

Every transformation here is undone by the brief's text rules (entities decoded, NFC, NBSP ->
space, zero-width spaces removed, whitespace collapsed and trimmed), so the ground truth is the
clean text the noise was added to.
"""

from __future__ import annotations

import html
import random
import unicodedata
from dataclasses import dataclass
from html.entities import codepoint2name

ZWSP = "\u200b"


@dataclass(frozen=True)
class Noise:
    entities: bool = False  # CKEditor: named entities for Latin-1 letters and typography
    nfd: bool = False  # decomposed Unicode, as pasted from Word
    zwsp: bool = False  # zero-width spaces after some spaces
    nbsp: bool = False  # some spaces written as &nbsp;


def ckeditor_entities(text: str) -> str:
    """Escape like CKEditor: ``&agrave;`` for à but raw UTF-8 for ạ (no named entity)."""
    out = []
    for ch in text:
        name = codepoint2name.get(ord(ch))
        if name and ord(ch) >= 0xA0:
            out.append(f"&{name};")
        else:
            out.append(ch)
    return "".join(out)


def to_html(text: str, noise: Noise, r: random.Random | None = None) -> str:
    """Clean text -> HTML text content with the requested noise."""
    if noise.nfd:
        text = unicodedata.normalize("NFD", text)
    words = text.split(" ")
    if r is not None and len(words) > 3 and (noise.zwsp or noise.nbsp):
        for i in r.sample(range(1, len(words)), min(3, len(words) - 1)):
            if noise.zwsp and i % 2 == 0:
                words[i] = ZWSP + words[i]
            elif noise.nbsp:
                words[i] = "\xa0" + words[i]
                words[i - 1] = words[i - 1]
        joined = []
        for i, word in enumerate(words):
            if i and word.startswith("\xa0"):
                joined.append(word)  # the NBSP replaces the space
            else:
                joined.append((" " if i else "") + word)
        text = "".join(joined)
    escaped = html.escape(text, quote=False)
    if noise.entities:
        escaped = ckeditor_entities(escaped)
    return escaped.replace("\xa0", "&nbsp;")


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def plain(text: str) -> str:
    """Minimal escaping, for text the site writes raw (titles, listing text)."""
    return html.escape(text, quote=False)
