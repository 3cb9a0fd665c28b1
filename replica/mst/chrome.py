"""The page frame every mst page shares: head, header with the zone menu, footer.

Links to the site's own pages are written relative or absolute with the family hosts the real
site has used (``https://mst.gov.vn``, ``https://mic.gov.vn``, ``https://www.mst.gov.vn``,
SITE-mst.md §2): a crawler rewrites those onto the site it was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from replica.mst import frame
from replica.mst.catalog import FAMILY, PARENT_NAME, PARENT_PATH, SITE_NAME, STATIC_ID, ZONES
from replica.noise import attr, plain


@dataclass(frozen=True)
class Ctx:
    base: str  # the replica's origin, e.g. http://127.0.0.1:8765
    media: str  # the media host's origin (stands in for https://mic.mediacdn.vn)
    offsite: str  # "external" sites


# The mst pages escape as the other portal's do: an attribute value (``a``), text content (``t``).
a = attr
t = plain


def menu(ctx: Ctx) -> str:
    items = [
        '<li class="item"><a href="/" title="Trang chủ" class="nav-link">'
        f'<span class="icon">{frame.ICON_HOME}</span>Trang chủ</a></li>'
    ]
    sub = []
    for k, zone in enumerate(ZONES):
        href = zone.path if k % 2 else FAMILY[(k // 2) % len(FAMILY)] + zone.path
        sub.append(f'<li><a href="{a(href)}" title="{a(zone.name)}">{t(zone.name)}</a></li>')
    items.append(
        f'<li class="item has-sub"><a href="{FAMILY[1]}{PARENT_PATH}" title="{PARENT_NAME}">'
        f'{PARENT_NAME}</a><ul class="sub-menu">{"".join(sub)}</ul></li>'
    )
    items.append('<li class="item"><a href="/van-ban-phap-luat.htm">Văn bản pháp luật</a></li>')
    items.append(f'<li class="item"><a href="/gioi-thieu-{STATIC_ID}.htm">Giới thiệu</a></li>')
    items.append(f'<li class="item"><a href="{a(ctx.offsite)}/english/">English</a></li>')
    return (
        '<nav class="header__nav"><ul class="menu-nav" id="menu">' + "".join(items) + "</ul></nav>"
    )


@lru_cache(maxsize=16)  # the same for every page of a site: built once
def header(ctx: Ctx) -> str:
    return (
        '<header class="header"><div class="header__top">'
        f'<a class="header__logo" href="/" title="{SITE_NAME}">'
        f'<img src="/images/logo.png" alt="{SITE_NAME}"></a>{frame.brand(ctx.offsite)}'
        '<form class="header__search" action="/tim-kiem.htm" method="get">'
        '<input type="text" name="keywords" placeholder="Tìm kiếm"></form>'
        f"{frame.search_icons()}</div>"
        f"{menu(ctx)}</header>\n{frame.hot_bar(HOT_TOPICS, ctx.offsite)}"
    )


# The bar's hot topics: tag pages the site has.
HOT_TOPICS = [
    ("/tag/chuyen-doi-so.htm", "Chuyển đổi số"),
    ("/tag/khoa-hoc-cong-nghe-va-doi-moi-sang-tao.htm", "Khoa học, công nghệ và đổi mới sáng tạo"),
]


@lru_cache(maxsize=16)
def footer(ctx: Ctx) -> str:
    return (
        f'<footer class="footer">{frame.footer_nav()}\n{frame.masthead(ctx.offsite)}\n'
        '<div class="footer__info">'
        f"<p>Cơ quan chủ quản: {SITE_NAME}</p>"
        "<p>Địa chỉ: 113 Trần Duy Hưng, Cầu Giấy, Hà Nội</p>"
        "<p>Ghi rõ nguồn &quot;mst.gov.vn&quot; khi phát hành lại thông tin từ website này.</p>"
        '</div><div class="footer__links">'
        f'<a href="{FAMILY[2]}/rss.htm">RSS</a> | '
        '<a href="/tin-tuc-su-kien/xem-theo-ngay-20-11-2026.htm">Tin theo ngày</a> | '
        f'<a href="{ctx.offsite}/chinhphu" target="_blank">Cổng Thông tin điện tử Chính phủ</a> | '
        '<a href="mailto:banbientap@mst.gov.vn">banbientap@mst.gov.vn</a> | '
        '<a href="javascript:;">Lên đầu trang</a></div>\n'
        f"{frame.copyright_line()}</footer>"
    )


def page(
    ctx: Ctx,
    *,
    title: str,
    main: str,
    head: str = "",
    body_class: str = "",
    before: str = "",
    after: str = "",
    hidden: str = "",
    channel: str = "/home/",
) -> str:
    """A whole page in the family's frame (``frame``); ``title`` is plain text, ``main`` and
    ``head`` HTML; ``before`` and ``after`` go around ``main`` (an article's share rail, like
    box and AJAX slots), ``hidden`` at the end of the body (an article's hidden inputs)."""
    return (
        '<!DOCTYPE html>\n<html lang="vi">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{t(title)}</title>\n{head}"
        '<link rel="stylesheet" href="/css/main.min.css">\n'
        f"    {frame.head(channel, ctx.offsite)}</head>\n"
        f'<body class="{a(body_class)}">\n<div id="admwrapper" data-role="page">\n'
        f'{header(ctx)}\n<main class="main">\n{before}{main}\n{after}</main>\n'
        f"{footer(ctx)}\n</div>\n{frame.back_to_top()}{hidden}{frame.tail_scripts(ctx.offsite)}\n"
        "</body>\n</html>\n"
    )


def error_page(ctx: Ctx) -> str:
    main = (
        '<div class="page-404"><h1>404</h1><p>Trang bạn tìm kiếm không tồn tại.</p>'
        '<a href="/">Về trang chủ</a></div>'
    )
    return page(ctx, title=f"Không tìm thấy trang - {SITE_NAME}", main=main)
