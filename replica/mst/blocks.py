"""The body of an mst article as data, and its generation.

Blocks that are body text (``P``, ``Heading``, ``ListBlock``, ``Table``, ``Boxed``) and blocks that
are not (``Photo``, ``Video``, ``Related``, ``Ad``). ``replica.mst.article_page`` renders them;
``replica.mst.spec.truth`` reads the ground truth off them, so the two cannot disagree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from replica import vietnamese
from replica.mst.catalog import MEDIA_SITE_ID

DOC_EXTS = frozenset({"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "zip", "rar"})
PHOTO_FORMS = ("figure", "old", "cover")
# figure: figcaption text | NLPlaceholderShow p in figcaption | blank "<figcaption> </figcaption>"
#         | figure.noCaption with an empty placeholder
# old:    div.PhotoCMS_Caption text | empty NLPlaceholderShow | div.noCaption, no caption block
CAPTION_FORMS = ("text", "placeholder", "blank", "nocaption")
RELATED_FORMS = ("type-2", "type-3", "one", "empty", "comments")
AD_FORMS = ("inread", "adsense", "admzone")


@dataclass
class Seg:
    """An inline run: plain text, a link (``cls`` VCCTagItemInNews / link-inline-content / ""),
    or bold / italic text."""

    text: str
    href: str | None = None
    cls: str = ""
    bold: bool = False
    media: bool = False  # href is a path on the media host


@dataclass
class P:
    segs: list[Seg]
    cls: str = ""  # "MsoNormal" for Word-pasted paragraphs

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass
class Heading:
    level: int
    text: str


@dataclass
class ListBlock:
    items: list[str]
    ordered: bool = False


@dataclass
class Table:
    rows: list[list[str]]
    cell_p: bool = False  # cells wrap their text in <p>


@dataclass
class Boxed:
    """A ``div[type=content]`` box: editorial text, part of the body."""

    heading: str
    paras: list[str]


@dataclass
class Photo:
    form: str  # one of PHOTO_FORMS
    path: str  # full-size media path, e.g. /639352410187198464/2025/7/4/x-1751...jpg
    caption: str | None  # the truth (None: no caption or an empty placeholder)
    caption_form: str  # one of CAPTION_FORMS
    alt: str
    link: bool = True  # old form: wrapped in <a href=full> (else the src is the full URL)
    data_original: bool = True  # figure form: data-original="full" on the <img>
    ad: bool = False  # an ad slot inside the figure


@dataclass
class Video:
    form: str  # "stream" (type=Video > type=VideoStream) or "embed" (type=insertembedcode)
    caption: str
    vid: str


@dataclass
class Related:
    form: str  # one of RELATED_FORMS


@dataclass
class Ad:
    form: str  # one of AD_FORMS


Block = P | Heading | ListBlock | Table | Boxed | Photo | Video | Related | Ad


def media_path(r: random.Random, when_ms: int, stem: str, ext: str, kind: str = "site") -> str:
    """A media path as the CMS names uploads: ``{stem}-{ms timestamp}{10 random digits}.{ext}``."""
    from datetime import UTC, datetime, timedelta

    t = datetime.fromtimestamp(when_ms / 1000, UTC) + timedelta(hours=7)
    name = f"{stem}-{when_ms}{r.randint(10**9, 10**10 - 1)}.{ext}"
    if kind == "document":
        return f"/document/{t.year}/{t.month}/{t.day}/{name}"
    return f"/{MEDIA_SITE_ID}/{t.year}/{t.month}/{t.day}/{name}"


PHOTO_STEMS = ("toan-canh", "hoi-nghi", "dai-bieu", "le-ky-ket", "anh-minh-hoa", "quang-canh")


def photo(
    r: random.Random, when_ms: int, form: str, caption_form: str, title: str, k: int, legacy: bool
) -> Photo:
    if legacy:
        path = f"/Upload_Moi/{2016 + k % 5}_vn/{20160715 + 97 * k + r.randint(0, 90)}-pg{k + 1}.jpg"
    else:
        ext = r.choice(("jpg", "jpg", "jpg", "png", "jpeg"))
        path = media_path(r, when_ms - r.randint(60_000, 3_600_000), r.choice(PHOTO_STEMS), ext)
    caption = vietnamese.caption(r) if caption_form == "text" else None
    alt_kind = r.randrange(3)
    alt = caption or "" if alt_kind == 0 else f"{title} - Ảnh {k + 1}." if alt_kind == 1 else ""
    return Photo(
        form,
        path,
        caption,
        caption_form,
        alt,
        link=r.random() < 0.6,
        data_original=r.random() < 0.85,
        ad=r.random() < 0.2,
    )


def documents(r: random.Random, when_ms: int, count: int, legacy: bool) -> list[Seg]:
    """Links to attached documents on the media host (one per Word-pasted paragraph)."""
    out = []
    for j in range(count):
        stem, text = vietnamese.document(r)
        ext = r.choice(("pdf", "pdf", "docx", "doc", "xlsx", "PDF"))
        slug = stem.lower().replace(" ", "-")
        if legacy:
            path = f"/Upload/VanBan/{slug}-{j}.{ext}"
        else:
            kind = "document" if r.random() < 0.3 else "site"
            path = media_path(r, when_ms - r.randint(60_000, 900_000), slug, ext, kind)
        out.append(Seg(text, href=path, media=True))
    return out


# Area codes as the press release of 2025-07-04 tabulates them (SITE-mst.md §8.1: the tables
# are evidenced, the figures here are the long-standing codes, not the release's).
AREA_CODES = (
    ("Hà Nội", "24"),
    ("TP. Hồ Chí Minh", "28"),
    ("Hải Phòng", "225"),
    ("Đà Nẵng", "236"),
    ("Cần Thơ", "292"),
    ("Huế", "234"),
    ("Quảng Ninh", "203"),
    ("Thanh Hóa", "237"),
    ("Nghệ An", "238"),
    ("Khánh Hòa", "258"),
    ("Lâm Đồng", "263"),
    ("Đồng Nai", "251"),
    ("An Giang", "296"),
)


def area_code_rows(r: random.Random) -> list[list[str]]:
    """A table in the style of the area-code press release: STT, province, old and new code."""
    picked = sorted(r.sample(range(len(AREA_CODES)), r.randint(3, 6)))
    rows = [["STT", "Tỉnh, thành phố", "Mã vùng cũ", "Mã vùng mới"]]
    for i, k in enumerate(picked):
        name, code = AREA_CODES[k]
        rows.append([str(i + 1), name, code, code])
    return rows
