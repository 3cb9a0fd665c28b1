"""The SharePoint 2013 chrome shared by every replica page (SITE.md §2, §9.1, §9.2).

The whole page sits inside ``<form id="aspnetForm">`` with a large ``__VIEWSTATE``; the header
shows the site's "today" date (no time) that a naive date regex picks up first (§10.15); a
global menu and a footer carry the real page's noise: the English home, the legal documents
pages, ``javascript:`` and ``mailto:`` links, external sites (at the offsite base) and absolute
links to the site's own host in its four spellings.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import date
from functools import cache

from replica.catalog import CATEGORIES, WEEKDAYS
from replica.hosts import Hosts
from replica.noise import attr, plain

DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">'
)


@cache
def _viewstate_pool() -> str:
    chunks = [hashlib.blake2b(str(i).encode(), digest_size=64).digest() for i in range(2600)]
    return base64.b64encode(b"".join(chunks)).decode("ascii")


def viewstate(length: int, seed: int) -> str:
    pool = _viewstate_pool()
    length = min(length, len(pool) - 1)
    start = seed % (len(pool) - length)
    return "/wEPDwUK" + pool[start : start + length]


def today_text(day: date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {day:%d/%m/%Y}"


def menu(hosts: Hosts) -> str:
    items = ["<li class='Lv_1'><a href='/vn/Pages/Trangchu.aspx'>Trang chủ</a></li>"]
    for k, cat in enumerate(CATEGORIES):
        href = cat.path if k % 2 else hosts.form(k) + cat.path
        items.append(f"<li class='Lv_1'><a href='{attr(href)}'>{plain(cat.name)}</a></li>")
    items.append(
        "<li class='Lv_1'><a href='javascript:void(0)'>Văn bản</a><ul>"
        f"<li><a href='{hosts.form(1)}/vn/Pages/Vanbanphapluat.aspx'>Văn bản pháp luật</a></li>"
        f"<li><a href='{hosts.form(0)}/vn/Pages/VBPQ.aspx?Machuyende=VB&amp;ChudeID=73'>"
        "Văn bản quy phạm</a></li>"
        f"<li><a href='{hosts.form(2)}/vn/Pages/vanbanphapquy.aspx'>Văn bản pháp quy</a></li>"
        "</ul></li>"
    )
    items.append("<li class='Lv_1'><a href='/vn/Pages/DanhSachLanhDao.aspx'>Lãnh đạo Bộ</a></li>")
    items.append(f"<li class='Lv_1'><a href='{hosts.form(0)}/en/Pages/home.aspx'>English</a></li>")
    return f'<div class="menu_top"><ul class="Menu_Ul">{"".join(items)}</ul></div>'


def footer(hosts: Hosts) -> str:
    off = hosts.offsite
    return (
        '<div class="footer"><div class="footer_links">'
        f"<a href='{off}/'>Cổng Thông tin điện tử Chính phủ</a> | "
        f"<a href='{off}/vanban/'>Cơ sở dữ liệu quốc gia về văn bản pháp luật</a> | "
        f"<a href='{off}/dichvucong/' target='_blank'>Cổng Dịch vụ công quốc gia</a> | "
        "<a href='mailto:webmaster@most.gov.vn'>webmaster@most.gov.vn</a> | "
        "<a href='javascript:;' onclick='window.print()'>In trang</a> | "
        f"<a href='{hosts.form(0)}/en/'>English</a>"
        "</div><p>BỘ KHOA HỌC VÀ CÔNG NGHỆ - 113 Trần Duy Hưng, Cầu Giấy, Hà Nội. "
        "Điện thoại: 024.39436793</p>"
        f"<p><a href='{hosts.form(0)}/'>{hosts.form(0)}/</a></p></div>"
    )


def page(
    hosts: Hosts,
    *,
    title: str,
    action: str,
    today: date,
    main: str,
    head_extra: str = "",
    viewstate_len: int = 6000,
    viewstate_seed: int = 0,
) -> str:
    """A whole page: ``title`` is already HTML (escaped); ``main`` goes in DeltaPlaceHolderMain."""
    return (
        f'{DOCTYPE}\n<html dir="ltr" lang="vi-VN">\n<head>\n'
        '<meta http-equiv="X-UA-Compatible" content="IE=10" />\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />\n'
        '<meta name="GENERATOR" content="Microsoft SharePoint" />\n'
        f"<title>{title}</title>\n"
        '<link rel="stylesheet" type="text/css" '
        'href="/_layouts/15/1033/styles/Themable/corev15.css" />\n'
        f"{head_extra}</head>\n<body>\n"
        f'<form method="post" action="{attr(action)}" id="aspnetForm">\n'
        '<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" '
        f'value="{viewstate(viewstate_len, viewstate_seed)}" /></div>\n'
        '<div class="s4-notdlg s4-skipribbonshortcut noindex"><a href="javascript:;" '
        'class="ms-SkiptoNavigation" accesskey="Y">Skip Ribbon Commands</a></div>\n'
        '<div class="s4-notdlg noindex"><a href="javascript:;" class="ms-SkiptoMainContent" '
        'accesskey="X">Skip to main content</a></div>\n'
        '<div id="s4-workspace"><div id="s4-bodyContainer">\n'
        f'<div class="header"><span class="date_today">{today_text(today)}</span></div>\n'
        f"{menu(hosts)}\n"
        '<div id="DeltaPlaceHolderMain"><a id="mainContent" name="mainContent" tabindex="-1"></a>\n'
        f"{main}\n</div>\n{footer(hosts)}\n</div></div>\n</form>\n</body>\n</html>\n"
    )


def error_page(hosts: Hosts, today: date, message: str = "Không tìm thấy trang") -> str:
    """SharePoint's friendly error page (used for 404s and for robots.txt)."""
    main = (
        '<div id="ms-error"><div class="ms-error-header">'
        f'<h1 class="ms-core-pageTitle">Xin lỗi, đã xảy ra lỗi</h1></div>'
        f'<div id="ms-error-content"><p class="ms-textLarge">{plain(message)}</p>'
        "<p>Correlation ID: 3f1c9e9d-60c1-4c53-a7d0-5e2a9b2b6d11</p></div></div>"
    )
    return page(hosts, title="Lỗi", action="/_layouts/15/error.aspx", today=today, main=main)
