"""One mst article as data: its clean content (the ground truth) plus the knobs of its markup.

``build(index, pos)`` is deterministic in (seed, article, generation). The page is rendered from
the spec by ``replica.mst.article_page``; ``truth()`` reads the contract's fields off the same
spec, so the two cannot disagree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from replica import vietnamese
from replica.catalog import rng
from replica.mst import blocks as B
from replica.mst.catalog import BY_ZONE_ID, MEDIA_SITE_ID, generation_time
from replica.mst.index import MstIndex
from replica.mst.slugs import slugify

SAPO_FORMS = ("h2.detail-sapo", "h2.sapo", "p.detail-sapo", "h2.detail-sapo", "none")
TIME_FORMS = 7  # see article_page.time_block
BYLINE_FORMS = ("tail", "top", "bare", "none", "box")
SOURCE_FORMS = ("nguon", "theo", "none", "none")
# Half the "Theo X" sources are written as a source box instead of a line (a separate draw, so
# that every other article keeps its source).
SOURCE_BOX_SHARE = 2
BODY_END_FORMS = ("readmore", "exclusive", "", "", "")
TAG_FORMS = ("ul", "tab", "none")
CANONICAL_FORMS = ("base", "family", "base", "missing")
SAPO_PREFIX = "MST - "


@dataclass
class MstSpec:
    site_id: int
    pos: int
    slug: str
    path: str  # /{slug}-{id}.htm; the truth URL is base + path
    title: str
    lead: str  # the sapo as written (prefix included), "" when none
    sapo_form: str
    blocks: list[B.Block]
    author: str | None
    byline_form: str
    source: str | None  # the truth
    source_line: str  # the trailing line as written, "" when none
    tags: list[str]
    tags_form: str
    published: datetime  # what the page shows (minute precision)
    time_form: int
    zone_id: int
    zone_ids: list[int]
    cate_form: str  # "cate": div.detail-cate; "breadcrumb": only [data-role=cate-name]
    canonical_form: str
    avatar: str | None  # media path of the listing thumbnail / og:image
    validators: bool = True
    last_modified: datetime | None = None
    nbsp: bool = False
    dot_slash: bool = False
    legacy: bool = False
    related: list[int] = field(default_factory=list)
    pin: str = ""
    # The source as a source box inside the body (genk, gamek, cafef: "Theo <name>" and a
    # "Copy link" button) instead of a trailing line: the name, "" when none. The truth is
    # "Theo <name>".
    source_box: str = ""
    # A block the CMS family puts at the end of the content container that is no text of the
    # article: "readmore" (Tuổi Trẻ's "Đọc tiếp / Về trang Chủ đề"), "exclusive" (a hidden
    # span#hdExclusive with an original's URL) or "".
    body_end: str = ""

    @property
    def zone_name(self) -> str:
        return BY_ZONE_ID[self.zone_id].name


@dataclass(frozen=True)
class Head:
    """What listings, feeds and related boxes show of an article (cheap: no body)."""

    site_id: int
    pos: int
    slug: str
    path: str
    title: str
    lead: str
    published: datetime
    zone_id: int
    avatar: str | None


Headline = Head | MstSpec


def paragraph(r: random.Random, sentences: tuple[int, int] = (2, 4)) -> str:
    """A body paragraph that never reads like a source line ("Theo X", "Nguồn: X")."""
    text = vietnamese.paragraph(r, sentences)
    if text.startswith("Theo "):
        text = "Bên cạnh đó, theo " + text[len("Theo ") :]
    return text


def millis(t: datetime) -> int:
    """Unix milliseconds of a local (UTC+7) time."""
    from datetime import UTC

    return int((t - timedelta(hours=7)).replace(tzinfo=UTC).timestamp() * 1000)


def _start(index: MstIndex, pos: int) -> tuple[random.Random, str, str, str, str | None]:
    """The first draws of a synthetic article: (rng, title, slug, lead, avatar path)."""
    r = rng(index.seed, "mst-article", index.ids[pos])
    title = vietnamese.title(r)
    slug = slugify(title)
    lead = vietnamese.lead(r)
    if index.variant(pos, "sapo-prefix", 6) == 0:
        lead = SAPO_PREFIX + lead
    if SAPO_FORMS[index.variant(pos, "sapo", len(SAPO_FORMS))] == "none":
        lead = ""
    avatar = None
    if index.variant(pos, "avatar", 7) != 0:
        avatar = B.media_path(r, millis(index.when(pos)) - 120_000, "avatar", "jpg")
    return r, title, slug, lead, avatar


def canonical_form(index: MstIndex, pos: int) -> str:
    """How the page writes ``link[rel=canonical]`` (cheap: no body). Real articles: "family"."""
    if index.pin[pos]:
        return "family"
    return CANONICAL_FORMS[index.variant(pos, "canonical", len(CANONICAL_FORMS))]


def _edited_title(title: str, g: int) -> str:
    return f"{title} (cập nhật lần {g})"


def head(index: MstIndex, pos: int) -> Head:
    if index.pin[pos]:
        spec = build(index, pos)
        return Head(
            spec.site_id,
            pos,
            spec.slug,
            spec.path,
            spec.title,
            spec.lead,
            spec.published,
            spec.zone_id,
            spec.avatar,
        )
    site_id = index.ids[pos]
    _, title, slug, lead, avatar = _start(index, pos)
    for g in index.edits_of(site_id):
        if rng(index.seed, "mst-edit", site_id, g).randrange(3) == 0:
            title = _edited_title(title, g)
    return Head(
        site_id,
        pos,
        slug,
        f"/{slug}-{site_id}.htm",
        title,
        lead,
        index.when(pos),
        index.primary[pos],
        avatar,
    )


def _body(index: MstIndex, pos: int, r: random.Random, title: str) -> list[B.Block]:
    legacy = index.id_form[pos] == "9"
    when_ms = millis(index.when(pos))
    v = index.variant
    paras: list[B.Block] = [B.P([B.Seg(paragraph(r))]) for _ in range(r.randint(3, 7))]
    out: list[B.Block] = []
    cover = v(pos, "cover", 4)
    if cover in (0, 1):
        cap = "text" if cover == 1 else "nocaption"
        out.append(B.photo(r, when_ms, "cover", cap, title, 0, legacy))
    forms = [B.PHOTO_FORMS[v(pos, "photo", 2)]] + [
        r.choice(("figure", "old")) for _ in range(r.randint(0, 2))
    ]
    caption_first = B.CAPTION_FORMS[v(pos, "caption", len(B.CAPTION_FORMS))]
    photos = [
        B.photo(
            r,
            when_ms,
            form,
            caption_first if k == 0 else r.choice(("text", "text", "placeholder")),
            title,
            k + 1,
            legacy,
        )
        for k, form in enumerate(forms)
    ]
    if v(pos, "photos", 9) == 0:
        photos = []
    for k, ph in enumerate(photos):
        at = min(len(paras), 1 + 2 * k)
        paras.insert(at, ph)
    if v(pos, "heading", 4) == 0:
        paras.insert(
            min(len(paras), 2), B.Heading(r.choice((2, 3, 4)), vietnamese.caption(r).rstrip("."))
        )
    if v(pos, "list", 5) == 0:
        items = [vietnamese.sentence(r, 2) for _ in range(r.randint(2, 4))]
        paras.insert(min(len(paras), 3), B.ListBlock(items, ordered=r.random() < 0.5))
    table = v(pos, "table", 6)
    if table < 2:
        rows = vietnamese.table_rows(r) if table == 0 else B.area_code_rows(r)
        paras.insert(min(len(paras), 3), B.Table(rows, cell_p=r.random() < 0.5))
    if v(pos, "spacer", 3) == 0:
        paras.insert(r.randint(1, len(paras)), B.P([B.Seg("\xa0")]))
    if v(pos, "boxed", 4) == 0:
        box = B.Boxed(vietnamese.caption(r).rstrip("."), [paragraph(r, (1, 2)) for _ in range(2)])
        paras.insert(min(len(paras), 2), box)
    inline = v(pos, "inline", 3)
    if inline < 2:
        target = next(b for b in paras if isinstance(b, B.P))
        topic = r.choice(vietnamese.TOPICS)
        if inline == 0:
            link = B.Seg(
                topic,
                href=f"/tim-kiem.htm?keywords={topic.replace(' ', '+')}",
                cls="VCCTagItemInNews",
            )
        else:
            link = B.Seg(topic, href="", cls="link-inline-content")  # href: a related article
        target.segs = [*target.segs, B.Seg(" Xem thêm về "), link, B.Seg(".")]
    related = v(pos, "related", 6)
    if related < len(B.RELATED_FORMS):
        paras.insert(min(len(paras), 4), B.Related(B.RELATED_FORMS[related]))
    video = v(pos, "video", 4)
    if video < 2:
        paras.insert(
            min(len(paras), 3),
            B.Video(
                ("stream", "embed")[video], vietnamese.caption(r), f"{r.randrange(16**12):012x}"
            ),
        )
    ad = v(pos, "ad", 4)
    if ad < len(B.AD_FORMS):
        paras.insert(min(len(paras), 2), B.Ad(B.AD_FORMS[ad]))
    out.extend(paras)
    attach = v(pos, "attach", 4)
    if attach == 0:
        for k, seg in enumerate(B.documents(r, when_ms, r.randint(1, 3), legacy)):
            out.append(B.P([B.Seg(f"{k + 1}. "), seg], cls="MsoNormal"))
    elif attach == 1:
        seg = B.documents(r, when_ms, 1, legacy)[0]
        out.append(B.P([B.Seg("Toàn văn văn bản xem tại: "), seg]))
    return out


def _byline(index: MstIndex, pos: int, r: random.Random) -> tuple[str, str | None, str, str | None]:
    """(byline form, author, source form, source)."""
    byline = BYLINE_FORMS[index.variant(pos, "byline", len(BYLINE_FORMS))]
    author = vietnamese.author(r) if byline != "none" else None
    source_form = SOURCE_FORMS[index.variant(pos, "source", len(SOURCE_FORMS), stride=4)]
    if byline == "bare":
        source_form = "none"  # the bare byline must stay the last paragraph
    source = vietnamese.source(r) if source_form != "none" else None
    if source_form == "theo":
        source = f"Theo {source}"
    return byline, author, source_form, source


def _source_line(source_form: str, source: str | None) -> str:
    """The trailing source line as written: "Nguồn: X", "Theo X", or "" (none, or a box)."""
    if not source or source_form in ("none", "box"):
        return ""
    return "Nguồn: " + source if source_form == "nguon" else source


def _tags(r: random.Random, n: int) -> list[str]:
    return list(dict.fromkeys(r.choice(vietnamese.TOPICS) for _ in range(n)))


def build(index: MstIndex, pos: int) -> MstSpec:
    """The spec of the article at ``pos`` for the index's generation."""
    if index.pin[pos]:
        from replica.mst import real

        spec = real.build(index, pos)
    else:
        spec = _synthetic(index, pos)
    spec.related = related(index, pos)
    return spec


def _synthetic(index: MstIndex, pos: int) -> MstSpec:
    site_id = index.ids[pos]
    r, title, slug, lead, avatar = _start(index, pos)
    blocks = _body(index, pos, r, title)
    byline, author, source_form, source = _byline(index, pos, r)
    source_box = ""
    if source_form == "theo" and source and index.variant(pos, "source-box", SOURCE_BOX_SHARE):
        source_form, source_box = "box", source[len("Theo ") :]
    tags_form = TAG_FORMS[index.variant(pos, "tags", len(TAG_FORMS))]
    tags = _tags(r, r.randint(2, 5)) if tags_form != "none" else []
    v = index.variant
    spec = MstSpec(
        site_id=site_id,
        pos=pos,
        slug=slug,
        path=f"/{slug}-{site_id}.htm",
        title=title,
        lead=lead,
        sapo_form=SAPO_FORMS[v(pos, "sapo", len(SAPO_FORMS))],
        blocks=blocks,
        author=author,
        byline_form=byline,
        source=source,
        source_line=_source_line(source_form, source),
        source_box=source_box,
        body_end=BODY_END_FORMS[index.variant(pos, "body-end", len(BODY_END_FORMS))],
        tags=tags,
        tags_form=tags_form,
        published=index.when(pos),
        time_form=v(pos, "time", TIME_FORMS),
        zone_id=index.primary[pos],
        zone_ids=index.zones_of(pos),
        cate_form="breadcrumb" if v(pos, "cate", 3) == 0 else "cate",
        canonical_form=canonical_form(index, pos),
        avatar=avatar,
        validators=v(pos, "validators", 8) != 0,
        last_modified=index.when(pos),
        nbsp=v(pos, "nbsp", 3) == 0,
        dot_slash=v(pos, "dot-slash", 4) == 0,
        legacy=index.id_form[pos] == "9",
    )
    if spec.dot_slash:
        last = [
            b for b in spec.blocks if isinstance(b, B.P) and all(s.href is None for s in b.segs)
        ][-1]
        text = last.segs[-1].text.rstrip(".…")
        last.segs[-1] = B.Seg(text + "./.", last.segs[-1].href, last.segs[-1].cls)
    _apply_edits(spec, index)
    return spec


def _apply_edits(spec: MstSpec, index: MstIndex) -> None:
    for g in index.edits_of(spec.site_id):
        r = rng(index.seed, "mst-edit", spec.site_id, g)
        kind = r.randrange(3)
        photos = [b for b in spec.blocks if isinstance(b, B.Photo) and b.caption]
        paras = [
            b
            for b in spec.blocks
            if isinstance(b, B.P) and not any(s.href is not None for s in b.segs)
        ]
        if kind == 0:
            spec.title = _edited_title(spec.title, g)
        elif kind == 2 and photos:
            r.choice(photos).caption = vietnamese.caption(r) + f" (ảnh cập nhật {g})"
        elif paras:
            target = r.choice(paras)
            target.segs = [B.Seg(paragraph(r))]
        else:
            spec.blocks.insert(0, B.P([B.Seg(paragraph(r))]))
    spec.last_modified = modified_at(index, spec.pos)


def modified_at(index: MstIndex, pos: int) -> datetime:
    """When the article last changed: its publication, or its last edit (cheap: no body)."""
    edits = index.edits_of(index.ids[pos])
    if not edits:
        return index.when(pos)
    g = edits[-1]
    return generation_time(g) - timedelta(
        hours=rng(index.seed, "mst-edit-time", index.ids[pos], g).randint(1, 20)
    )


def related(index: MstIndex, pos: int, count: int = 4) -> list[int]:
    """Older articles of the same zone (for the related boxes)."""
    zone = index.primary[pos]
    out: list[int] = []
    p = pos - 1
    while p >= 0 and len(out) < count and pos - p < 400:
        if index.primary[p] == zone:
            out.append(p)
        p -= 1
    if not out and pos + 1 < len(index.ids):
        out.append(pos + 1)
    return out


def media_url(media: str, path: str) -> str:
    return media + path


def truth(spec: MstSpec, base: str, media: str) -> dict[str, Any]:
    """The contract's fields for the page at base + spec.path (CONTRACT-mst.md)."""
    body: list[str] = []
    images: list[dict[str, Any]] = []
    attachments: list[dict[str, str]] = []
    for block in spec.blocks:
        if isinstance(block, B.P):
            if block.text.strip():
                body.append(" ".join(block.text.split()))
            for seg in block.segs:
                if seg.href and seg.href.rsplit(".", 1)[-1].lower() in B.DOC_EXTS:
                    url = media + seg.href if seg.media else seg.href
                    attachments.append({"url": url, "title": seg.text})
        elif isinstance(block, B.Heading):
            body.append(block.text)
        elif isinstance(block, B.ListBlock):
            body.extend(block.items)
        elif isinstance(block, B.Table):
            body.extend(" | ".join(row) for row in block.rows)
        elif isinstance(block, B.Boxed):
            body.append(block.heading)
            body.extend(block.paras)
        elif isinstance(block, B.Photo):
            images.append({"url": media + block.path, "caption": block.caption, "alt": block.alt})
    return {
        "site_id": spec.site_id,
        "url": base + spec.path,
        "title": spec.title,
        "lead": spec.lead,
        "body": body,
        "published_at": spec.published.strftime("%Y-%m-%dT%H:%M:00+07:00"),
        "category": spec.zone_name,
        "source": spec.source,
        "images": images,
        "attachments": attachments,
        "author": spec.author,
        "tags": list(spec.tags),
        "portal": "mst",
        "categories": [BY_ZONE_ID[z].name for z in spec.zone_ids],
    }


__all__ = ["MEDIA_SITE_ID", "Head", "Headline", "MstSpec", "build", "head", "truth"]
