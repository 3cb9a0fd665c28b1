"""RSS feeds, the sitemap index and its dated shards, and robots.txt of the mst replica.

RSS (SITE-mst.md §3.4): ``/rss/home.rss``, ``/rss/tin-tuc-su-kien.rss`` and
``/rss/tin-tuc-su-kien/{zone}.rss``; ``<pubDate>`` in RFC 822 with ``+0700`` or in .NET's
zone-less ``M/d/yyyy h:mm:ss AM`` (a switch). Sitemaps (§3.3): ``/sitemap.xml`` is a
``<sitemapindex>`` of ``/sitemaps/sitemaps-{yyyy}-{m}-{d1}-{d2}.xml`` windows (1-5, 6-10, 11-15,
16-20, 21-25, 26-end of month), each with ``<lastmod>`` (+07:00).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from xml.sax.saxutils import escape

from replica.feeds import us_datetime
from replica.mst.catalog import FAMILY, SITE_NAME
from replica.mst.chrome import Ctx
from replica.mst.spec import Head

ICT = timezone(timedelta(hours=7))
RSS_DATE_FORMS = ("rfc822", "dotnet", "both")
WINDOWS = ((1, 5), (6, 10), (11, 15), (16, 20), (21, 25), (26, 31))

Shard = tuple[int, int, int, int]  # (year, month, first day, last day)


def rfc822(t: datetime) -> str:
    return format_datetime(t.replace(tzinfo=ICT))


def iso(t: datetime) -> str:
    return t.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S+07:00")


def rss(ctx: Ctx, title: str, path: str, heads: Sequence[Head], dotnet: bool) -> str:
    out = []
    for k, h in enumerate(heads):
        host = FAMILY[0] if k % 4 == 3 else ctx.base  # some links with the canonical real host
        link = host + h.path
        img = (
            f'<a href="{link}"><img src="{ctx.media}/zoom/260_163{h.avatar}" /></a>'
            if h.avatar
            else ""
        )
        description = f"<![CDATA[{img}{h.lead.replace(']]>', ']] >')}]]>"
        date = us_datetime(h.published) if dotnet else rfc822(h.published)
        out.append(
            f"<item>\n<title>{escape(h.title)}</title>\n<link>{escape(link)}</link>\n"
            f'<guid isPermaLink="false">{h.site_id}</guid>\n'
            f"<description>{description}</description>\n<pubDate>{date}</pubDate>\n</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{escape(title)} - {SITE_NAME}</title>\n<link>{escape(ctx.base + path)}</link>\n"
        f"<description>{escape(title)}</description>\n<language>vi-vn</language>\n"
        + "\n".join(out)
        + "\n</channel>\n</rss>\n"
    )


def shard_of(t: datetime) -> Shard:
    for first, last in WINDOWS:
        if first <= t.day <= last:
            last = min(last, calendar.monthrange(t.year, t.month)[1])
            return t.year, t.month, first, last
    raise AssertionError(t)


def shard_path(shard: Shard) -> str:
    y, m, d1, d2 = shard
    return f"/sitemaps/sitemaps-{y}-{m}-{d1}-{d2}.xml"


def sitemap_index(ctx: Ctx, shards: Sequence[tuple[Shard, datetime]]) -> str:
    items = "".join(
        f"<sitemap><loc>{escape(ctx.base + shard_path(s))}</loc>"
        f"<lastmod>{iso(modified)}</lastmod></sitemap>\n"
        for s, modified in shards
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{items}</sitemapindex>\n"
    )


def sitemap_shard(ctx: Ctx, entries: Sequence[tuple[Head, datetime]]) -> str:
    urls = []
    for h, modified in entries:
        image = ""
        if h.avatar:
            image = (
                f"<image:image><image:loc>{escape(ctx.media + h.avatar)}</image:loc>"
                f"<image:title><![CDATA[{h.title}]]></image:title></image:image>"
            )
        urls.append(
            f"<url><loc>{escape(ctx.base + h.path)}</loc><lastmod>{iso(modified)}</lastmod>"
            f"<changefreq>daily</changefreq>{image}</url>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">\n'
        + "\n".join(urls)
        + "\n</urlset>\n"
    )


def robots(ctx: Ctx, disallow_search: bool) -> str:
    lines = ["User-agent: *"]
    if disallow_search:
        lines.append("Disallow: /tim-kiem.htm")
    lines += ["Allow: /", "", f"Sitemap: {ctx.base}/sitemap.xml", ""]
    return "\n".join(lines)
