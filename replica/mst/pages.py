"""Home, zone listings (page 1, ``/trang-N.htm``, the ``/timelinelist/`` fragment) and the noise
pages of the mst replica: legal documents, search, day archive, tags and a static page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from replica.mst.article_page import Link
from replica.mst.catalog import (
    BY_ZONE_ID,
    DRAFT_DOCS,
    FAMILY,
    LEGAL_DOCS,
    PARENT,
    SITE_NAME,
    STATIC_ID,
    ZONES,
    Zone,
)
from replica.mst.chrome import Ctx, a, page, t


def summary(lead: str, words: int = 40) -> str:
    parts = lead.split()
    return " ".join(parts[:words]) + (" ..." if len(parts) > words else "")


def item(
    link: Link, ctx: Ctx, zone_id: int, when: datetime, form: str = "category", heading: str = "h3"
) -> str:
    """One listing entry: ``div.box-category-item``, or ``box-stream-item`` in some fragments."""
    img = ""
    if link.avatar:
        img = f'<img src="{a(ctx.media)}/zoom/260_163{a(link.avatar)}" alt="{a(link.title)}"'
    if form == "stream":
        zone = BY_ZONE_ID.get(zone_id, PARENT)
        avatar = (
            f'<a class="box-stream-link-with-avatar" href="{a(link.href)}" '
            f'title="{a(link.title)}">{img} class="box-stream-avatar"></a>'
            if img
            else ""
        )
        return (
            f'<div class="box-stream-item" data-id="{link.site_id}">{avatar}'
            f'<div class="box-stream-content"><h3><a class="box-stream-link-title" '
            f'data-linktype="newsdetail" data-id="{link.site_id}" href="{a(link.href)}" '
            f'title="{a(link.title)}">{t(link.title)}</a></h3>'
            f'<a class="box-stream-category" href="{zone.path}">{t(zone.name)}</a>'
            f'<span class="box-stream-time">{when:%d/%m/%Y %H:%M}</span>'
            f'<p class="box-stream-sapo">{t(summary(link.lead))}</p></div></div>'
        )
    avatar = (
        f'<a class="box-category-link-with-avatar img-resize" href="{a(link.href)}" '
        f'title="{a(link.title)}" data-id="{link.site_id}">{img} class="box-category-avatar" '
        'data-type="avatar"></a>'
        if img
        else ""
    )
    return (
        f'<div class="box-category-item" data-id="{link.site_id}">{avatar}'
        f'<div class="box-category-content"><{heading} class="box-category-title-text">'
        f'<a class="box-category-link-title" data-type="title" data-linktype="newsdetail" '
        f'data-id="{link.site_id}" data-newstype="0" href="{a(link.href)}" '
        f'title="{a(link.title)}">{t(link.title)}</a></{heading}>'
        f'<p class="box-category-sapo">{t(summary(link.lead))}</p>'
        f'<span class="box-category-time time-ago" title="{when:%H:%M} , {when:%d/%m/%Y}">'
        f"{when:%d/%m/%Y}</span></div></div>"
    )


Entry = tuple[Link, int, datetime]  # (link, zone id, publication time)


def items(entries: Sequence[Entry], ctx: Ctx, form: str = "category", heading: str = "h3") -> str:
    return "\n".join(item(link, ctx, zone, when, form, heading) for link, zone, when in entries)


def _paging(zone: Zone, current: int, last: int, trang: bool, timeline: bool) -> str:
    out = []
    if trang and last > 1:
        links = []
        for n in range(max(1, current - 2), min(last, current + 2) + 1):
            href = zone.path if n == 1 else zone.trang_path(n)
            cls = ' class="active"' if n == current else ""
            links.append(f'<a href="{href}"{cls}>{n}</a>')
        if current < last:
            links.append(f'<a href="{zone.trang_path(current + 1)}" class="next">Trang sau</a>')
        out.append('<div class="paging">' + "".join(links) + "</div>")
    if timeline and current < last:
        out.append(
            f'<a href="javascript:;" class="btn-viewmore list__viewmore" '
            f'data-zone="{zone.id}" data-page="{current + 1}">Xem thêm</a>'
        )
    return "\n".join(out)


def zone_page(
    ctx: Ctx,
    zone: Zone,
    entries: Sequence[Entry],
    current: int,
    last: int,
    *,
    trang: bool,
    timeline: bool,
    newest: Sequence[Entry],
) -> str:
    focus, rest = (entries[:3], entries[3:]) if current == 1 else ([], entries)
    if zone.layout == "template":
        main = _template_zone(ctx, zone, focus, rest, current, last, trang, timeline, newest)
    else:
        main = _mic_zone(ctx, zone, focus, rest, current, last, trang, timeline, newest)
    title = zone.name if current == 1 else f"{zone.name} - Trang {current}"
    return page(ctx, title=f"{title} - {SITE_NAME}", main=main, body_class="zone-page")


def _mic_zone(
    ctx: Ctx,
    zone: Zone,
    focus: Sequence[Entry],
    rest: Sequence[Entry],
    current: int,
    last: int,
    trang: bool,
    timeline: bool,
    newest: Sequence[Entry],
) -> str:
    """The zone page as mic.gov.vn wrote it: div.list__focus and div.list__news (SITE-mst.md §5)."""
    return (
        f'<div class="zone-page" data-zone="{zone.id}">\n'
        f'<input type="hidden" id="hdZoneId" value="{zone.id}">\n'
        f'<input type="hidden" id="hdPageIndex" value="{current}">\n'
        f'<input type="hidden" id="hdZoneUrl" value="{zone.stem}">\n'
        f'<h1 class="zone-title"><a href="{zone.path}" title="{a(zone.name)}">'
        f"{t(zone.name)}</a></h1>\n"
        + (f'<div class="list__focus">\n{items(focus, ctx)}\n</div>\n' if focus else "")
        + f'<div class="list__news" id="box-stream">\n{items(rest, ctx)}\n</div>\n'
        + _paging(zone, current, last, trang, timeline)
        + '\n<aside class="sidebar"><h3>Tin mới</h3>'
        + f'<div class="list__news list__newest">{items(newest, ctx)}</div></aside>\n</div>'
    )


def _template_zone(
    ctx: Ctx,
    zone: Zone,
    focus: Sequence[Entry],
    rest: Sequence[Entry],
    current: int,
    last: int,
    trang: bool,
    timeline: bool,
    newest: Sequence[Entry],
) -> str:
    """The zone page as the family's current template and Tuổi Trẻ write it: the newest
    articles in a focus block (div.box-top > div.box-category[data-layout]) outside the list
    (div.list__listing-main), which leaves them out; the sidebar in div.stream-right; the zone id
    in a div.configHidden with single-quoted attributes (docs/crawling.md has the evidence)."""
    top = ""
    if focus:
        top = (
            '<div class="box-top"><div class="box-category" data-layout="1">'
            f'<div class="box-category-middle">\n{items(focus, ctx, heading="h2")}\n'
            "</div></div></div>\n"
        )
    return (
        f'<div class="list__category-stream" data-zone="{zone.id}"><div class="box-stream-left">\n'
        f'<h1 class="title-zone"><a href="{zone.path}" title="{a(zone.name)}">'
        f"{t(zone.name)}</a></h1>\n"
        + top
        + '<div class="box-stream-vertical"><div class="stream-left">'
        '<div class="list__listing-main"><div class="box-category" data-layout="3">'
        f'<div class="box-category-middle" id="box-stream">\n{items(rest, ctx)}\n'
        '<div class="box-stream-item box-stream-item-load hidden"></div></div></div></div>\n'
        + _paging(zone, current, last, trang, timeline)
        + '</div>\n<div class="stream-right"><h3>Tin mới</h3>'
        f'<div class="box-category" data-layout="12">{items(newest, ctx)}</div></div>'
        "</div></div>\n"
        '<div class="configHidden">'
        f"<input type='hidden' name='hdZoneId' id='hdZoneId' value='{zone.id}' />"
        f"<input type='hidden' name='hdPageIndex' id='hdPageIndex' value='{current}' />"
        f"<input type='hidden' name='hdZoneUrl' id='hdZoneUrl' value='{zone.stem}' /></div>"
    )


def timeline_fragment(ctx: Ctx, zone: Zone, entries: Sequence[Entry]) -> str:
    return items(entries, ctx, zone.fragment) + ("\n" if entries else "")


def home(ctx: Ctx, focus: Sequence[Entry], sections: Sequence[tuple[Zone, Sequence[Entry]]]) -> str:
    boxes = []
    for k, (zone, entries) in enumerate(sections):
        href = zone.path if k % 3 else FAMILY[k % len(FAMILY)] + zone.path
        boxes.append(
            f'<section class="box-zone" data-zone="{zone.id}"><h2 class="box-zone__title">'
            f'<a href="{a(href)}" title="{a(zone.name)}">{t(zone.name)}</a></h2>'
            f'<div class="list__news">{items(entries, ctx)}</div></section>'
        )
    docs = "".join(
        f'<li><a href="/van-ban-phap-luat/{doc_id}.htm">{t(number)}: {t(title)}</a></li>'
        for doc_id, number, title, _ in LEGAL_DOCS[:4]
    )
    main = (
        f'<div class="home"><input type="hidden" id="hdZoneId" value="0">\n'
        f'<div class="list__focus">\n{items(focus, ctx)}\n</div>\n'
        + "\n".join(boxes)
        + f'\n<div class="box-vanban"><h2>Văn bản mới</h2><ul>{docs}</ul>'
        '<a href="/van-ban-phap-luat.htm" class="view-more">Xem thêm</a></div>\n</div>'
    )
    return page(ctx, title=f"{SITE_NAME} - Trang chủ", main=main, body_class="home-page")


def legal_list(ctx: Ctx) -> str:
    rows = "".join(
        f'<tr><td><a href="/van-ban-phap-luat/{doc_id}.htm">{t(number)}</a></td>'
        f"<td>{t(title)}</td><td>{day[8:]}/{day[5:7]}/{day[:4]}</td></tr>"
        for doc_id, number, title, day in LEGAL_DOCS
    )
    main = (
        '<div class="vanban-page"><h1>Văn bản pháp luật</h1><table class="list-vanban"><thead>'
        "<tr><th>Số hiệu</th><th>Trích yếu</th><th>Ngày ban hành</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        '<a href="javascript:;" class="btn-viewmore" id="loadMoreVanBan">Xem thêm</a>'
        f'<p><a href="/van-ban-phap-luat/du-thao/{DRAFT_DOCS[0]}.htm">Dự thảo văn bản</a></p></div>'
    )
    return page(ctx, title=f"Văn bản pháp luật - {SITE_NAME}", main=main)


def legal_doc(ctx: Ctx, doc_id: int, draft: bool = False) -> str | None:
    found = [d for d in LEGAL_DOCS if d[0] == doc_id]
    if draft:
        if doc_id not in DRAFT_DOCS:
            return None
        number, title, day = "Dự thảo", "Dự thảo Thông tư quy định về đo lường", "2025-10-20"
    elif not found:
        return None
    else:
        _, number, title, day = found[0]
    y, m, d = (int(x) for x in day.split("-"))
    if doc_id == 25175:
        pdf = (
            "/document/2025/8/27/danh-muc-ma-buu-chinh-quoc-gia-cho-doi-tuong-la-phuong-xa-va-"
            "don-vi-hanh-chinh-tuong-duong-1756261572483234512520.pdf"
        )
    else:
        pdf = f"/document/{y}/{m}/{d + 2 if d < 27 else d}/van-ban-{doc_id}-17{doc_id:011d}.pdf"
    main = (
        '<div class="vanban-detail"><h1 class="vanban-title">' + t(title) + "</h1>"
        '<table class="vanban-info">'
        f"<tr><td>Số hiệu</td><td>{t(number)}</td></tr>"
        f"<tr><td>Ngày ban hành</td><td>{d:02d}/{m:02d}/{y}</td></tr>"
        f"<tr><td>Ngày hiệu lực</td><td>{d:02d}/{m:02d}/{y}</td></tr>"
        f"<tr><td>Cơ quan ban hành</td><td>{SITE_NAME}</td></tr></table>"
        f'<p class="file"><a href="{a(ctx.media + pdf)}" target="_blank">Tải về</a></p></div>'
    )
    return page(ctx, title=f"{title} - {SITE_NAME}", main=main, body_class="vanban-page")


def search(ctx: Ctx, query: str, entries: Sequence[Entry]) -> str:
    main = (
        '<div class="search-page"><form action="/tim-kiem.htm"><input name="keywords" '
        f'value="{a(query)}"></form><p class="search-count">Có <span class="bold">'
        f"{len(entries)}</span> tin tức, video</p>"
        f'<div class="list__news">{items(entries, ctx)}</div></div>'
    )
    return page(ctx, title=f"Tìm kiếm - {SITE_NAME}", main=main, body_class="search-page")


def day_archive(ctx: Ctx, day: str, entries: Sequence[Entry]) -> str:
    links = "".join(
        f'<li><a href="{a(link.href)}">{t(link.title)}</a> <span>{when:%H:%M}</span></li>'
        for link, _, when in entries
    )
    main = (
        f'<div class="date-page"><h1>Tin ngày {t(day)}</h1><ul class="list-date">{links}</ul></div>'
    )
    return page(ctx, title=f"Tin ngày {day} - {SITE_NAME}", main=main)


def tag_page(ctx: Ctx, tag: str, entries: Sequence[Entry]) -> str:
    main = (
        f'<div class="tag-page"><h1>{t(tag)}</h1><div class="list__news">'
        f"{items(entries, ctx)}</div></div>"
    )
    return page(ctx, title=f"{tag} - {SITE_NAME}", main=main)


def static_page(ctx: Ctx) -> str:
    main = (
        '<div class="static-page"><h1 class="static-title">Giới thiệu</h1>'
        "<p>Bộ Khoa học và Công nghệ là cơ quan của Chính phủ, thực hiện chức năng quản lý nhà "
        "nước về khoa học, công nghệ, đổi mới sáng tạo, chuyển đổi số, bưu chính, viễn thông, "
        "tần số vô tuyến điện, công nghiệp công nghệ số.</p>"
        f'<p><a href="/gioi-thieu-{STATIC_ID}.htm">Giới thiệu</a> | '
        '<a href="/van-ban-phap-luat.htm">Văn bản pháp luật</a></p></div>'
    )
    return page(ctx, title=f"Giới thiệu - {SITE_NAME}", main=main)


def rss_page(ctx: Ctx) -> str:
    feeds = [("/rss/home.rss", "Trang chủ"), (PARENT.rss_path, PARENT.name)]
    feeds += [(z.rss_path, z.name) for z in ZONES]
    links = "".join(f'<li><a href="{path}">{t(name)}</a></li>' for path, name in feeds)
    main = f'<div class="rss-page"><h1>RSS</h1><ul class="list-rss">{links}</ul></div>'
    return page(ctx, title=f"RSS - {SITE_NAME}", main=main)


__all__ = ["ZONES", "Entry"]
