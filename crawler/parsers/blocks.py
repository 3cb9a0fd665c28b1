"""Flatten an HTML subtree into an ordered list of blocks (paragraphs, image groups, table rows).

A block is what a reader sees as one unit: the inline content of one ``<p>``/``<div>``/``<li>``
(however deeply its ``<span>``s nest), or one table row. Each block remembers what the caption and
source rules need: its alignment (``text-align`` or ``align``), whether all its text is in
``<em>``/``<i>``, the images it holds and, for a table row, its cells.
Spacer blocks (no text, no image) are not emitted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from crawler.parsers.document import strings, text_of
from crawler.parsers.text import clean

BLOCK_TAGS = frozenset(
    (
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "section",
        "article",
        "center",
        "pre",
        "figure",
        "figcaption",
        "header",
        "footer",
        "address",
        "hr",
        "form",
        "main",
        "nav",
        "aside",
        "caption",
    )
)
# Elements whose content is never text of the article. Not <embed>: it is void in HTML but
# libxml2 does not know that, so the paragraphs after a bare <embed> end up inside it.
SKIP_TAGS = frozenset(
    (
        "script",
        "style",
        "noscript",
        "iframe",
        "object",
        "template",
        "button",
        "input",
        "select",
        "textarea",
        "option",
        "head",
        "title",
        "meta",
        "link",
        "svg",
        "map",
    )
)
EMPHASIS_TAGS = frozenset(("em", "i"))
# Share of a block's letters that must sit inside <em>/<i> to call it all-italic.
EMPHASIS_SHARE = 0.9
_ALIGN_STYLE = re.compile(r"text-align\s*:\s*(center|right|left|justify)", re.IGNORECASE)
# Tags that stop the one-pass reading of a block (see Flattener._inline_block).
_STRUCTURAL = BLOCK_TAGS | SKIP_TAGS | {"br", "img", "table"}
_ITALIC_TEXT = etree.XPath(".//text()[ancestor::em or ancestor::i]")


@dataclass(frozen=True, slots=True)
class RawImage:
    src: str
    alt: str


@dataclass(slots=True)
class Block:
    text: str
    images: list[RawImage] = field(default_factory=list)
    align: str = ""  # "center", "right" or "" (left/justify/unknown)
    emphasis: bool | None = False  # all text in <em>/<i>; None: work it out from `element`
    table: int | None = None  # serial of the table the row belongs to; None outside tables
    cells: list[str] = field(default_factory=list)  # a row's cell texts (empty cells kept)
    cell_images: list[int] = field(default_factory=list)  # images per cell, for an image row
    element: etree._Element | None = field(default=None, repr=False, compare=False)

    @property
    def italic(self) -> bool:
        """(Almost) all its text is inside ``<em>``/``<i>``; computed on first use only, since
        only the block right after an image ever asks."""
        if self.emphasis is None:
            self.emphasis = _all_italic(self.element) if self.element is not None else False
        return self.emphasis


def element_align(el: etree._Element) -> str:
    """``center``/``right`` when the element aligns its text so, ``""`` otherwise."""
    if el.tag == "center":
        return "center"
    style = el.get("style")
    if style:
        aligned = _STYLE_ALIGN.get(style)
        if aligned is None:
            aligned = _style_align(style)
        if aligned != _NO_ALIGN:
            return aligned
    attr = (el.get("align") or "").strip().lower()
    return attr if attr in ("center", "middle", "right") else ""


# What each style value says of the alignment (pages repeat a few values); bounded.
_STYLE_ALIGN: dict[str, str] = {}
_NO_ALIGN = "none"  # the style names no alignment: the align attribute decides
_STYLES_SEEN = 4096
_STYLE_LENGTH = 256


def _style_align(style: str) -> str:
    found = _ALIGN_STYLE.search(style)
    if found:
        value = found.group(1).lower()
        aligned = value if value in ("center", "right") else ""
    else:
        aligned = _NO_ALIGN
    if len(style) <= _STYLE_LENGTH:  # a hostile page's megabyte of style is not kept
        if len(_STYLE_ALIGN) >= _STYLES_SEEN:
            _STYLE_ALIGN.clear()
        _STYLE_ALIGN[style] = aligned
    return aligned


def _all_italic(el: etree._Element) -> bool:
    if not any(node.tag in EMPHASIS_TAGS for node in el.iterdescendants()):
        return False
    total = _letters(text_of(el))
    italic = sum(_letters(t) for t in strings(_ITALIC_TEXT, el))
    return total > 0 and italic >= EMPHASIS_SHARE * total


def _inline_only(el: etree._Element) -> bool:
    """True when nothing under ``el`` is a block, image, break, table or skipped element."""
    for node in el.iterdescendants():
        tag = node.tag
        if not isinstance(tag, str) or tag in _STRUCTURAL:
            return False
    return True


def _letters(text: str) -> int:
    return len(text) - text.count(" ") - text.count("\n") - text.count("\xa0")


class Flattener:
    """Walks one subtree once and collects its blocks in document order.

    Speed: a block element whose subtree holds only inline markup (the common ``<p>`` with
    nested ``<span>``s) is read in one C-level call (``text_of``); only blocks with
    images, line breaks, nested blocks or tables are walked node by node.
    """

    def __init__(self, skip: frozenset[etree._Element] | set[etree._Element] = frozenset()) -> None:
        self._skip = skip  # elements left out with their subtree (their tail text is kept)
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._images: list[RawImage] = []
        self._letters = 0
        self._italic = 0
        self._align = ""
        self._tables = 0

    def run(self, root: etree._Element) -> list[Block]:
        self._align = element_align(root)
        self._children(root, 0)
        self._flush()
        return self.blocks

    def _add_text(self, text: str | None, italic: int) -> None:
        if not text or (not self._parts and text.isspace()):
            return
        self._parts.append(text)
        letters = _letters(text)
        self._letters += letters
        if italic:
            self._italic += letters

    def _flush(self) -> None:
        if not self._parts and not self._images:
            return
        if self._letters or self._images:
            text = clean("".join(self._parts))
            if text or self._images:
                self.blocks.append(
                    Block(
                        text=text,
                        images=self._images,
                        align=self._align,
                        emphasis=bool(text) and self._italic >= EMPHASIS_SHARE * self._letters,
                    )
                )
            self._images = []
        self._parts = []
        self._letters = self._italic = 0

    def _visit(self, el: etree._Element, italic: int) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS or (self._skip and el in self._skip):
            return  # comments, processing instructions, scripts: their tail is the caller's
        if tag == "br":
            self._parts.append(" ")
            return
        if tag == "img":
            src = (el.get("src") or el.get("data-src") or "").strip()
            if src:
                self._images.append(RawImage(src, clean(el.get("alt"))))
            return
        if tag == "table":
            self._flush()
            self._table(el)
            return
        if tag in EMPHASIS_TAGS:
            italic += 1
        if tag not in BLOCK_TAGS:
            self._children(el, italic)
            return
        self._flush()
        outer = self._align
        self._align = element_align(el) or outer
        if _inline_only(el):
            self._inline_block(el, italic)
        else:
            self._children(el, italic)
        self._flush()
        self._align = outer

    def _inline_block(self, el: etree._Element, italic: int) -> None:
        """A block holding inline markup only: its text in one C-level pass."""
        text = clean(text_of(el))
        if text:
            self.blocks.append(
                Block(text=text, align=self._align, emphasis=True if italic else None, element=el)
            )

    def _children(self, el: etree._Element, italic: int) -> None:
        self._add_text(el.text, italic)
        for child in el:
            self._visit(child, italic)
            tail = child.tail
            if tail:
                self._add_text(tail, italic)

    def _table(self, table: etree._Element) -> None:
        self._tables += 1
        serial = self._tables
        for row in _rows(table):
            texts: list[str] = []
            images: list[RawImage] = []
            per_cell: list[int] = []
            aligns: set[str] = set()
            for cell in row.iterchildren("td", "th"):
                simple = self._simple_cell(cell)
                if simple is not None:
                    text, align = simple
                    texts.append(text)
                    per_cell.append(0)
                    if text:
                        aligns.add(align)
                    continue
                inner = Flattener(self._skip).run(cell)
                texts.append(" ".join(b.text for b in inner if b.text))
                cell_images = [img for b in inner for img in b.images]
                images.extend(cell_images)
                per_cell.append(len(cell_images))
                aligns.update(b.align for b in inner if b.text)
            filled = [t for t in texts if t]
            if not filled and not images:
                continue
            self.blocks.append(
                Block(
                    text=" | ".join(filled),
                    images=images,
                    align=aligns.pop() if len(aligns) == 1 else "",
                    emphasis=None if filled else False,  # worked out on demand
                    table=serial,
                    cells=texts,
                    cell_images=per_cell,
                    element=row,
                )
            )

    def _simple_cell(self, cell: etree._Element) -> tuple[str, str] | None:
        """(text, alignment) of a cell holding inline markup only, or one block of inline
        markup with nothing but spaces around it (the usual ``<td><p>…</p></td>``), read in
        one C-level call: what a flattening of the cell gives for it. None for other cells."""
        skip = self._skip
        if len(cell) == 1:
            block = cell[0]
            tag = block.tag
            if (
                isinstance(tag, str)
                and tag in BLOCK_TAGS
                and not (skip and block in skip)
                and _blank(cell.text)
                and _blank(block.tail)
                and _inline_only(block)
            ):
                return clean(text_of(block)), element_align(block) or element_align(cell)
        if _inline_only(cell) and not (skip and any(d in skip for d in cell.iterdescendants())):
            return clean(text_of(cell)), element_align(cell)
        return None


def _blank(text: str | None) -> bool:
    """Nothing a flattening would start a block with: no text, or spaces only."""
    return not text or text.isspace()


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's rows in document order: ``./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr``."""
    rows: list[etree._Element] = []
    for child in table.iterchildren("tr", "thead", "tbody", "tfoot"):
        if child.tag == "tr":
            rows.append(child)
        else:
            rows.extend(child.iterchildren("tr"))
    return rows


def flatten(
    root: etree._Element, skip: frozenset[etree._Element] | set[etree._Element] = frozenset()
) -> list[Block]:
    """The blocks of ``root`` in document order (spacers dropped), leaving out the subtrees of
    the elements in ``skip``."""
    return Flattener(skip).run(root)
