"""One article as data: its clean content (the ground truth) plus the variant knobs of its markup.

``build(index, hosts, pos)`` is deterministic in (seed, site id, generation). The HTML is rendered
*from* this spec by ``replica.article_page`` and the truth is read *from* it by ``truth()``, so
the two cannot disagree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from replica import seed_article, vietnamese
from replica.blocks import (
    ATTACHMENT_EXTS,
    FIGURE_FORMS,
    Block,
    Figure,
    Img,
    Para,
    Seg,
    Spacer,
    Table,
)
from replica.blocks import (
    body as draw_body,
)
from replica.catalog import BY_ID, digest, generation_time, rng
from replica.hosts import Hosts
from replica.index import Index
from replica.noise import Noise
from replica.slugs import slugify, title_case

__all__ = [
    "FIGURE_FORMS",
    "ArticleSpec",
    "Block",
    "Figure",
    "Head",
    "Headline",
    "Img",
    "Para",
    "Seg",
    "Spacer",
    "Table",
    "build",
    "head",
    "truth",
]

LEAD_FORMS = ("text", "p", "text", "p", "empty")
TIME_FORMS = 5  # see article_page.time_line
SOURCE_FORMS = ("pn_label", "missing", "body_label", "pn_author", "body_author", "pn_empty")


@dataclass
class ArticleSpec:
    site_id: int
    pos: int
    slug: str
    path: str  # the path every listing links to (case kept); the truth URL is base + path
    title_raw: str  # as the page writes it (maybe a trailing space)
    lead: str
    blocks: list[Block]
    source: str | None  # ground truth
    source_form: str
    source_line: str  # the line as written (with its label) when there is one
    published: datetime  # what the date line shows (00:00 when it shows no time)
    sort_time: datetime
    time_form: int
    lead_form: str
    noise: Noise
    title_nfd: bool
    span_depth: int
    category_id: int
    category_ids: list[int]
    related: list[int] = field(default_factory=list)
    validators: bool = True
    last_modified: datetime | None = None
    external_class: str = ""
    viewstate_len: int = 8000
    paragraph_style: str = ""
    noise_seed: int = 0

    @property
    def title(self) -> str:
        return " ".join(self.title_raw.split())


def _title(r: random.Random, form: int) -> str:
    text = vietnamese.title(r)
    if form == 1:
        return f"“{text}”"
    if form == 2:
        return f'"{text}"'
    return text


def _source(index: Index, pos: int, r: random.Random) -> tuple[str, str | None, str]:
    form = SOURCE_FORMS[index.variant(pos, "source", len(SOURCE_FORMS))]
    if form in ("pn_label", "body_label"):
        name = vietnamese.source(r)
        return form, name, f"Nguồn: {name}"
    if form in ("pn_author", "body_author"):
        name = vietnamese.author(r) if r.random() < 0.7 else f"Theo {vietnamese.source(r)}"
        return form, name, name
    return form, None, ""


def _apply_edits(spec: ArticleSpec, index: Index) -> None:
    for g in index.edits_of(spec.site_id):
        r = rng(index.seed, "edit", spec.site_id, g)
        kind = r.randrange(3)
        figures = [
            b for b in spec.blocks if isinstance(b, Figure) and any(i.caption for i in b.images)
        ]
        paras = [b for b in spec.blocks if isinstance(b, Para) and not any(s.href for s in b.segs)]
        if kind == 0:
            spec.title_raw = _edited_title(spec.title_raw, g)
        elif kind == 2 and figures:
            img = next(i for i in r.choice(figures).images if i.caption)
            img.caption = vietnamese.caption(r) + f" (ảnh cập nhật {g})"
        elif paras:
            target = r.choice(paras)
            target.segs = [Seg(vietnamese.paragraph(r))]
        else:
            spec.blocks.insert(0, Para([Seg(vietnamese.paragraph(r))]))
        spec.last_modified = generation_time(g) - timedelta(hours=r.randint(1, 20))


def build(index: Index, hosts: Hosts, pos: int) -> ArticleSpec:
    """The spec of the article at ``pos`` for the index's generation."""
    site_id = index.ids[pos]
    if pos == index.seed_position:
        return seed_article.build(index, hosts, pos)
    r, title_raw, slug, lead, lead_form = _start(index, pos)
    blocks = draw_body(index, hosts, pos, r)
    source_form, source, source_line = _source(index, pos, r)
    time_form = index.variant(pos, "time", TIME_FORMS)
    sort_time = index.when(pos)
    published = sort_time.replace(hour=0, minute=0) if time_form == 3 else sort_time
    nfd = index.variant(pos, "nfd", 4, stride=2)
    spec = ArticleSpec(
        site_id=site_id,
        pos=pos,
        slug=slug,
        path=f"/vn/tin-tuc/{site_id}/{slug}.aspx",
        title_raw=title_raw,
        lead=lead,
        blocks=blocks,
        source=source,
        source_form=source_form,
        source_line=source_line,
        published=published,
        sort_time=sort_time,
        time_form=time_form,
        lead_form=lead_form,
        noise=Noise(
            entities=index.variant(pos, "entities", 2) == 0,
            nfd=nfd in (1, 2),
            zwsp=index.variant(pos, "zwsp", 3) == 0,
            nbsp=index.variant(pos, "nbsp", 2) == 0,
        ),
        title_nfd=nfd == 2,
        span_depth=(0, 2, 8)[index.variant(pos, "spans", 3, stride=2)],
        category_id=index.primary[pos],
        category_ids=index.categories_of(pos),
        validators=index.variant(pos, "validators", 8) != 0,
        last_modified=sort_time,
        external_class=f"{digest(index.seed, 'ec', site_id):016X}{digest('ec2', site_id):016X}",
        viewstate_len=120_000
        if index.variant(pos, "viewstate", 10) == 0
        else 6000 + r.randrange(20000),
        paragraph_style=("", ' style="text-align:justify"')[index.variant(pos, "pstyle", 2)],
        noise_seed=digest(index.seed, "noise", site_id),
    )
    spec.related = related(index, pos)
    _apply_edits(spec, index)
    return spec


def related(index: Index, pos: int, count: int = 5) -> list[int]:
    """Older articles of the same primary category ("Các tin khác")."""
    cat = index.primary[pos]
    out: list[int] = []
    p = pos - 1
    while p >= 0 and len(out) < count and pos - p < 400:
        if index.primary[p] == cat:
            out.append(p)
        p -= 1
    return out


@dataclass(frozen=True)
class Head:
    """What listings, feeds and related blocks show of an article (cheap: no body)."""

    site_id: int
    pos: int
    slug: str
    path: str
    title_raw: str
    lead: str
    sort_time: datetime
    category_id: int

    @property
    def title(self) -> str:
        return " ".join(self.title_raw.split())


Headline = Head | ArticleSpec


def _start(index: Index, pos: int) -> tuple[random.Random, str, str, str, str]:
    """The first draws of an article: (rng, raw title, slug, lead, lead form)."""
    r = rng(index.seed, "article", index.ids[pos])
    title_raw = _title(r, index.variant(pos, "quotes", 10, stride=2))
    if index.variant(pos, "trailing-space", 4) == 0:
        title_raw += " "
    slug = slugify(title_raw)
    if index.variant(pos, "path-case", 4, stride=3) == 3:
        slug = title_case(slug)
    lead = vietnamese.lead(r)
    lead_form = LEAD_FORMS[index.variant(pos, "lead", len(LEAD_FORMS))]
    if lead_form == "empty":
        lead = ""
    return r, title_raw, slug, lead, lead_form


def head(index: Index, hosts: Hosts, pos: int) -> Head:
    """The article's headline fields, equal to its full spec's (edits of the title included)."""
    site_id = index.ids[pos]
    if pos == index.seed_position:
        spec = seed_article.build(index, hosts, pos)
        return Head(
            site_id,
            pos,
            spec.slug,
            spec.path,
            spec.title_raw,
            spec.lead,
            spec.sort_time,
            spec.category_id,
        )
    _, title_raw, slug, lead, _ = _start(index, pos)
    for g in index.edits_of(site_id):
        if rng(index.seed, "edit", site_id, g).randrange(3) == 0:
            title_raw = _edited_title(title_raw, g)
    return Head(
        site_id,
        pos,
        slug,
        f"/vn/tin-tuc/{site_id}/{slug}.aspx",
        title_raw,
        lead,
        index.when(pos),
        index.primary[pos],
    )


def _edited_title(title_raw: str, g: int) -> str:
    return title_raw.rstrip() + f" (cập nhật lần {g})"


def truth(spec: ArticleSpec, hosts: Hosts) -> dict[str, Any]:
    """What a perfect parser returns for the page at base + spec.path (the brief's field rules)."""
    body: list[str] = []
    images: list[dict[str, Any]] = []
    attachments: list[dict[str, str]] = []
    for block in spec.blocks:
        if isinstance(block, Para):
            body.append(block.text)
            for seg in block.segs:
                if seg.href and seg.href.rsplit(".", 1)[-1].lower() in {
                    e.lower() for e in ATTACHMENT_EXTS
                }:
                    attachments.append({"url": hosts.absolute(seg.href), "title": seg.text})
        elif isinstance(block, Table):
            body.extend(" | ".join(row) for row in block.rows)
        elif isinstance(block, Figure):
            images.extend(
                {"url": hosts.absolute(i.src), "caption": i.caption, "alt": i.alt}
                for i in block.images
            )
    primary = BY_ID[spec.category_id].name
    return {
        "site_id": spec.site_id,
        "url": hosts.base + spec.path,
        "title": spec.title,
        "lead": spec.lead,
        "body": body,
        "published_at": spec.published.strftime("%Y-%m-%dT%H:%M:00+07:00"),
        "category": primary,
        "source": spec.source,
        "images": images,
        "attachments": attachments,
        "categories": [BY_ID[c].name for c in spec.category_ids],
    }
