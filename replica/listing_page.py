"""Render category listings, the home page and the non-news pages (SITE.md §5, §9.1)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from replica.catalog import LISTING_PART, Category, digest
from replica.hosts import Hosts
from replica.markup import page
from replica.noise import attr, plain
from replica.spec import Headline

PAGER_ID = f"{LISTING_PART}_ctl00_lk"


def thumbnail(spec: Headline, kind: int) -> str | None:
    """``/Images/Tintuc/m{GUID}.{jpg,png,JPG}``, or None for an item without an image."""
    if kind == 0:
        return None
    h = f"{digest('thumb', spec.site_id):016x}{digest('thumb2', spec.site_id):016x}"
    guid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
    return f"/Images/Tintuc/m{guid}.{('jpg', 'png', 'JPG', 'jpg')[(kind - 1) % 4]}"


def summary(lead: str, words: int = 28) -> str:
    parts = lead.split()
    return lead if len(parts) <= words else " ".join(parts[:words]) + " …"


def item(spec: Headline, href: str, thumb: str | None, show_date: bool) -> str:
    link = attr(href)
    img = ""
    if thumb:
        img = (
            f"<div class=\"listnews_item_img\"><a href='{link}'><img src='{attr(thumb)}' "
            "alt='' /></a></div>\n"
        )
    day = f"Ngày {spec.sort_time:%d/%m/%Y}&nbsp;&nbsp;" if show_date else ""
    return (
        '<div class="listnews_item">\n'
        f"{img}"
        f"<div class=\"listnews_item_title\"><a href='{link}'>{plain(spec.title_raw)}</a></div>\n"
        f'<div class="listnews_item_des">{plain(summary(spec.lead))}</div>\n'
        f'<div class="listnews_item_date"><span>{day}</span></div>\n'
        "</div>"
    )


def pager(cat: Category, current: int, last: int) -> str:
    base = cat.path

    def link(name: str, text: str, target: int | None) -> str:
        if target is None:
            return f"<span>{text}</span>"
        return f'<span><a id="{PAGER_ID}{name}2" href="{base}?page={target}">{text}</a></span>'

    first = current <= 1
    at_end = current >= last
    selected = ' selected="selected"'
    options = "".join(
        f'<option value="{n}"{selected if n == current else ""}>{n}</option>'
        for n in range(1, last + 1)
    )
    return (
        '<div class="Paging">\n'
        f'<span class="PagingInfo">Trang {current}/{last}</span>\n'
        f"{link('First', 'Đầu', None if first else 1)}\n"
        f"{link('Prev', 'Trước', None if first else min(current - 1, last))}\n"
        f"<select onchange=\"window.location='{base}?page='+this.value\">{options}</select>\n"
        f"{link('Next', 'Sau', None if at_end else current + 1)}\n"
        f"{link('Last', 'Cuối', None if at_end else last)}\n"
        "</div>"
    )


def render_listing(
    hosts: Hosts,
    cat: Category,
    items_html: list[str],
    current: int,
    last: int,
    today: date,
    action: str,
) -> str:
    main = (
        f'<div id="{LISTING_PART}">\n'
        f"<div class=\"title_cate\"><a href='{hosts.form(cat.id)}{cat.path}'>"
        f"{plain(cat.name)}</a></div>\n"
        f'<div id="{LISTING_PART}_ctl00_pnListNews">\n' + "\n".join(items_html) + "\n</div>\n"
        f"{pager(cat, current, last)}\n</div>"
    )
    head = (
        f'<link rel="alternate" type="application/rss+xml" '
        f'href="/rss/{cat.id}/{cat.rss_slug}.rss" />\n'
    )
    return page(
        hosts,
        title=plain(cat.name),
        action=action,
        today=today,
        main=main,
        head_extra=head,
        viewstate_seed=cat.id,
    )


def render_home(
    hosts: Hosts,
    sections: Sequence[tuple[Category, Sequence[Headline]]],
    link_of: Callable[[Headline], str],
    today: date,
) -> str:
    boxes = []
    for k, (cat, specs) in enumerate(sections):
        head = cat.path if k % 2 else hosts.form(k) + cat.path
        if cat.alt_slugs and k % 2 == 0:
            head = f"{hosts.form(3)}/vn/chuyen-muc/{cat.id}/{cat.alt_slugs[0]}.aspx"
        links = "".join(
            f"<li><a href='{attr(link_of(s))}'>{plain(s.title_raw)}</a>"
            f"<span class='news_datetime'>({s.sort_time:%d/%m/%Y})</span></li>"
            for s in specs
        )
        boxes.append(
            f'<div class="box_cate"><h2 class="H2_Favorite2"><a href=\'{attr(head)}\'>'
            f"{plain(cat.name)}</a></h2><ul>{links}</ul>"
            f"<a class='xemtiep' href='{attr(head)}?page=1'>Xem tiếp</a></div>"
        )
    extra = (
        '<div class="box_links">'
        f"<a href='{hosts.form(0)}/vn/Pages/Vanbanphapluat.aspx'>Văn bản pháp luật</a> "
        "<a href='/vn/Pages/VBPQ.aspx?Machuyende=VB&amp;ChudeID=73'>"
        "Văn bản quy phạm pháp luật</a> "
        f"<a href='{hosts.form(2)}/vn/Pages/vanbanphapquy.aspx'>Văn bản pháp quy</a> "
        f"<a href='{hosts.form(0)}/vn/Pages/DanhSachLanhDao.aspx'>Lãnh đạo Bộ</a> "
        f"<a href='{hosts.form(0)}/en/Pages/home.aspx'>English</a> "
        f"<a href='{hosts.offsite}/khcn-dia-phuong/'>Sở KH&amp;CN các tỉnh</a> "
        "<a href='javascript:void(0);' onclick=\"ShowPopup()\">Hỏi đáp</a> "
        "<a href='mailto:vanphong@most.gov.vn'>Liên hệ</a> "
        "<a href='/rss/492/tin_tuc_su_kien.rss'>RSS</a></div>"
    )
    main = '<div class="home_content">\n' + "\n".join(boxes) + f"\n{extra}\n</div>"
    return page(
        hosts,
        title="Trang chủ - Bộ Khoa học và Công nghệ",
        action="./Trangchu.aspx",
        today=today,
        main=main,
    )


STATIC_PAGES = {
    "/en/pages/home.aspx": (
        "Ministry of Science and Technology",
        "Welcome to the Ministry of Science and Technology of Viet Nam.",
    ),
    "/en/": (
        "Ministry of Science and Technology",
        "Welcome to the Ministry of Science and Technology of Viet Nam.",
    ),
    "/vn/pages/vanbanphapluat.aspx": (
        "Văn bản pháp luật",
        "Hệ thống văn bản pháp luật về khoa học và công nghệ.",
    ),
    "/vn/pages/vbpq.aspx": ("Văn bản quy phạm pháp luật", "Văn bản quy phạm pháp luật."),
    "/vn/pages/vanbanphapquy.aspx": ("Văn bản quy phạm pháp luật", "Văn bản quy phạm pháp luật."),
    "/vn/pages/danhsachlanhdao.aspx": (
        "Lãnh đạo Bộ",
        "Danh sách Lãnh đạo Bộ Khoa học và Công nghệ.",
    ),
    "/vn/pages/tintuc.aspx": ("Tin tức", "Tin tức."),
}


def render_static(hosts: Hosts, key: str, today: date) -> str:
    title, text = STATIC_PAGES[key]
    main = (
        f'<div class="CSSTableGenerator"><h1>{plain(title)}</h1><p>{plain(text)}</p>'
        "<table><tr><td><div>Số 01/2025/TT-BKHCN</div></td></tr></table></div>"
    )
    return page(
        hosts, title=plain(title), action="./" + key.rsplit("/", 1)[-1], today=today, main=main
    )
