"""The newsroom CMS's page frame around an mst page: what a real page of the family carries
besides its article or list, and most of its weight.

Evidence [E-sib]: an exact wire capture (``Accept-Encoding: identity``) of an article page of
en.baochinhphu.vn, a site of the same CMS (ids of a 3-digit site prefix and a timestamp, the
``detail-content afcbc-body`` container, ``VCSortableInPreviewMode`` related boxes, hidden
``hdZoneId``/``hdNewsId`` inputs; tool-library file 70544357543, capture log 70313469583:
12 article pages of 66,132-68,255 bytes, about 460 elements each, the article itself under a
tenth of the bytes). Nothing of mst.gov.vn's own pages is known beyond SITE-mst.md, so this
frame is that page's, section by section: a head of some 35 meta tags, three JSON-LD blocks and
the ad network's scripts; the header and menu with inline SVG icons; a bar of hot topics,
links and a weather box listing the provinces; an ad zone; on article pages a share rail before
the article, a like box, an empty ``#loadDetailBottom`` and an empty sidebar ``div.detail__sub``
after it (the related and most-read lists arrive later by AJAX), and the hidden inputs of the
article (``hdZoneId``, ``hdNewsId``, ``hdTitle``, ``hdSapo``, ...) at the end of the body; the
footer with the menu again and the masthead; the page's scripts. The SVG path data, the scripts'
code and the token are ours, of the captured sizes; the markup's structure, classes and ids are
the capture's. [I]: that mst.gov.vn's frame is this one, and the Vietnamese of its words.
"""

from __future__ import annotations

import json
import random
from functools import lru_cache

from replica.mst.catalog import ID_PREFIX, SITE_NAME, ZONES
from replica.noise import attr, plain

INDENT = "\n" + " " * 12


def _path_data(rng: random.Random, points: int) -> str:
    """SVG path data of ``points`` cubic segments (icons of the captured sizes)."""

    def n() -> str:
        return f"{rng.uniform(0, 24):.5f}".rstrip("0").rstrip(".")

    segs = [f"M{n()} {n()}"]
    segs += [f"C{n()} {n()} {n()} {n()} {n()} {n()}" for _ in range(points)]
    return "".join(segs) + "Z"


def _svg(rng: random.Random, paths: int, points: int, *, size: int = 20) -> str:
    body = "".join(
        f'\n    <path fill-rule="evenodd" clip-rule="evenodd" d="{_path_data(rng, points)}" '
        'fill="#3B4E68" />'
        for _ in range(paths)
    )
    return (
        f'<svg width="{size}" height="{size}" viewBox="0 0 {size} {size}" fill="none" '
        f'xmlns="http://www.w3.org/2000/svg">{body}\n</svg>'
    )


_RNG = random.Random(197)
ICON_HOME = _svg(_RNG, 1, 8, size=17)
ICON_SEARCH = _svg(_RNG, 1, 14, size=21)
ICON_CALENDAR = _svg(_RNG, 15, 2)
ICON_ARROWS = (_svg(_RNG, 2, 4), _svg(_RNG, 2, 4))
ICON_LINKS = (_svg(_RNG, 1, 40, size=19), _svg(_RNG, 1, 14), _svg(_RNG, 3, 8), _svg(_RNG, 1, 14))
ICON_COLLAPSE = _svg(_RNG, 1, 12, size=11)
ICON_SHARE = tuple(_svg(_RNG, k, 10, size=24) for k in (1, 1, 1, 1, 3, 3))
ICON_SOCIAL = (_svg(_RNG, 3, 8), _svg(_RNG, 1, 14))
ICON_TOP = _svg(_RNG, 1, 12, size=16)
# A player token as the page settings carry one (base64 of ours, the captured length).
VIDEO_TOKEN = (
    "".join(
        _RNG.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for _ in range(596)
    )
    + "="
)

# The places of the weather box, as the captured page lists them (64, two of them cities), the
# names in Vietnamese; each item's value is a weather service's city code there, ours here.
PROVINCES = (
    "An Giang", "Bình Dương", "Bình Phước", "Bình Thuận", "Bình Định", "Bạc Liêu", "Bắc Giang",
    "Bắc Kạn", "Bắc Ninh", "Bến Tre", "Cao Bằng", "Cà Mau", "Cần Thơ", "Điện Biên", "Đà Nẵng",
    "Đà Lạt", "Đắk Lắk", "Đắk Nông", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Nội", "Hồ Chí Minh",
    "Hà Giang", "Hà Nam", "Hà Tĩnh", "Hòa Bình", "Hưng Yên", "Hải Dương", "Hải Phòng",
    "Hậu Giang", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Long An", "Lào Cai",
    "Lâm Đồng", "Lạng Sơn", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận", "Phú Thọ",
    "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị", "Sóc Trăng",
    "Sơn La", "Thanh Hóa", "Thái Bình", "Thái Nguyên", "Thừa Thiên Huế", "Tiền Giang",
    "Trà Vinh", "Tuyên Quang", "Tây Ninh", "Vĩnh Long", "Vĩnh Phúc", "Vũng Tàu", "Yên Bái",
)  # fmt: skip
CITY_CODES = tuple(2347700 + 3 * k if k % 3 else 20070070 + k for k in range(len(PROVINCES)))


def _script(code: str) -> str:
    return f'<script nonce="sclotusinnline" type="text/javascript">{code}\n</script>'


@lru_cache(maxsize=64)  # per ad channel and site: built once
def head(channel: str, offsite: str) -> str:
    """The family's head after the page's own tags; ``channel`` is the ad channel's path,
    ``offsite`` the origin standing in for the CDN of the site's static files."""
    cdn = f"{offsite}/static"
    hidden_cities = ",".join(f'.box_weather .itemWeather[value="{c}"]' for c in CITY_CODES[::2])
    settings = (
        "\n        var pageSettings = {\n"
        '            DomainAPI: "https://s.chinhphu.vn",\n'
        '            Domain: "https://mst.gov.vn",\n'
        '            sharefbApiDomain: "https://sharefb.cnnd.vn",\n'
        '            videoplayer: "https://vcplayer.mediacdn.vn",\n'
        f'            VideoToken: "{VIDEO_TOKEN}",\n'
        '            ajaxDomain: "https://hotroapi.chinhphu.vn",\n'
        '            commentSiteName: "mst.gov.vn",\n'
        '            allowComment: "false",\n'
        f'            siteId: "{ID_PREFIX}"\n'
        "        }"
    )
    org = json.dumps(
        {
            "@context": "http://schema.org",
            "@type": "Organization",
            "name": "mst.gov.vn",
            "url": "https://mst.gov.vn",
            "logo": f"{cdn}/mst/image/logo.png",
            "contactPoint": [{"@type": "ContactPoint", "telephone": "024 3943 9265",
                              "contactType": "customer service"}],
            "address": {"@type": "PostalAddress", "addressLocality": "Cầu Giấy",
                        "addressRegion": "Hà Nội", "addressCountry": "Việt Nam",
                        "streetAddress": "113 Trần Duy Hưng - Cầu Giấy - Hà Nội"},
        },
        ensure_ascii=False,
        indent=16,
    )  # fmt: skip
    lines = [
        '<meta name="googlebot" content="noarchive" />',
        '<meta name="robots" content="index, follow" />',
        f'<meta name="copyright" content="&#xA9; {attr(SITE_NAME)}" />',
        '<meta property="og:site_name" content="mst.gov.vn" />',
        '<meta property="og:rich_attachment" content="true" />',
        '<meta property="fb:app_id" content="472720487757187" />',
        f'<script type="application/ld+json">\n{org}\n</script>',
        '<meta http-equiv="x-dns-prefetch-control" content="on" />',
        f'<link rel="dns-prefetch" href="{cdn}/">',
        '<link rel="dns-prefetch" href="https://mic.mediacdn.vn">',
        '<link rel="dns-prefetch" href="https://videothumbs.mediacdn.vn/">',
        '<link rel="dns-prefetch" href="https://videothumbs-ext.mediacdn.vn/">',
        '<meta name="google-site-verification" '
        'content="q9VvR3m0Jf2XlHc7Tt1BrY5kNwE8aP4sLdGzUe6iOxM" />',
        f'<link rel="shortcut icon" href="{cdn}/mst/image/favicon.png" type="image/x-icon" />',
        '<meta name="GENERATOR" content="https://mst.gov.vn" />',
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />',
        '<meta http-equiv="refresh" content="3600" />',
        '<meta http-equiv="audience" content="General">',
        '<meta http-equiv="content-language" content="vi" />',
        '<meta name="revisit-after" content="1 days">',
        '<meta name="format-detection" content="telephone=no" />',
        '<meta name="format-detection" content="address=no" />',
        _script(f"\n        var _ADM_Channel = '{channel}';"),
        _script(settings),
        _script(
            "\n    (function (a, b, d, c, e) {\n        a[c] = a[c] || [];\n"
            '        a[c].push({ "atm.start": (new Date).getTime(), event: "atm.js" });\n'
            "        a = b.getElementsByTagName(d)[0]; b = b.createElement(d); b.async = !0;\n"
            '        b.src = "//deqik.com/tag/corejs/" + e + ".js"; '
            "a.parentNode.insertBefore(b, a)\n"
            '    })(window, document, "script", "atmDataLayer", "ATM1970MSTGOV");'
        ),
        f'<link href="{cdn}/mst/css/common.min.20250301v1.css" rel="stylesheet" />',
        "<style>\n    @media(max-width:1280px) {\n        body { min-width: 1200px; }\n"
        "        .container { width: 1200px !important; }\n    }\n    "
        f"{hidden_cities}{{display:none!important}}\n</style>",
        f'<link href="{cdn}/mst/css/detail.min.20250301v1.css" rel="stylesheet" />',
        '<script src="https://static.amcdn.vn/tka/cdn.js" ></script>',
        _script(
            "\n        var arfAsync = arfAsync || [];\n        (function (w) {\n"
            '            var a = document.createElement("script");\n'
            '            a.type = "text/javascript"; a.async = !0;\n'
            '            a.src = "https://media1.admicro.vn/cms/Arf.min.js";\n'
            "            a.onerror = function () { window.arferrorload = true; };\n"
            '            var b = document.getElementsByTagName("script")[0];\n'
            "            b.parentNode.insertBefore(a, b);\n        })(window);"
        ),
    ]
    return "\n    ".join(lines) + "\n"


def brand(offsite: str) -> str:
    """The masthead beside the logo, with the other editions."""
    return (
        '<div class="header__lcontent">\n'
        '    <p class="text">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</p>\n'
        f'    <p class="name">{plain(SITE_NAME)}</p>\n'
        '    <div class="header__laction">\n        <span class="time"></span>\n'
        f'        <a href="{attr(offsite)}/english/" rel="nofollow" target="_blank" '
        'class="language-item">English</a>\n    </div>\n</div>'
    )


def search_icons() -> str:
    return (
        f'<div class="header__search-layout">\n<a href="" title="" class="header__search">'
        f"{ICON_SEARCH}</a>\n"
        '<div class="search-form"><input class="btn-search" />\n'
        f'<a href="" title="" class="submit-search">{ICON_SEARCH}</a></div></div>'
    )


def hot_bar(topics: list[tuple[str, str]], offsite: str) -> str:
    """Hot topics (``(href, title)``), links to other sites, the weather box."""
    slides = "".join(
        f'{INDENT}<div class="swiper-slide">{INDENT}    <a href="{attr(href)}" '
        f'title="{attr(title)}" class="item">{INDENT}        {plain(title)}'
        f"{INDENT}    </a>{INDENT}</div>"
        for href, title in topics
    )
    names = ("Cổng TTĐT Chính phủ", "Email", "Facebook", "Youtube")
    hrefs = (f"{offsite}/chinhphu", f"{offsite}/mail", f"{offsite}/facebook",
             f"{offsite}/youtube")  # fmt: skip
    links = "".join(
        f'{INDENT}<a href="{attr(h)}" rel="nofollow" target="_blank" title="{attr(n)}" '
        'class="item">'
        f'{INDENT}    <span class="icon">{icon}</span>{INDENT}    {plain(n) if k == 0 else ""}'
        f"{INDENT}</a>"
        for k, (h, n, icon) in enumerate(zip(hrefs, names, ICON_LINKS, strict=True))
    )
    cities = "".join(
        f'\n                        <li class="itemWeather" value="{c}"><div class="label">'
        f"{plain(p)}</div></li>"
        for p, c in zip(PROVINCES, CITY_CODES, strict=True)
    )
    return (
        '<div class="layout__hot-tag">\n    <div class="container">\n'
        '        <div class="layout__ht-flex">\n'
        f'    <div class="layout__ht-list">\n        <span class="icon-left">{ICON_CALENDAR}'
        '</span>\n        <div class="layout__ht-swiper">\n'
        '            <div class="swiper-container ht-swiper">\n'
        f'                <div class="swiper-wrapper">{slides}\n                </div>\n'
        "            </div>\n        </div>\n"
        '        <div class="layout__ht-swiper-nav">\n'
        f'            <div class="ht-swiper-button-next">{ICON_ARROWS[0]}</div>\n'
        f'            <div class="ht-swiper-button-prev">{ICON_ARROWS[1]}</div>\n'
        "        </div>\n    </div>\n"
        f'            <div class="layout__ht-link">{links}\n            </div>\n'
        '            <div class="layout__ht-weather home__weather">\n'
        '                <div class="value label" id="divWeather">\n                </div>\n'
        '                <a href="javascript:;" rel="nofollow" title="" class="collapp-icon '
        f'collapse ">{ICON_COLLAPSE}</a>\n'
        '                <div class="box_weather">\n'
        '                    <input class="search_city" placeholder="Tên tỉnh, thành phố..." />\n'
        f"                    <ul>{cities}\n                    </ul>\n"
        "                </div>\n            </div>\n        </div>\n    </div>\n</div>\n"
        '<div class="ads-top" style="margin:10px 0">\n        <zone id="lc48mst1"></zone>\n'
        f"    {AD_ZONE_SCRIPT}\n</div>"
    )


AD_ZONE_SCRIPT = _script('\n        arfAsync.push("lc48mst1");')


def share_rail(url: str, print_path: str, offsite: str) -> str:
    """The share, comment, print and font buttons before an article."""
    q = attr(url)
    buttons = (
        ("javascript:;", "Chia sẻ Facebook", ' rel="nofollow" class="sharefb"'),
        (f"{offsite}/twitter/intent/tweet?text={url}", "Chia sẻ Twitter",
         ' target="_blank" rel="nofollow" class="sharetw"'),
        ("#commentpage", "Bình luận", ""),
        (print_path, "In bài viết", ' target="_blank"'),
        ("javascript:;", "Tăng cỡ chữ", ' rel="nofollow" class="btn-font"'),
    )  # fmt: skip
    out = "".join(
        f'\n        <a href="{attr(href)}" title="{attr(title)}"{extra}>\n'
        f'            <span class="icon">{icon}</span>\n        </a>'
        for (href, title, extra), icon in zip(buttons, ICON_SHARE[:5], strict=True)
    )
    code = (
        "\n    (runinit = window.runinit || []).push(function () {\n"
        "        if ($('.btn-font').length > 0) {\n"
        "            $('.plus').off('click').on('click', function () { fontchange(1); });\n"
        "            $('.minus').off('click').on('click', function () { fontchange(-1); });\n"
        "            $('.font').off('click').on('click', function () { fontdefault(); });\n"
        "        }\n        if ($('.sharefb').length > 0) {\n"
        "            $('.sharefb').off('click').on('click', function () {\n"
        f"                fbClient.shareClick('{q}');\n            }});\n        }}\n    }});"
    )
    return (
        f'<div class="detail-scroll">\n    <div class="detail-social">{out}\n    </div>\n</div>\n'
        f"{_script(code)}"
    )


def after_article(url: str, title: str, offsite: str) -> str:
    """The like box, the empty slots the page fills by AJAX and the photos' share script."""
    q = attr(url)
    code = (
        "\n    (runinit = window.runinit || []).push(function () {\n        $(function () {\n"
        "            var photo = $('.VCSortableInPreviewMode[type=\"photo\"]');\n"
        '            var linkfb = "", linktw = "";\n'
        "            if (photo.length > 0) {\n                photo.each(function () {\n"
        f'                    var u = "{q}"||"";\n'
        '                    var quote = ($(this).find(".PhotoCMS_Caption").html()) || "";\n'
        '                    if (quote !== "" && quote !== "undefined ") {\n'
        "                        quote = quote.replace(/<(.|\\n)*?>/g, '');\n"
        "                        linkfb = u + `&quote=` + encodeURIComponent(quote);\n"
        '                        linktw = "https://twitter.com/intent/tweet?text=" + quote'
        f' + " {q}";\n'
        "                    } else {\n                        linkfb = u;\n"
        '                        linktw = "https://twitter.com/intent/tweet?text='
        f'{attr(title)} {q}";\n'
        "                    }\n"
        '                    var action_thumb = `<div class="action_thumb">'
        '<a href="` + linkfb + `" title="Chia sẻ Facebook" rel="nofollow" '
        f'class="share_thumb sharefb_thumb">{ICON_SOCIAL[0]}</a>'
        '<a href="` + linktw + `" title="Chia sẻ Twitter" rel="nofollow" target="_blank" '
        f'class="share_thumb sharetw_thumb">{ICON_SOCIAL[1]}</a></div>`;\n'
        "                    $(this).find('>div').first().append(action_thumb);\n"
        "                });\n            }\n"
        "            if ($('.sharefb_thumb').length > 0) {\n"
        "                $('.sharefb_thumb').off('click').on('click', function (e) {\n"
        "                    e.preventDefault();\n"
        "                    var link = $(this).attr('href');\n"
        '                    var w = window.open("http://www.facebook.com/sharer.php?u=" + link,'
        " \"Share\", 'toolbar=no, width=700, height=485');\n"
        "                    w.focus();\n                    return false;\n"
        "                });\n            }\n        });\n    });"
    )
    return (
        f'<div class="detail-like-fb">\n    <div class="fb-like" data-href="{q}" '
        'data-layout="button_count" data-size="small" data-action="like" '
        'data-show-faces="false" data-share="true"></div>\n'
        f'    <a href="{attr(offsite)}/twitter/intent/tweet?text={attr(title)} {q}" '
        f'target="_blank" rel="nofollow" title="Chia sẻ Twitter" class="sharetw">\n'
        f'        <span class="icon">{ICON_SHARE[1]}</span>\n    </a>\n</div>\n'
        '<div id="loadDetailBottom"></div>\n<div class="detail__sub bg-gray">\n</div>\n'
        f"{_script(code)}\n"
        '<input type="hidden" name="case" id="case" value="list" />\n<div class="modal-bg"></div>'
    )


def footer_nav() -> str:
    """The menu again, at the top of the footer."""
    items = "".join(
        f'\n            <li>\n                <a href="{attr(z.path)}" title="{attr(z.name)}" '
        f'class="nav-link">\n                    {plain(z.name)}\n                </a>\n'
        "            </li>"
        for z in ZONES
    )
    return (
        '<div class="footer__top">\n    <div class="container">\n'
        '        <div class="footer__nav">\n            <ul>\n                <li>\n'
        f'                    <a href="/" title="Trang chủ" class="nav-link">\n'
        f'                        <span class="icon">{ICON_HOME}</span>\n'
        f"                        Trang chủ\n                    </a>\n                </li>{items}"
        "\n            </ul>\n        </div>\n    </div>\n</div>"
    )


def masthead(offsite: str) -> str:
    lines = (
        '<p class="text bold">CỔNG THÔNG TIN ĐIỆN TỬ BỘ KHOA HỌC VÀ CÔNG NGHỆ</p>',
        '<p class="text">Chịu trách nhiệm chính: Giám đốc Trung tâm Thông tin</p>',
        "<br>",
        '<p class="text">Giấy phép số 56/GP-TTĐT do Bộ Thông tin và Truyền thông cấp.</p>',
        '<p class="text">Điện thoại: 024 3943 9265; Fax: 024 3943 9266</p>',
        '<p class="text">Email: banbientap@mst.gov.vn</p>',
    )
    social = "".join(
        f'\n        <a href="{attr(offsite)}/{name}" title="{name}" target="_blank" rel="nofollow">'
        f"{icon}</a>"
        for name, icon in zip(("facebook", "youtube"), ICON_SOCIAL, strict=True)
    )
    return (
        '<div class="footer__middle">\n    <div class="container">\n'
        '        <div class="footer__content">\n            '
        + "\n            ".join(lines)
        + f'\n            <div class="share_footer">{social}\n            </div>\n'
        "        </div>\n    </div>\n</div>"
    )


def copyright_line() -> str:
    return (
        '<div class="footer__bottom">\n    <div class="container">\n        <p class="text">\n'
        f"            © Bản quyền thuộc về {plain(SITE_NAME)}.\n        </p>\n    </div>\n</div>"
    )


def back_to_top() -> str:
    return (
        '<div id="back-to-top">\n    <a href="javascript:;" title="" rel="nofollow" '
        f'class="layout__sticky-icon">{ICON_TOP}</a>\n</div>'
    )


def hidden_inputs(values: list[tuple[str, str]]) -> str:
    """The article's hidden inputs at the end of the body (``hdZoneId``, ``hdNewsId``, ...)."""
    return "".join(
        f'\n                     <input type="hidden" name="{n}" id="{n}" value="{attr(v)}" />'
        for n, v in values
    )


@lru_cache(maxsize=16)
def tail_scripts(offsite: str) -> str:
    cross = (
        "\n        function processCrossLink(siteId) {\n            $('a').filter(function () {\n"
        "                if (typeof $(this).attr('data-iscrosslink') == 'undefined'\n"
        "                    && typeof $(this).attr('href') != 'undefined'\n"
        "                    && $(this).attr('href')"
        ".match(/^\\/([a-zA-Z0-9-]+)-([0-9]+).htm$/g)) {\n"
        "                    let newsid = /^\\/([a-zA-Z0-9-]+)-([0-9]+).htm$/.test("
        "$(this).attr('href')) ? RegExp.$2 : '';\n"
        "                    if (!newsid.startsWith(siteId)) {\n"
        "                        $(this).attr('data-iscrosslink', '1');\n"
        "                        return this;\n                    }\n                }\n"
        "            }).attr('target', '_blank');\n        }\n"
        "        (runinit = window.runinit || []).push(function () {\n"
        "            processCrossLink(pageSettings.siteId);\n        });"
    )
    quiz = (
        "\n        (runinit = window.runinit || []).push(function () {\n"
        '            if ($(".VCSortableInPreviewMode[type=quizv2]").length > 0) {\n'
        "                $(function () { loadQuizIms_v2(); });\n            }\n        });"
    )
    return (
        f'\n    <script async src="{offsite}/static/mst/js/detail.min.20250301v1.js" '
        'crossorigin="anonymous"></script>\n'
        '    <script async src="https://adminplayer.sohatv.vn/resource/init-script/'
        'playerInitScript.js" type="text/javascript"></script>\n'
        f"    {_script(quiz)}\n    {_script(cross)}"
    )
