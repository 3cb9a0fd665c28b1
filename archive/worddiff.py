"""Word-level differences between two versions of a text, paragraph by paragraph.

Pure functions, shared by ``most-archive diff --word`` and the web view of a revision diff.
The texts are first aligned line by line (a line is a field, a paragraph or a caption, as
:func:`archive.render.revision_lines` writes a revision); where a line was changed, the old and
the new line are compared word by word, so a one-word edit in a long paragraph shows as that
word, not as two whole paragraphs.

A line's words are runs of non-space characters, each with the spaces before it (so a space
alone never "matches" between two changed words); joining a line's segments gives back the
line exactly (the old one from the ``=`` and ``-`` segments, the new one from ``=`` and ``+``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["LineChange", "Segment", "line_changes", "word_segments"]

Op = Literal["=", "-", "+"]
Segment = tuple[Op, str]  # ("=", kept text), ("-", removed), ("+", added)
_WORDS = re.compile(r"\s*\S+|\s+")  # a word with the spaces before it


@dataclass(frozen=True)
class LineChange:
    """One line of the comparison: kept (``=``), removed (``-``), added (``+``) or changed
    (``~``, with its word-level ``segments``)."""

    kind: Literal["=", "-", "+", "~"]
    old: str | None
    new: str | None
    segments: list[Segment] = field(default_factory=list)


def word_segments(old: str, new: str) -> list[Segment]:
    """``old`` → ``new`` as kept, removed and added runs of words (adjacent runs merged)."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    out: list[Segment] = []

    def put(op: Op, words: list[str]) -> None:
        text = "".join(words)
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        else:
            out.append((op, text))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            put("=", a[i1:i2])
        else:
            put("-", a[i1:i2])
            put("+", b[j1:j2])
    return out


def line_changes(old_lines: list[str], new_lines: list[str]) -> list[LineChange]:
    """Every line of both versions in order, each marked kept, removed, added or changed.

    Lines replaced by as many lines are paired in order and compared word by word; what is
    left over on either side is removed or added whole.
    """
    out: list[LineChange] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [LineChange("=", line, line) for line in old_lines[i1:i2]]
            continue
        olds, news = old_lines[i1:i2], new_lines[j1:j2]
        paired = min(len(olds), len(news)) if tag == "replace" else 0
        for old, new in zip(olds[:paired], news[:paired], strict=True):
            out.append(LineChange("~", old, new, word_segments(old, new)))
        out += [LineChange("-", line, None) for line in olds[paired:]]
        out += [LineChange("+", None, line) for line in news[paired:]]
    return out
