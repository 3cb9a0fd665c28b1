"""The publish-time lines of real pages of the VCCorp CMS family, each fed to the mst parser in
an otherwise unchanged fixture page: the parser must give the time the page shows, never the
id's (which differs from it by up to an hour on real pages, SITE-mst.md §9a) nor midnight.

Each form names the public scraper or template that shows it (index file ids of the tool
library, as in SITE-mst.md §1); docs/parsers.md lists them with their sites.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.parsers import parse_article
from crawler.parsers.dates import parse_day_first

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
CASE = "mst-source-theo"  # shows 15/09/2025 14:05; its id 197250915140500789 says 14:05 too
TIME_BLOCK = re.compile(r'<div class="detail-time">.*?</div></div>', re.S)
META_TIME = re.compile(r'<meta property="article:published_time"[^>]*>\n?')
# The page below shows 13:07, an hour and a minute before the id's 14:05: a reader that falls
# back to the id, or pairs the date with no time, is caught.
SHOWN = "2025-09-15T13:07:00+07:00"
ID_TIME = "2025-09-15T14:05:00+07:00"


def _page(time_block: str, *, meta: bool = False) -> tuple[bytes, str]:
    html = (PAGES / CASE / "page.html").read_text(encoding="utf-8")
    url = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    assert url is not None and TIME_BLOCK.search(html) is not None
    html = TIME_BLOCK.sub(lambda _: time_block, html, count=1)
    if not meta:
        html = META_TIME.sub("", html)
    return html.encode("utf-8"), url.group(1)


REAL_FORMS = [
    # baochinhphu / xaydungchinhsach.chinhphu.vn: p[data-role=publishdate] "03/01/2026 08:56"
    # (45467810240); SITE-mst.md §9 skeleton
    pytest.param(
        '<div class="detail-time"><div data-role="publishdate">15/09/2025 13:07</div></div>',
        id="dd/mm/yyyy HH:mm",
    ),
    pytest.param('<p class="days" data-role="publishdate">15/09/2025 13:07</p>', id="p.days"),
    # tuoitre: <time data-role="publishdate" datetime="…">01/01/2026 21:35 GMT+7</time>
    # (45248735481, 70515103238, 5297601780)
    pytest.param(
        '<div class="detail-time"><time data-role="publishdate" '
        'datetime="2025-09-15T13:07:00+07:00">15/09/2025 13:07 GMT+7</time></div>',
        id="tuoitre GMT+7 with datetime",
    ),
    # the Blade detail template's "{date} (GMT+7)" (SITE-mst.md §4)
    pytest.param('<p class="detail-time">Thứ Hai, 15/09/2025 13:07 (GMT+7)</p>', id="(GMT+7)"),
    # cafef: <span class="pdate" data-role="publishdate">17-04-2026 - 00:07 AM</span>
    # (56123871370) and "15-08-2025 - 13:30 PM" (47225126864): dashes, a 24-hour clock with
    # an AM/PM suffix
    pytest.param(
        '<div class="detail-time"><span class="pdate" data-role="publishdate">'
        "15-09-2025 - 13:07 PM </span></div>",
        id="cafef dd-mm-yyyy - HH:mm PM",
    ),
    # soha big-story template: <div class="big-date" data-role="publishdate">Cập nhật lúc
    # {{date('H:i d/m/Y')}}</div> (33125954927): the time before the date
    pytest.param(
        '<div class="big-date" data-role="publishdate">Cập nhật lúc 13:07 15/09/2025</div>',
        id="soha time first",
    ),
    # VCCorp podcast template: <span class="box-category-time">{{date('H:i , d/m/Y')}}</span>
    # (33742087946)
    pytest.param(
        '<div class="detail-time"><span data-role="publishdate">13:07 , 15/09/2025</span></div>',
        id="H:i , d/m/Y",
    ),
    # English edition (SITE-mst.md §9a): "September 09, 2026 9:33 AM GMT+7"
    pytest.param(
        '<div class="detail-time"><div data-role="publishdate">September 15, 2025 1:07 PM '
        "GMT+7</div></div>",
        id="English month 12-hour",
    ),
]


@pytest.mark.parametrize("block", REAL_FORMS)
def test_the_page_shown_time_wins_over_the_id(block: str) -> None:
    page, url = _page(block)
    article = parse_article(page, url)
    assert article is not None
    assert article.published_at == SHOWN


@pytest.mark.parametrize("block", REAL_FORMS)
def test_the_page_shown_time_wins_over_a_meta_an_hour_off(block: str) -> None:
    html, url = _page(block, meta=True)  # the meta still says 14:05 (the fixture's)
    article = parse_article(html, url)
    assert article is not None
    assert article.published_at == SHOWN


def test_cafef_midnight_hour_with_am() -> None:
    page, url = _page(
        '<div class="detail-time"><span class="pdate" data-role="publishdate">'
        "15-09-2025 - 00:07 AM</span></div>"
    )
    article = parse_article(page, url)
    assert article is not None and article.published_at == "2025-09-15T00:07:00+07:00"


def test_a_day_alone_still_takes_the_ids_time_on_the_same_day() -> None:
    page, url = _page('<div class="detail-time">Thứ Hai, 15-09-2025</div>')
    article = parse_article(page, url)
    assert article is not None and article.published_at == ID_TIME


@pytest.mark.parametrize(
    ("line", "want"),
    [
        ("17-04-2026 - 00:07 AM", "2026-04-17T00:07:00+07:00"),
        ("15-08-2025 - 13:30 PM ", "2025-08-15T13:30:00+07:00"),
        ("15-08-2025 - 1:30 PM", "2025-08-15T13:30:00+07:00"),
        ("Cập nhật lúc 08:56 03/01/2026", "2026-01-03T08:56:00+07:00"),
        ("13:07 , 15/09/2025", "2025-09-15T13:07:00+07:00"),
        ("10h19 ngày 04/07/2025", "2025-07-04T10:19:00+07:00"),
        # a date with a time after it keeps that time, whatever stands before the date
        ("Lượt xem 12:30 - 04/07/2025 10:19", "2025-07-04T10:19:00+07:00"),
        # mixed separators are no date; an ISO date is not read day-first
        ("15-09/2025", None),
        ("2025-09-15T13:07:00", None),
        ("15-09-2025", "2025-09-15T00:00:00+07:00"),
    ],
)
def test_day_first_reader_forms(line: str, want: str | None) -> None:
    assert parse_day_first(line) == want


def _tuoitre_author_box(*names: str) -> str:
    """Tuổi Trẻ's author box (70515103238, a test fixture that "mirrors the structure seen on
    tuoitre.vn article pages (2026-10-05)"; 56669308513 and 31878331434 read its a.name and
    p.name[data-role=author]): the first name, "và N tác giả khác", then every name again."""
    first = names[0]
    slides = "".join(
        f'<div class="swiper-slide"><div class="author-item"><div class="author-item-avatar">'
        f'<a title="{n}"><img class="isauthor" src="" alt="{n}"></a></div>'
        f'<div class="author-item-name"><a class="name" title="{n}">{n}</a></div></div></div>'
        for n in names
    )
    return (
        f'<div class="detail-author oneauthor" data-role="author"><div class="groupavtauthor">'
        f'<a class="avata" title="{first}"><img class="avt isauthor" src="" alt="tác giả"></a>'
        f'</div><div class="author-info"><a class="name" title="{first}">{first}</a>'
        f'<span class="morenameauthor">và {len(names) - 1} tác giả khác</span></div>'
        f'<div class="swiper"><div class="swiper-wrapper">{slides}</div></div></div>'
    )


@pytest.mark.parametrize(
    ("names", "want"),
    [(("ĐAN THUẦN", "CHÍ KIÊN"), "ĐAN THUẦN, CHÍ KIÊN"), (("KỲ PHONG",), "KỲ PHONG")],
)
def test_tuoitre_author_box_gives_its_names(names: tuple[str, ...], want: str) -> None:
    html = (PAGES / CASE / "page.html").read_text(encoding="utf-8")
    url = re.search(r'<link rel="canonical" href="([^"]+)"', html)
    assert url is not None and '<h2 class="detail-sapo"' in html
    html = html.replace(
        '<h2 class="detail-sapo"', _tuoitre_author_box(*names) + '<h2 class="detail-sapo"', 1
    )
    article = parse_article(html.encode("utf-8"), url.group(1))
    assert article is not None
    assert article.author == want
    assert article.source == "Theo Báo Chính phủ"  # the fixture's tail is read as before
