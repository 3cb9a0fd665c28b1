"""Render an article page from its spec (SITE.md §4, §9.2, §10.10-19)."""

from __future__ import annotations

import random
import unicodedata
from datetime import date

from replica.catalog import ARTICLE_PART, BY_ID, weekday
from replica.hosts import Hosts
from replica.markup import page
from replica.noise import Noise, attr, plain, to_html
from replica.spec import ArticleSpec, Figure, Img, Para, Spacer, Table

NO_NOISE = Noise()


def time_line(spec: ArticleSpec) -> str:
    """The News_Time_Post text in one of five shapes (§4.1, §10.15)."""
    t = spec.sort_time
    wd, d, hm = weekday(t), f"{t:%d/%m/%Y}", f"{t:%H:%M}"
    return (
        f"{wd}, {d}&nbsp;{hm}",
        f"{wd},&nbsp;{d} {hm}",
        f"{wd}, {d}&nbsp;{hm} |",
        f"{wd}, {d}",
        f"{wd},&nbsp;{d}&nbsp;{hm}|",
    )[spec.time_form]


def _spans(inner: str, depth: int) -> str:
    opens = "".join(
        '<span style="font-size:12px">' if i % 2 == 0 else '<span style="font-family:Arial">'
        for i in range(depth)
    )
    return opens + inner + "</span>" * depth


class _Renderer:
    def __init__(self, spec: ArticleSpec) -> None:
        self.spec = spec
        self.r = random.Random(spec.noise_seed)

    def text(self, text: str) -> str:
        return to_html(text, self.spec.noise, self.r)

    def para(self, block: Para) -> str:
        parts = []
        for seg in block.segs:
            inner = self.text(seg.text)
            if seg.href:
                inner = f'<a href="{attr(seg.href)}">{inner}</a>'
            if seg.strong:
                inner = f"<strong>{inner}</strong>"
            parts.append(inner)
        depth = self.spec.span_depth
        if depth and len(parts) == 1 and self.r.random() < 0.3 and " " in block.text:
            # the same paragraph split over two runs of nested spans, cut at a space
            text = block.text
            cut = (
                text.index(" ", len(text) // 2)
                if " " in text[len(text) // 2 :]
                else text.index(" ")
            )
            inner = _spans(self.text(text[: cut + 1]), depth) + _spans(
                self.text(text[cut + 1 :]), depth
            )
        else:
            inner = _spans("".join(parts), depth)
        return f"<p{self.spec.paragraph_style}>{inner}</p>"

    def img(self, img: Img) -> str:
        return (
            f'<img alt="{attr(img.alt)}" src="{attr(img.src)}" style="width:500px; height:333px" />'
        )

    def caption(self, text: str, em: bool = True) -> str:
        inner = self.text(text)
        return f"<em>{inner}</em>" if em else inner

    def figure(self, fig: Figure) -> str:
        first = fig.images[0]
        center = '<p style="text-align:center">'
        if fig.form in ("p_em", "p_nocap"):
            out = f"{center}{self.img(first)}</p>"
            if first.caption is not None:
                caption = _spans(self.caption(first.caption), min(2, self.spec.span_depth))
                out += f"\n{center}{caption}</p>"
            return out
        if fig.form == "p_anh":
            assert first.caption is not None
            em = self.spec.site_id % 2 == 0
            return f"{center}{self.img(first)}</p>\n{center}{self.caption(first.caption, em)}</p>"
        if fig.form == "p_multi":
            return center + "&nbsp;".join(self.img(i) for i in fig.images) + "</p>"
        table = (
            '<table align="center" border="0" cellpadding="1" cellspacing="1" '
            f'style="width:{500 if len(fig.images) == 1 else 720}px"><tbody>\n'
        )
        imgs = "".join(f"<td>{self.img(i)}</td>" for i in fig.images)
        caps = "".join(
            f'<td style="text-align:center">{self.caption(i.caption or "")}</td>'
            for i in fig.images
        )
        return f"{table}<tr>{imgs}</tr>\n<tr>{caps}</tr>\n</tbody></table>"

    def table(self, block: Table) -> str:
        rows = []
        for i, row in enumerate(block.rows):
            cells = []
            for j, cell in enumerate(row):
                inner = self.text(cell)
                if i == 0:
                    inner = f"<strong>{inner}</strong>"
                cells.append(f"<td><p>{inner}</p></td>" if (i + j) % 3 else f"<td>{inner}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return (
            '<table border="1" cellpadding="0" cellspacing="0" style="width:100%"><tbody>\n'
            + "\n".join(rows)
            + "\n</tbody></table>"
        )

    def spacer(self, block: Spacer) -> str:
        return (
            "<p>&nbsp;</p>",
            '<p><span style="font-size:12px">&nbsp;</span></p>',
            "<p>\u200b</p>",
        )[block.kind]

    def body(self) -> str:
        out = []
        for block in self.spec.blocks:
            if isinstance(block, Para):
                out.append(self.para(block))
            elif isinstance(block, Figure):
                out.append(self.figure(block))
            elif isinstance(block, Table):
                out.append(self.table(block))
            else:
                out.append(self.spacer(block))
        if self.spec.source_form in ("body_label", "body_author"):
            out.append(
                f'<p style="text-align:right"><strong>{self.text(self.spec.source_line)}'
                "</strong></p>"
            )
        return "\n".join(out)


def _lead(spec: ArticleSpec, r: _Renderer) -> str:
    opening = '<div id="divArticleDescription1" style="font-weight:bold">'
    if spec.lead_form == "empty" or not spec.lead:
        return opening + "</div>"
    text = r.text(spec.lead)
    return opening + (f"<p>{text}</p>" if spec.lead_form == "p" else text) + "</div>"


def _source(spec: ArticleSpec) -> str:
    if spec.source_form in ("missing", "body_label", "body_author"):
        return ""
    line = plain(spec.source_line)
    return (
        f'<div id="{ARTICLE_PART}_ctl00_pnNguontin" style="text-align:right">'
        f'<p><font style="font-weight:bold">{line}</font></p></div>'
    )


def breadcrumb(spec: ArticleSpec, hosts: Hosts) -> str:
    cat = BY_ID[spec.category_id]
    items = ['<li class="Lv_1"><a href="/vn/Pages/Trangchu.aspx">Trang chủ</a></li>']
    if cat.parent:
        items.append(
            '<li class="Lv_2"><span class="Arrow_Link_Menu"></span>'
            f"<a href='/vn/Pages/Tintuc.aspx'>{plain(cat.parent)}</a></li>"
        )
    items.append(
        '<li class="Lv_3"><span class="Arrow_Link_Menu"></span>'
        f"<a href='{hosts.form(spec.site_id)}{cat.path}'>{plain(cat.name)}</a></li>"
    )
    return '<ul class="UL_Link_Menu">\n' + "\n".join(items) + "\n</ul>"


def related_block(items: list[tuple[str, str, str]], style: int) -> str:
    """(href, raw title, dd/mm/yyyy) -> the "Các tin khác" list in one of two vendor shapes."""
    if not items:
        return ""
    lis = []
    for href, title, day in items:
        if style == 0:
            lis.append(
                f"<li><a href='{attr(href)}'>{plain(title)}</a>"
                f"<span class='news_datetime'>({day})</span></li>"
            )
        else:
            lis.append(
                f"<li><a href='{attr(href)}'>{plain(title)}"
                f"<span class='linktin_datetime'>({day})</span></a></li>"
            )
    return (
        '<div class="othernews"><div class="groupnews_head"><span class="group_header_link">'
        'Các tin khác</span></div>\n<ul class="group_othernews">\n'
        + "\n".join(lis)
        + "\n</ul></div>"
    )


def render(
    spec: ArticleSpec, hosts: Hosts, today: date, related: list[tuple[str, str, str]], action: str
) -> str:
    r = _Renderer(spec)
    title = spec.title_raw
    if spec.title_nfd:
        title = unicodedata.normalize("NFD", title)
    title_html = plain(title)
    main = (
        f"{breadcrumb(spec, hosts)}\n"
        f'<div id="{ARTICLE_PART}">\n'
        '<div class="Around_News_Detail"><div class="Around_News_Content">\n'
        f'<div id="{ARTICLE_PART}_ctl00_pnHide" style="padding:0px; text-align:justify">\n'
        '<div style="float:left; width:100%;">'
        f'<span class="News_Time_Post">{time_line(spec)}</span></div>\n'
        f'<div id="divArticleDescription3"><h1 class="News_Detail_Title">{title_html}</h1></div>\n'
        f"{_lead(spec, r)}\n</div>\n"
        '<div id="divArticleDescription2" style="padding:0px; text-align:justify">\n'
        f'<div class="ExternalClass{spec.external_class}" style="padding:0px">\n'
        f"{r.body()}\n</div>\n</div>\n"
        f"{_source(spec)}\n"
        "</div></div>\n"
        f"{related_block(related, spec.site_id % 2)}\n"
        "</div>"
    )
    return page(
        hosts,
        title=title_html,
        action=action,
        today=today,
        main=main,
        viewstate_len=spec.viewstate_len,
        viewstate_seed=spec.noise_seed,
    )
