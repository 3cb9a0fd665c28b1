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
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["PAIRS_LIMIT", "LineChange", "Segment", "line_changes", "opcodes", "word_segments"]

Op = Literal["=", "-", "+"]
Segment = tuple[Op, str]  # ("=", kept text), ("-", removed), ("+", added)
_WORDS = re.compile(r"\s*\S+|\s+")  # a word with the spaces before it
# Comparing two sequences (difflib without its junk heuristic, which would leave the common
# words unmatched) costs about the product of their lengths: a paragraph of 50,000 words with
# one word changed took 33 s (growing with the square of the length: a megabyte-long one, many
# minutes), in ``diff --word`` and in the web view. Beyond this many pairs, the common leading
# and trailing items are set aside first (an edit inside a long paragraph is then compared
# alone), and a middle still beyond it is shown removed and added whole.
PAIRS_LIMIT = 4_000_000
Opcode = tuple[str, int, int, int, int]


@dataclass(frozen=True)
class LineChange:
    """One line of the comparison: kept (``=``), removed (``-``), added (``+``) or changed
    (``~``, with its word-level ``segments``)."""

    kind: Literal["=", "-", "+", "~"]
    old: str | None
    new: str | None
    segments: list[Segment] = field(default_factory=list)


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """``difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()``, bounded (see
    :data:`PAIRS_LIMIT`): the same answer up to that size."""
    if len(a) * len(b) <= PAIRS_LIMIT:
        return list(difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes())
    shorter = min(len(a), len(b))
    head = 0
    while head < shorter and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < shorter - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a_end, b_end = len(a) - tail, len(b) - tail
    out: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    if (a_end - head) * (b_end - head) <= PAIRS_LIMIT:
        middle = difflib.SequenceMatcher(None, a[head:a_end], b[head:b_end], autojunk=False)
        out += [
            (tag, i1 + head, i2 + head, j1 + head, j2 + head)
            for tag, i1, i2, j1, j2 in middle.get_opcodes()
        ]
    elif head < a_end and head < b_end:
        out.append(("replace", head, a_end, head, b_end))
    elif head < a_end:
        out.append(("delete", head, a_end, head, head))
    elif head < b_end:
        out.append(("insert", head, head, head, b_end))
    if tail:
        out.append(("equal", a_end, len(a), b_end, len(b)))
    return out


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

    for tag, i1, i2, j1, j2 in opcodes(a, b):
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
    for tag, i1, i2, j1, j2 in opcodes(old_lines, new_lines):
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
