"""Split body blocks into paragraphs and captioned images (SITE.md §4.2, §10.12).

A caption is the text that belongs to the image just above it. Recognised forms, in this order:

1. text in the same block as the image (``<p><img/><br/><em>…</em></p>``) that is centred,
   italic or starts with "Ảnh:";
2. in a table, the row after an image row (the 2-row image table); when both rows have the same
   number of cells holding images and captions, each caption goes to the image above it;
3. outside tables, the first non-spacer block after an image block, when it is centred, all
   italic, or starts with "Ảnh:" (``<p style="text-align:center"><em>…</em></p>``).

With several images in one block, the caption goes to the last of them; an image followed by
ordinary text has no caption (None). Captions are kept verbatim: a leading "Ảnh:" stays, since it
is what the page prints and some captions are only a photo credit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crawler.items import Image
from crawler.parsers.blocks import Block
from crawler.parsers.urls import absolute_url

CAPTION_PREFIX = re.compile(r"^[(\[]?\s*(?:ảnh|hình|photo)\s*(?:\d+\s*)?[:.-]", re.IGNORECASE)


@dataclass
class _Group:
    first: int  # index of its first image in the output list
    count: int
    table: int | None
    cell_images: list[int]


def caption_like(block: Block) -> bool:
    return block.align == "center" or block.italic or bool(CAPTION_PREFIX.match(block.text))


def split_captions(blocks: list[Block], page_url: str) -> tuple[list[Block], list[Image]]:
    """Body paragraphs (caption blocks removed) and the images with their captions."""
    paragraphs: list[Block] = []
    urls: list[str] = []
    alts: list[str] = []
    captions: list[str | None] = []
    group: _Group | None = None
    for block in blocks:
        if block.images:
            first = len(urls)
            for raw in block.images:
                urls.append(absolute_url(raw.src, page_url))
                alts.append(raw.alt)
                captions.append(None)
            if not block.text:
                group = _Group(first, len(block.images), block.table, block.cell_images)
                continue
            group = None
            if block.table is None and caption_like(block):
                captions[-1] = block.text
            else:
                paragraphs.append(block)
            continue
        if group is not None and (
            (block.table is not None and block.table == group.table)
            or (block.table is None and caption_like(block))
        ):
            _assign(group, block, captions)
            group = None
            continue
        group = None
        paragraphs.append(block)
    images = [Image(url=u, caption=c, alt=a) for u, c, a in zip(urls, captions, alts, strict=True)]
    return paragraphs, images


def _assign(group: _Group, block: Block, captions: list[str | None]) -> None:
    per_image = (
        group.count > 1
        and block.table is not None
        and len(block.cells) == len(group.cell_images)
        and all(n <= 1 for n in group.cell_images)
    )
    if not per_image:
        captions[group.first + group.count - 1] = block.text
        return
    index = group.first
    for n, text in zip(group.cell_images, block.cells, strict=True):
        if n:
            captions[index] = text or None
            index += 1
