"""RSS (SITE.md §9.4) and the Getdataportal.asmx web service (§6, §9.3).

RSS: RSS 2.0 whose ``<pubDate>`` is .NET's US ``M/d/yyyy h:mm:ss tt`` (not RFC 822); item links
mix the legacy ``chitiettin.aspx`` form and the friendly form, and one link is malformed
(``http:host/...``, no slashes) as on moc.gov.vn.

Web service: ``<string xmlns="http://tempuri.org/">`` whose text is JSON written by hand, as the
vendor's code does: a title holding a straight double quote is written raw, so that record (and
the array) is not valid JSON (§10.18, §10.21). ``Getpostsbyid`` HTML-escapes description and
content inside the JSON (Reco-MOST runs ``html.unescape`` on them); the XML layer then escapes
the whole text once more.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from replica.catalog import BY_ID, Category
from replica.hosts import Hosts
from replica.spec import ArticleSpec, Headline


def us_datetime(t: datetime) -> str:
    """.NET's en-US DateTime.ToString(): ``12/7/2017 10:21:00 AM``."""
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t.minute:02d}:00 {'AM' if t.hour < 12 else 'PM'}"


def legacy_path(spec: Headline, cat_id: int) -> str:
    return f"/vn/Pages/chitiettin.aspx?ChuyenmucID={cat_id}&IDNews={spec.site_id}"


def rss(hosts: Hosts, cat: Category, specs: Sequence[Headline]) -> str:
    items = []
    for k, spec in enumerate(specs):
        if k == 3:
            host = urlsplit(hosts.form(1)).netloc
            link = f"http:{host}{spec.path}"  # malformed, as the moc fixture
        elif k % 2 == 0:
            link = hosts.form(1) + legacy_path(spec, cat.id)
        else:
            link = hosts.form(k) + spec.path
        description = f"<p>{html.escape(spec.lead, quote=False)}</p>"
        items.append(
            "<item>\n"
            f"<title>{escape(spec.title_raw)}</title>\n"
            f"<link>{escape(link)}</link>\n"
            f"<description>{escape(description)}</description>\n"
            f"<pubDate>{us_datetime(spec.sort_time)}</pubDate>\n"
            "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0">\n<channel>\n'
        f"<title>{escape(cat.name)}</title>\n"
        f"<link>{escape(hosts.form(0) + cat.path)}</link>\n"
        "<description>Bộ Khoa học và Công nghệ</description>\n<language>vi-VN</language>\n"
        + "\n".join(items)
        + "\n</channel>\n</rss>\n"
    )


def _json_str(text: str) -> str:
    """The vendor's hand-made JSON string: backslashes escaped, double quotes NOT escaped."""
    return '"' + text.replace("\\", "\\\\").replace("\n", " ") + '"'


def wrap(payload: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<string xmlns="http://tempuri.org/">{escape(payload)}</string>'
    )


def list_posts(hosts: Hosts, specs: Sequence[Headline]) -> str:
    records = []
    for spec in specs:
        scheme_form = hosts.form(0 if spec.site_id % 2 else 1)  # https+www or http+www
        records.append(
            f'{{"id":{spec.site_id},"slug":{_json_str(scheme_form + spec.path)},'
            f'"title":{_json_str(spec.title_raw)},'
            f'"catname":{_json_str(BY_ID[spec.category_id].name)},'
            f'"publisheddate":"{spec.sort_time:%d/%m/%Y %H:%M}"}}'
        )
    return wrap("[" + ",".join(records) + "]")


def categories() -> str:
    from replica.catalog import CATEGORIES

    return wrap(
        "[" + ",".join(f'{{"id":{c.id},"name":{_json_str(c.name)}}}' for c in CATEGORIES) + "]"
    )


def post_by_id(spec: ArticleSpec | None, body_html: str) -> str:
    if spec is None:
        return wrap("[]")
    description = html.escape(f"<p>{spec.lead}</p>")
    content = html.escape(body_html)
    return wrap(
        f'[{{"catname":{_json_str(BY_ID[spec.category_id].name)},'
        f'"title":{_json_str(spec.title_raw)},"description":"{description}",'
        f'"content":"{content}"}}]'
    )


def login() -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<boolean xmlns="http://tempuri.org/">false</boolean>'
    )
