"""Render an mst article page from its spec (SITE-mst.md §4, §9, §9a)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from replica.catalog import digest
from replica.mst import blocks as B
from replica.mst import frame
from replica.mst.catalog import (
    BY_ZONE_ID,
    FAMILY,
    PARENT_NAME,
    PARENT_PATH,
    SITE_NAME,
    TITLE_SUFFIX,
)
from replica.mst.chrome import Ctx, a, page, t
from replica.mst.spec import MstSpec
from replica.noise import Noise, to_html

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Link:
    """An article as a related box or a list shows it."""

    site_id: int
    href: str  # as written (relative, or absolute with a family host)
    title: str
    lead: str
    day: str  # dd/mm/yyyy HH:mm
    avatar: str | None  # media path


def time_block(spec: MstSpec) -> str:
    p = spec.published
    shown = f"{p:%d/%m/%Y %H:%M}"
    form = spec.time_form
    if form == 0:
        return f'<div class="detail-time"><div data-role="publishdate">{shown}</div></div>'
    if form == 1:
        return f'<div class="detail-time"><time data-role="publishdate">{shown} GMT+7</time></div>'
    if form == 2:
        return f'<p class="detail-time">{shown} (GMT+7)</p>'
    if form == 3:
        return f'<div class="detail-time">\n  {shown} GMT+7\n</div>'
    if form == 5:  # cafef: dashes, a 24-hour clock with an AM/PM suffix ("13:30 PM", "00:07 AM")
        suffix = "AM" if p.hour < 12 else "PM"
        return (
            f'<div class="detail-time"><span class="pdate" data-role="publishdate">'
            f"{p:%d-%m-%Y - %H:%M} {suffix} </span></div>"
        )
    if form == 6:  # soha's template: the time before the date
        return (
            f'<div class="detail-time"><div class="big-date" data-role="publishdate">'
            f"Cập nhật lúc {p:%H:%M %d/%m/%Y}</div></div>"
        )
    hour = p.hour % 12 or 12
    english = f"{MONTHS[p.month - 1]} {p.day:02d}, {p.year} {hour}:{p.minute:02d} " + (
        "AM" if p.hour < 12 else "PM"
    )
    return f'<div class="detail-time"><div data-role="publishdate">{english} GMT+7</div></div>'


class Renderer:
    def __init__(self, spec: MstSpec, ctx: Ctx, related: list[Link]) -> None:
        self.spec = spec
        self.ctx = ctx
        self.related = related
        self.r = random.Random(digest("mst-render", spec.site_id))
        self.noise = Noise(nbsp=spec.nbsp)

    def text(self, text: str) -> str:
        return to_html(text, self.noise, self.r)

    def media(self, path: str) -> str:
        return self.ctx.media + path

    def thumb(self, path: str) -> str:
        return f"{self.ctx.media}/thumb_w/730{path}"

    # -- body blocks ---------------------------------------------------------------------------
    def seg(self, seg: B.Seg) -> str:
        inner = self.text(seg.text)
        if seg.href is not None:
            if seg.cls == "link-inline-content":
                other = self.related[0] if self.related else None
                href = other.href if other else "/"
                inner = (
                    f'<a class="link-inline-content" href="{a(href)}" data-rel="follow" '
                    f'title="{a(other.title if other else "")}">{inner}</a>'
                )
            elif seg.cls:
                inner = (
                    f'<a class="{seg.cls}" href="{a(seg.href)}" title="{a(seg.text)}" '
                    f'target="_blank">{inner}</a>'
                )
            else:
                href = self.media(seg.href) if seg.media else seg.href
                inner = f'<a href="{a(href)}" target="_blank"><span>{inner}</span></a>'
        if seg.bold:
            inner = f"<b>{inner}</b>"
        return inner

    def para(self, block: B.P) -> str:
        inner = "".join(self.seg(s) for s in block.segs)
        if block.cls == "MsoNormal":
            return (
                '<p class="MsoNormal" style="margin-bottom:6.0pt;text-align:justify">'
                f'<span style="font-size:14.0pt">{inner}</span></p>'
            )
        style = ' style="text-align: justify;"' if self.spec.site_id % 2 else ""
        return f"<p{style}>{inner}</p>"

    def photo(self, ph: B.Photo) -> str:
        full = self.media(ph.path)
        cap = ph.caption or ""
        photoid = digest(ph.path) % 10**8
        if ph.form == "cover":
            out = (
                f'<div class="media VCSortableInPreviewMode" type="Photo">'
                f'<img data-role="cover" src="{a(full)}" alt="{a(ph.alt)}" width="800">'
            )
            if ph.caption_form == "text":
                out += f'<div class="PhotoCMS_Caption"><p>{self.text(cap)}</p></div>'
            return out + "</div>"
        ad = (
            '<div class="wrapper-inimage-pos-sponsor-1"><div id="adbro"></div></div>'
            if ph.ad
            else ""
        )
        nocap = " noCaption" if ph.caption_form == "nocaption" else ""
        if ph.form == "figure":
            original = f' data-original="{a(full)}"' if ph.data_original else ""
            img = (
                f'<a href="{a(full)}" data-fancybox="content" data-caption="{a(cap)}" '
                f'target="_blank" title="{a(cap)}"><img src="{a(self.thumb(ph.path))}" '
                f'id="img_{photoid}" photoid="{photoid}"{original} type="photo" w="1280" '
                f'h="853" alt="{a(ph.alt)}" title="{a(cap)}" rel="lightbox" loading="lazy"></a>'
            )
            if ph.caption_form == "text":
                caption = (
                    '<figcaption class="PhotoCMS_Caption"><p data-placeholder="Nhập chú '
                    f'thích ảnh">{self.text(cap)}</p></figcaption>'
                )
            elif ph.caption_form == "blank":
                caption = "<figcaption> </figcaption>"
            else:
                caption = (
                    '<figcaption class="PhotoCMS_Caption"><p data-placeholder="Nhập chú '
                    'thích ảnh" class="NLPlaceholderShow"></p></figcaption>'
                )
            return (
                f'<figure class="VCSortableInPreviewMode{nocap}" type="Photo" style="">'
                f"<div>{img}{ad}</div>{caption}</figure>"
            )
        # the old form
        if ph.link:
            img = (
                f'<a href="{a(full)}" target="_blank"><img src="{a(self.thumb(ph.path))}" '
                f'id="img_{photoid}" w="1280" h="853" alt="{a(ph.alt)}" type="photo"></a>'
            )
        else:
            img = f'<img src="{a(full)}" id="img_{photoid}" alt="{a(ph.alt)}" type="photo">'
        if ph.caption_form == "text":
            caption = (
                '<div class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]">'
                f"{self.text(cap)}</p></div>"
            )
        elif ph.caption_form == "placeholder":
            caption = (
                '<div class="PhotoCMS_Caption"><p data-placeholder="[nhập chú thích]" '
                'class="NLPlaceholderShow"></p></div>'
            )
        elif ph.caption_form == "blank":
            caption = '<div class="PhotoCMS_Caption"><p> </p></div>'
        else:
            caption = ""
        return (
            f'<div class="VCSortableInPreviewMode{nocap}" type="Photo" style="">'
            f"<div>{img}{ad}</div>{caption}</div>"
        )

    def video(self, v: B.Video) -> str:
        if v.form == "embed":
            return (
                '<div class="VCSortableInPreviewMode" type="insertembedcode" style="">'
                f'<iframe src="{a(self.ctx.offsite)}/embed/{v.vid}" width="560" height="315" '
                'frameborder="0" allowfullscreen></iframe></div>'
            )
        return (
            '<div class="VCSortableInPreviewMode" type="Video" style="">'
            f'<div class="VCSortableInPreviewMode" type="VideoStream" '
            f'data-src="{a(self.ctx.media)}/video/{v.vid}.mp4" data-vid="{v.vid}" '
            f'data-thumb="{a(self.ctx.media)}/video/{v.vid}.jpg"></div>'
            f'<div class="VideoCMS_Caption"><p data-placeholder="[nhập chú thích]">'
            f"{self.text(v.caption)}</p></div></div>"
        )

    def related_box(self, rel: B.Related) -> str:
        items = self.related
        if rel.form == "empty" or not items:
            return '<div class="tindnd" id="listNewsInContent"></div>'
        if rel.form == "one":
            o = items[0]
            thumb = (
                f'<img src="{a(self.ctx.media)}/zoom/150_94{a(o.avatar)}" alt="">'
                if o.avatar
                else ""
            )
            return (
                '<div type="RelatedOneNews" class="VCSortableInPreviewMode">'
                '<div class="VCObjectBoxRelatedNewsContentWrapper">'
                f'<a href="{a(o.href)}" title="{a(o.title)}">{thumb}</a><div>'
                f'<a class="OneNewsTitle" href="{a(o.href)}" title="{a(o.title)}">{t(o.title)}</a>'
                f'<p class="VCObjectBoxRelatedNewsItemSapo">{t(o.lead)}</p></div></div></div>'
            )
        kind = "type-3" if rel.form == "type-3" else "type-2"
        lis = []
        for o in items:
            more = (
                f'<a class="kbwscwlrl-readnow" href="{a(o.href)}">ĐỌC NGAY</a>'
                if kind == "type-3"
                else ""
            )
            lis.append(
                f'<li class="kbwscwlrl" data-date="{o.day}" data-id="{o.site_id}" '
                f'data-url="{a(o.href)}" data-title="{a(o.title)}"><h4 class="kbwscwlrl-title">'
                f'<a class="title link-callout" href="{a(o.href)}" data-id="{o.site_id}">'
                f"{t(o.title)}</a></h4>{more}</li>"
            )
        box = (
            '<div class="VCSortableInPreviewMode alignRight" type="RelatedNewsBox" style="">'
            f'<div class="kbwscwl-relatedbox {kind}"><strong class="kbwscwlr-title">Tin liên quan'
            f'</strong><ul class="kbwscwlr-list">{"".join(lis)}</ul></div></div>'
        )
        if rel.form == "comments":
            return f"<!-- bonewsrelation -->{box}<!-- eonewsrelation -->"
        return box

    def ad(self, ad: B.Ad) -> str:
        if ad.form == "inread":
            return '<div id="InreadPc" class="inread-pc"><div id="admzone48197"></div></div>'
        if ad.form == "adsense":
            return (
                '<div class="adsense"><ins class="adsbygoogle" style="display:block" '
                'data-ad-client="ca-pub-0000000000000000" data-ad-slot="1234567890"></ins>'
                "<script>(adsbygoogle = window.adsbygoogle || []).push({});</script></div>"
            )
        return (
            '<div class="admzone" data-check-position="ad_inpage"><zone id="kymt2fl2"></zone>'
            "<script>admicroAD.unshift(function () { admicroAD.show('admzone'); });"
            "</script></div>"
        )

    def table(self, tb: B.Table) -> str:
        rows = []
        for i, row in enumerate(tb.rows):
            cells = []
            for cell in row:
                inner = self.text(cell)
                if i == 0:
                    inner = f"<b>{inner}</b>"
                if tb.cell_p:
                    inner = f'<p style="text-align:center">{inner}</p>'
                cells.append(f'<td style="border:1px solid #000">{inner}</td>')
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return (
            '<table border="1" cellpadding="0" cellspacing="0" width="100%" '
            f'class="MsoTableGrid"><tbody>{"".join(rows)}</tbody></table>'
        )

    def block(self, block: B.Block) -> str:
        if isinstance(block, B.P):
            return self.para(block)
        if isinstance(block, B.Heading):
            n = block.level
            inner = self.text(block.text)
            return f"<h{n}><b>{inner}</b></h{n}>" if n == 3 else f"<h{n}>{inner}</h{n}>"
        if isinstance(block, B.ListBlock):
            tag = "ol" if block.ordered else "ul"
            return (
                f"<{tag}>" + "".join(f"<li>{self.text(i)}</li>" for i in block.items) + f"</{tag}>"
            )
        if isinstance(block, B.Table):
            return self.table(block)
        if isinstance(block, B.Boxed):
            paras = "".join(f"<p>{self.text(p)}</p>" for p in block.paras)
            return (
                '<div class="VCSortableInPreviewMode" type="content" '
                'style="background:#f1f5f9;padding:12px">'
                f"<div><h3>{self.text(block.heading)}</h3>{paras}</div></div>"
            )
        if isinstance(block, B.Photo):
            return self.photo(block)
        if isinstance(block, B.Video):
            return self.video(block)
        if isinstance(block, B.Related):
            return self.related_box(block)
        return self.ad(block)

    def content(self) -> str:
        spec = self.spec
        out = ['<div data-check-position="body_start"></div>']
        out += [self.block(b) for b in spec.blocks]
        if spec.source_line:
            line = self.text(spec.source_line)
            if spec.source_line.startswith("Nguồn"):
                out.append(f'<p style="text-align: right;"><em>{line}</em></p>')
            else:
                out.append(f"<p><i>{line}</i></p>")
        if spec.source_box:
            out.append(source_box(spec.source_box))
        if spec.author and spec.byline_form == "bare":
            out.append(f'<p style="text-align: right;"><b>{self.text(spec.author)}</b></p>')
        if spec.author and spec.byline_form == "tail":
            out.append(
                '<div class="detail-author"><p style="text-align: right">'
                f"<b>{self.text(spec.author)}</b></p></div>"
            )
        out.append('<div data-check-position="body_end"></div>')
        if spec.body_end == "readmore":
            out.append(READMORE_BOX)
        elif spec.body_end == "exclusive":
            out.append(
                '<span id="hdExclusive" style="display:none!important">'
                f"https://baochinhphu.vn/bai-goc-{spec.site_id}.htm</span>"
            )
        stamp = spec.last_modified or spec.published
        out.append(f"<!-- {stamp:%d/%m/%Y %H:%M:%S} -->")
        return "\n".join(out)


def _tags(spec: MstSpec) -> str:
    if not spec.tags:
        return ""
    from replica.mst.slugs import slugify

    if spec.tags_form == "ul":
        lis = "".join(
            f'<li><a href="/tag/{slugify(x)}.htm" title="{a(x)}">{t(x)}</a></li>' for x in spec.tags
        )
        return (
            '<div class="detail-tags"><ul class="detail-tag-list" data-role="tags">'
            f"{lis}</ul></div>"
        )
    items = "".join(
        f'<a href="/tag/{slugify(x)}.htm" class="item" title="{a(x)}">{t(x)}</a>' for x in spec.tags
    )
    return f'<div class="detail-tab"><span class="title">Từ khóa:</span>{items}</div>'


def family_url(spec: MstSpec) -> str:
    """The article's URL on the portal's own host (https://mst.gov.vn)."""
    return FAMILY[0] + spec.path


def canonical(spec: MstSpec, ctx: Ctx) -> str | None:
    if spec.canonical_form == "missing":
        return None
    return family_url(spec) if spec.canonical_form == "family" else ctx.base + spec.path


def _head(spec: MstSpec, ctx: Ctx) -> str:
    canon = canonical(spec, ctx)
    url = canon or ctx.base + spec.path
    keywords = ", ".join(spec.tags) if spec.tags else spec.zone_name
    image = (
        f"{ctx.media}/zoom/600_315{spec.avatar}" if spec.avatar else f"{ctx.base}/images/share.png"
    )
    iso = spec.published.strftime("%Y-%m-%dT%H:%M:00+07:00")
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": spec.title,
            "datePublished": iso,
            "image": [image],
            "publisher": {"@type": "Organization", "name": SITE_NAME},
        },
        ensure_ascii=False,
    ).replace("</", "<\\/")
    out = [
        f'<meta name="description" content="{a(spec.lead)}">',
        f'<meta name="keywords" content="{a(keywords)}">',
        f'<meta name="news_keywords" content="{a(keywords)}">',
        f'<meta name="author" content="{a(spec.author or SITE_NAME)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:title" content="{a(spec.title)}">',
        f'<meta property="og:description" content="{a(spec.lead)}">',
        f'<meta property="og:url" content="{a(url)}">',
        f'<meta property="og:image" content="{a(image)}">',
        f'<meta property="article:published_time" content="{iso}">',
        f'<meta property="article:author" content="{a(spec.author or SITE_NAME)}">',
    ]
    if canon:
        out.append(f'<link rel="canonical" href="{a(canon)}">')
    out.append(f'<script type="application/ld+json">{ld}</script>')
    return "\n".join(out) + "\n"


def _top(spec: MstSpec) -> str:
    zone = BY_ZONE_ID[spec.zone_id]
    if spec.cate_form == "cate":
        return (
            '<div class="detail-top"><div class="detail-cate">'
            f'<a href="{zone.path}" title="{a(zone.name)}">{t(zone.name)}</a></div></div>'
        )
    return (
        '<div class="detail-top"><ul class="breadcrumb">'
        '<li><a href="/" title="Trang chủ">Trang chủ</a></li>'
        f'<li><a href="{PARENT_PATH}" title="{PARENT_NAME}">{PARENT_NAME}</a></li>'
        f'<li><a data-role="cate-name" href="{zone.path}" title="{a(zone.name)}">'
        f"{t(zone.name)}</a></li></ul></div>"
    )


def _sapo(spec: MstSpec, r: Renderer) -> str:
    if spec.sapo_form == "none" or not spec.lead:
        return ""
    text = r.text(spec.lead)
    if spec.sapo_form == "h2.sapo":
        return f'<h2 class="sapo" data-role="sapo">{text}</h2>'
    if spec.sapo_form == "p.detail-sapo":
        return f'<p class="detail-sapo">{text}</p>'
    return f'<h2 class="detail-sapo" data-role="sapo">{text}</h2>'


def _more(links: list[Link], ctx: Ctx) -> str:
    if not links:
        return ""
    items = "".join(
        f'<div class="box-category-item" data-id="{o.site_id}"><h3 class="box-category-title-text">'
        f'<a class="box-category-link-title" href="{a(o.href)}" title="{a(o.title)}" '
        f'data-id="{o.site_id}">{t(o.title)}</a></h3></div>'
        for o in links
    )
    return f'<div class="detail-related"><h3 class="title">Tin cùng chuyên mục</h3>{items}</div>'


# Tuổi Trẻ's buttons at the end of the content container (tool-library file 24212267726; the
# topic link goes to a page the site has): no text of the article.
READMORE_BOX = (
    '<div class="readmore-body-box d-none"><a href="#" class="readmore-body-btn" '
    'title="Đọc tiếp"><svg width="22" height="17" viewBox="0 0 22 17" fill="none">'
    '<rect width="22" height="17"></rect></svg> Đọc tiếp </a> <a class="return-thread-body-btn" '
    f'href="{PARENT_PATH}" title="Về trang chủ đề"><svg width="12" height="12" '
    'viewBox="0 0 12 12" fill="none"></svg> Về trang Chủ đề </a></div>'
)


def source_box(name: str) -> str:
    """The source box of genk, gamek and cafef inside the content container (tool-library files
    16214443911, 33952247694): "Theo <name>", a "Copy link" button and a pop-up with the
    original's URL (SITE-mst.md §4 knows only a trailing "Nguồn:"/"Theo" line)."""
    n = a(name)
    return (
        '<div class="link-source-wrapper is-web clearfix mb20" id="urlSourceMst">'
        f'<a class="link-source-name" title="{n}" rel="nofollow" href="javascript:;">Theo '
        f'<span class="link-source-text-name">{t(name)}</span><span class="btn-copy-link-source2">'
        '<svg width="10" height="10" viewBox="0 0 10 10" fill="none"><path d="M2.5 2.08333H7.5Z" '
        'fill="#aaa"></path></svg><i>Copy link</i></span></a><div class="link-source-detail">'
        '<span class="link-source-detail-title">Link bài gốc</span><span class="btn-copy-link-'
        'source btncopy"><i>Lấy link!</i></span><span class="link-source-full">'
        'https://baochinhphu.vn/</span><div class="arrow-down"></div></div></div>'
    )


def author_box(name: str) -> str:
    """Tuổi Trẻ's author box above the sapo (SITE-mst.md §10.6: mst's byline form is unknown):
    the name in ``.author-info``, then again in a slider of every author."""
    n = a(name)
    return (
        '<div class="detail-author oneauthor" data-role="author"><div class="groupavtauthor">'
        f'<a class="avata" href="/tac-gia.htm" title="{n}"><img class="avt isauthor" '
        'src="/images/logo.png" alt="tác giả"></a>'
        f'</div><div class="author-info"><a class="name" href="/tac-gia.htm" title="{n}">{t(name)}'
        '</a></div><div class="swiper"><div class="swiper-wrapper"><div class="swiper-slide">'
        f'<div class="author-item"><div class="author-item-name"><a class="name" title="{n}">'
        f"{t(name)}</a></div></div></div></div></div></div>"
    )


def _main(spec: MstSpec, ctx: Ctx, related: list[Link]) -> str:
    """The article's own block (everything but the site's frame)."""
    r = Renderer(spec, ctx, related)
    byline_top = ""
    if spec.author and spec.byline_form == "top":
        byline_top = (
            '<p class="detail-author-top-content"><a class="detail-author-top-name" '
            f'href="/tac-gia.htm">{r.text(spec.author)}</a></p>'
        )
    elif spec.author and spec.byline_form == "box":
        byline_top = author_box(spec.author)
    return (
        '<div class="detail-container" data-id="' + str(spec.site_id) + '">\n'
        f"{_top(spec)}\n"
        f'<h1 class="detail-title article-title" data-role="title">\n  {t(spec.title)}\n</h1>\n'
        f"{time_block(spec)}\n{byline_top}\n{_sapo(spec, r)}\n"
        '<div class="detail-cmain">\n'
        '<div class="detail-content afcbc-body" data-role="content" itemprop="articleBody">\n'
        f"{r.content()}\n</div>\n</div>\n"
        f"{_tags(spec)}\n{_more(related, ctx)}\n</div>"
    )


def render_print(spec: MstSpec, ctx: Ctx) -> str:
    """The print view ``/print/{slug}-{id}.htm`` the share rail links to: the article's block
    alone, without the site's frame [I: the real print view is unknown]."""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="robots" content="noindex, nofollow">\n'
        f'<link rel="canonical" href="{a(family_url(spec))}">\n'
        f"<title>{t(spec.title + TITLE_SUFFIX)}</title>\n</head>\n"
        f'<body class="print-page">\n{_main(spec, ctx, [])}\n'
        "<script>window.print();</script>\n</body>\n</html>\n"
    )


def render(spec: MstSpec, ctx: Ctx, related: list[Link]) -> str:
    main = _main(spec, ctx, related)
    zone = BY_ZONE_ID[spec.zone_id]
    url = family_url(spec)
    stamp = (spec.last_modified or spec.published).strftime("%d/%m/%Y %H:%M:%S")
    hidden = frame.hidden_inputs(
        [
            ("hdZoneId", str(zone.id)),
            ("hdZoneUrl", zone.slug),
            ("hdParentUrl", PARENT_PATH.strip("/").removesuffix(".htm")),
            ("hdNewsId", str(spec.site_id)),
            ("hdTitle", spec.title),
            ("hdNewsTitle", spec.title),
            ("hdSapo", spec.lead),
            ("hidLastModifiedDate", stamp),
            ("hdCommentDomain", ""),
            ("hdMingUrl", spec.path),
        ]
    )
    return page(
        ctx,
        title=spec.title + TITLE_SUFFIX,
        main=main,
        head=_head(spec, ctx),
        body_class="detail-page",
        before=frame.share_rail(url, "/print" + spec.path, ctx.offsite) + "\n",
        after=frame.after_article(url, spec.title, ctx.offsite) + "\n",
        hidden=hidden,
        channel=f"/{zone.stem}/detail/",
    )
