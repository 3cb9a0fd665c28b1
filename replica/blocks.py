"""The body of an article as data: paragraphs, figures (images with captions), tables, spacers.

``body(index, hosts, pos, r)`` draws an article's blocks; ``replica.article_page`` renders them
and ``replica.spec.truth`` reads the ground truth off them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from replica import vietnamese
from replica.hosts import Hosts
from replica.index import Index

FIGURE_FORMS = ("p_em", "table2", "p_anh", "row_table", "p_multi", "p_nocap", "consecutive")
ATTACHMENT_EXTS = ("pdf", "docx", "doc", "xlsx", "xls", "pptx", "PDF")


@dataclass
class Seg:
    """An inline run of a paragraph: plain text, or a link, or bold text."""

    text: str
    href: str | None = None
    strong: bool = False


@dataclass
class Para:
    segs: list[Seg]

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass
class Img:
    src: str  # as written in the page
    alt: str
    caption: str | None


@dataclass
class Figure:
    form: str  # one of FIGURE_FORMS (consecutive is rendered as p_nocap then p_em)
    images: list[Img]


@dataclass
class Table:
    rows: list[list[str]]


@dataclass
class Spacer:
    kind: int


Block = Para | Figure | Table | Spacer


def _image_src(r: random.Random, hosts: Hosts, site_id: int, k: int, kind: int) -> str:
    if kind == 0:
        stem = r.choice(("Hoi nghi", "Toan canh", "Dai bieu", "Truy xuat nguon goc", "Anh"))
        ext = r.choice(("jpg", "jpg", "JPG", "png"))
        return f"/Images/editor/images/{stem.replace(' ', '%20')}%20{site_id}-{k}.{ext}"
    if kind == 1:
        return f"{hosts.form(site_id + k)}/Images/editor/images/anh{site_id}_{k}.JPG"
    return f"{hosts.offsite}/media/anh-{site_id}-{k}.jpg"


def _figure(
    r: random.Random, hosts: Hosts, site_id: int, form: str, k: int, offsite: bool
) -> Figure:
    def img(j: int, cap: str | None) -> Img:
        kind = 2 if offsite and j == 0 else (1 if r.random() < 0.25 else 0)
        alt = "" if r.random() < 0.7 else vietnamese.caption(r).rstrip(".")
        return Img(_image_src(r, hosts, site_id, k * 10 + j, kind), alt, cap)

    if form == "p_anh":
        return Figure(form, [img(0, "Ảnh: " + vietnamese.caption(r))])
    if form == "row_table":
        return Figure(form, [img(j, vietnamese.caption(r)) for j in range(r.randint(2, 3))])
    if form == "p_multi":
        return Figure(form, [img(j, None) for j in range(r.randint(2, 3))])
    if form == "p_nocap":
        return Figure(form, [img(0, None)])
    return Figure(form, [img(0, vietnamese.caption(r))])


def _attachment_para(r: random.Random, hosts: Hosts, site_id: int, count: int) -> Para:
    segs = [Seg("Xem chi tiết " if count == 1 else "Tải về: ")]
    for j in range(count):
        stem, text = vietnamese.document(r)
        ext = ATTACHMENT_EXTS[(site_id + j) % len(ATTACHMENT_EXTS)]
        path = f"/Images/editor/files/{stem.replace(' ', '%20')}.{ext}"
        href = path if j == 0 else hosts.form(site_id) + path
        if j:
            segs.append(Seg("; "))
        segs.append(Seg(text, href=href))
    segs.append(Seg(" (file đính kèm)." if count == 1 else "."))
    return Para(segs)


def body(index: Index, hosts: Hosts, pos: int, r: random.Random) -> list[Block]:
    site_id = index.ids[pos]
    paras: list[Block] = [Para([Seg(vietnamese.paragraph(r))]) for _ in range(r.randint(3, 8))]
    first_form = FIGURE_FORMS[index.variant(pos, "figure", len(FIGURE_FORMS))]
    forms = [first_form] + [r.choice(FIGURE_FORMS) for _ in range(r.randint(0, 2))]
    offsite = index.variant(pos, "offsite-image", 6) == 0
    blocks: list[Block] = []
    for k, form in enumerate(forms):
        if form == "consecutive":
            figs = [
                _figure(r, hosts, site_id, "p_nocap", k, False),
                _figure(r, hosts, site_id, "p_em", k + 5, False),
            ]
        else:
            figs = [_figure(r, hosts, site_id, form, k, offsite and k == 0)]
        at = min(len(paras), 1 + 2 * k)
        paras[at:at] = figs
    for block in paras:
        blocks.append(block)
        if r.random() < 0.2:
            blocks.append(Spacer(r.randrange(3)))
    if index.variant(pos, "table", 3, stride=2) == 0:
        blocks.insert(min(len(blocks), 3), Table(vietnamese.table_rows(r)))
    attach = index.variant(pos, "attachments", 3, stride=3)
    if attach:
        blocks.append(_attachment_para(r, hosts, site_id, attach))
    if index.variant(pos, "offsite-link", 4) == 0:
        blocks.insert(
            1,
            Para(
                [
                    Seg("Thông tin chi tiết được đăng tải trên "),
                    Seg("Cổng Thông tin điện tử Chính phủ", href=f"{hosts.offsite}/chinhphu"),
                    Seg(" và các cơ quan báo chí."),
                ]
            ),
        )
    blocks.append(Spacer(0))
    return blocks
