"""The real article of seed-article.txt, as one of the replica's articles.

Its fields come from ``data/seed-article.json`` (a copy of the shared expected.json); the seven
captions sit under their images where the plain-text scrape shows them. The pull-quote of the
scrape (whose markup is unknown) is left out, as SITE.md allows.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from replica.noise import Noise
from replica.slugs import slugify

if TYPE_CHECKING:
    from replica.hosts import Hosts
    from replica.index import Index
    from replica.spec import ArticleSpec

DATA = Path(__file__).resolve().parent / "data" / "seed-article.json"
TITLE = (
    "Tăng cường truyền thông chính sách khoa học, công nghệ và đổi mới sáng tạo toàn diện, hiệu quả"
)
# How many body paragraphs come before each caption's image (read off seed-article.txt).
CAPTION_AFTER = (0, 2, 4, 7, 10, 10, 13)
# The caption forms used for the seven images.
CAPTION_FORMS = ("p_em", "p_em", "table2", "p_em", "p_em", "table2", "p_em")


@cache
def data() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return loaded


def build(index: Index, hosts: Hosts, pos: int) -> ArticleSpec:
    from replica.spec import ArticleSpec, Block, Figure, Img, Para, Seg, Spacer, related

    d = data()
    paras = [Para([Seg(text)]) for text in d["body_paragraphs"]]
    blocks: list[Block] = []
    figures = list(zip(CAPTION_AFTER, CAPTION_FORMS, d["captions"], strict=True))
    for i in range(len(paras) + 1):
        for k, (after, form, caption) in enumerate(figures):
            if after == i:
                src = f"/Images/editor/images/Hoi%20nghi%20tap%20huan%20{k + 1}.jpg"
                blocks.append(Figure(form, [Img(src, "", caption)]))
        if i < len(paras):
            blocks.append(paras[i])
    blocks.append(Spacer(0))
    site_id = index.ids[pos]
    slug = slugify(d["title"])
    when = index.when(pos)
    spec = ArticleSpec(
        site_id=site_id,
        pos=pos,
        slug=slug,
        path=f"/vn/tin-tuc/{site_id}/{slug}.aspx",
        title_raw=d["title"],
        lead=d["lead"],
        blocks=blocks,
        source=d["source"],
        source_form="pn_label",
        source_line=f"Nguồn: {d['source']}",
        published=when,
        sort_time=when,
        time_form=0,
        lead_form="text",
        noise=Noise(entities=True),
        title_nfd=False,
        span_depth=2,
        category_id=492,
        category_ids=[492],
        validators=True,
        last_modified=when,
        external_class="1266C6959DE64C4392453217BAB75984",
        viewstate_len=24000,
        paragraph_style=' style="text-align:justify"',
        noise_seed=1,
    )
    spec.related = related(index, pos)
    return spec
