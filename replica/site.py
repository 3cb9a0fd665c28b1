"""The replica of www.most.gov.vn as a pure function: ``Site.render(method, path, headers)``.

Construction only builds the compact index (ids, dates, categories), so a 50,000-article site is
ready in well under a second; every page is rendered on demand from the article's spec, and the
ground truth (``Site.truth``) is read from the same spec.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from math import ceil
from typing import Any
from urllib.parse import parse_qs, urlsplit

from replica import article_page, feeds, files, listing_page, markup
from replica.catalog import BY_ID, CATEGORIES, Category, digest, generation_time
from replica.hosts import Hosts
from replica.index import Index
from replica.slugs import variants
from replica.spec import ArticleSpec, Head, Headline, build, head, truth

Headers = dict[str, str]
Response = tuple[int, Headers, bytes]

HTML = "text/html; charset=utf-8"
XML = "text/xml; charset=utf-8"
SP_HEADERS = {
    "Server": "Microsoft-IIS/8.5",
    "MicrosoftSharePointTeamServices": "15.0.0.4797",
    "X-AspNet-Version": "4.0.30319",
    "X-Powered-By": "ASP.NET",
    "X-SharePointHealthScore": "0",
}
UTC7 = timedelta(hours=7)

_LISTING = re.compile(r"^/vn/chuyen-muc/(\d+)/[^/]*\.aspx$")
_ARTICLE = re.compile(r"^/vn/tin-tuc/(\d+)/[^/]*\.aspx$")
_RSS = re.compile(r"^/rss/(\d+)/[^/]*\.rss$")
_ASMX = "/_layouts/15/webservice/getdataportal.asmx/"


class Site:
    """A deterministic replica of the news part of www.most.gov.vn."""

    portal = "most"

    def __init__(
        self,
        articles: int = 200,
        seed: int = 1,
        generation: int = 0,
        base_url: str = "http://127.0.0.1:8765",
        offsite_base: str = "http://127.0.0.1:9",
        *,
        validators: bool = True,
        robots: str = "404",
    ) -> None:
        if robots not in ("404", "200"):
            raise ValueError("robots must be '404' or '200'")
        self.articles = articles
        self.seed = seed
        self.generation = generation
        self.hosts = Hosts(base_url, offsite_base)
        self.validators = validators
        self.robots = robots
        self.index = Index(articles, seed, generation)
        self.today: date = (generation_time(generation) + timedelta(days=1)).date()
        self._spec_cache = lru_cache(maxsize=2048)(self._build)
        self._head_cache = lru_cache(maxsize=65536)(self._head)

    # -- public API ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.hosts.base

    def with_generation(self, generation: int) -> Site:
        return Site(
            self.articles,
            self.seed,
            generation,
            self.hosts.base_url,
            self.hosts.offsite_base,
            validators=self.validators,
            robots=self.robots,
        )

    def article_ids(self) -> list[int]:
        """Every article id of this generation, oldest first."""
        return list(self.index.ids)

    def categories(self) -> list[dict[str, Any]]:
        return [
            {
                "id": c.id,
                "name": c.name,
                "slug": c.slug,
                "url": self.hosts.base + c.path,
                "page_size": c.page_size,
                "past_end": c.past_end,
            }
            for c in CATEGORIES
        ]

    def spec(self, site_id: int) -> ArticleSpec:
        return self._spec_cache(self.index.position[site_id])

    def truth(self, site_id: int) -> dict[str, Any]:
        """The fields a perfect parser returns for the page at ``truth["url"]``."""
        return truth(self.spec(site_id), self.hosts)

    def listing_truth(self, cat_id: int, page: int = 1) -> dict[str, Any]:
        """What a listing parser should read off ``/vn/chuyen-muc/{cat}/…aspx?page=N``."""
        cat = BY_ID[cat_id]
        positions, current, last = self._page(cat, page)
        items = []
        for pos in positions:
            spec = self._head_cache(pos)
            thumb = listing_page.thumbnail(spec, self.index.variant(pos, "thumb", 5))
            show = self.index.variant(pos, "listing-date", 8, stride=2) != 0
            items.append(
                {
                    "site_id": spec.site_id,
                    "url": self.hosts.absolute(self.listing_href(spec)),
                    "href": self.listing_href(spec),
                    "title": spec.title,
                    "summary": listing_page.summary(spec.lead),
                    "date": spec.sort_time.strftime("%Y-%m-%d") if show else None,
                    "thumbnail": self.hosts.absolute(thumb) if thumb else None,
                }
            )
        nxt = None if current >= last else f"{self.hosts.base}{cat.path}?page={current + 1}"
        return {
            "category_id": cat.id,
            "category": cat.name,
            "items": items,
            "page": current,
            "last_page": last,
            "next_url": nxt,
        }

    def listing_href(self, spec: Headline) -> str:
        """The article link as every listing writes it (absolute in four forms, or relative)."""
        # mostly https://www. (as the real listings), sometimes the other forms or relative
        k = (0, 0, 0, 1, 1, 2, 3, 4)[self.index.variant(spec.pos, "listing-link", 8)]
        return spec.path if k == 4 else self.hosts.form(k) + spec.path

    def validator(self, site_id: int) -> tuple[str, datetime] | None:
        """(ETag, Last-Modified in UTC) of an article, or None when it sends no validators."""
        spec = self.spec(site_id)
        if not (self.validators and spec.validators):
            return None
        etag = f'"{digest(json.dumps(self.truth(site_id), sort_keys=True)):x}:1"'
        modified = (spec.last_modified or spec.sort_time) - UTC7
        return etag, modified.replace(second=0)

    # -- rendering ---------------------------------------------------------------------------
    def render(
        self, method: str, path_and_query: str, headers: dict[str, str] | None = None
    ) -> Response:
        """(status, headers, body) for a request; pure and deterministic."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        parts = urlsplit(path_and_query)
        path = parts.path or "/"
        key = path.lower()
        query = {k.lower(): v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        status, out, body = self._route(method.upper(), path, key, query, headers)
        out = {**SP_HEADERS, **out, "Content-Length": str(len(body))}
        if method.upper() == "HEAD":
            body = b""
        return status, out, body

    def _route(
        self, method: str, path: str, key: str, query: dict[str, str], headers: dict[str, str]
    ) -> Response:
        if key == "/":
            return 302, {"Location": "/vn/Pages/Trangchu.aspx", "Content-Type": HTML}, b""
        if key == "/vn/pages/trangchu.aspx":
            return self._html(self._home())
        if key == "/robots.txt":
            body = markup.error_page(self.hosts, self.today, "Không tìm thấy tệp robots.txt")
            return (404 if self.robots == "404" else 200), {"Content-Type": HTML}, body.encode()
        m = _LISTING.match(key)
        if m or key == "/vn/pages/chuyenmuctin.aspx":
            cat_id = int(m.group(1)) if m else _int(query.get("chuyenmucid"), 0)
            if cat_id in BY_ID:
                action = (
                    "./"
                    + path.rsplit("/", 1)[-1]
                    + (f"?page={query['page']}" if "page" in query else "")
                )
                return self._html(self._listing(BY_ID[cat_id], _int(query.get("page"), 1), action))
        m = _ARTICLE.match(key)
        if m or key == "/vn/pages/chitiettin.aspx":
            site_id = int(m.group(1)) if m else _int(query.get("idnews"), 0)
            if site_id in self.index.position:
                action = "./" + path.rsplit("/", 1)[-1]
                if not m:
                    action += f"?ChuyenmucID={query.get('chuyenmucid', '')}&IDNews={site_id}"
                return self._article(site_id, action, headers)
        m = _RSS.match(key)
        if m and int(m.group(1)) in BY_ID:
            cat = BY_ID[int(m.group(1))]
            specs = [self._head_cache(p) for p in self.index.by_category[cat.id][:20]]
            return 200, {"Content-Type": XML}, feeds.rss(self.hosts, cat, specs).encode()
        if key.startswith(_ASMX):
            return self._asmx(key[len(_ASMX) :], query, method)
        if key.startswith("/images/"):
            found = files.file_for(path)
            if found:
                return (
                    200,
                    {"Content-Type": found[1], "Cache-Control": "max-age=31536000"},
                    found[0],
                )
        if key in listing_page.STATIC_PAGES:
            return self._html(listing_page.render_static(self.hosts, key, self.today))
        if key == "/en":
            return 301, {"Location": "/en/", "Content-Type": HTML}, b""
        if key.endswith(".css"):
            return 200, {"Content-Type": "text/css"}, b"body{font-family:Arial}\n"
        return 404, {"Content-Type": HTML}, markup.error_page(self.hosts, self.today).encode()

    def _html(self, text: str) -> Response:
        return 200, {"Content-Type": HTML, "Cache-Control": "private"}, text.encode("utf-8")

    def _build(self, pos: int) -> ArticleSpec:
        return build(self.index, self.hosts, pos)

    def _head(self, pos: int) -> Head:
        return head(self.index, self.hosts, pos)

    def _page(self, cat: Category, page: int) -> tuple[list[int], int, int]:
        positions = self.index.by_category[cat.id]
        last = max(1, ceil(len(positions) / cat.page_size))
        current = max(1, page)
        if current > last:
            if cat.past_end == "empty":
                return [], current, last
            current = last
        start = (current - 1) * cat.page_size
        return positions[start : start + cat.page_size], current, last

    def endless_listing(self, path_and_query: str, invent: bool) -> bytes | None:
        """The listing at ``path_and_query`` as a pager that never ends (fault
        ``endless_pager``): every page links a next one; past the last page, the last page's
        items again, or (``invent``) ten new article ids on every page. None if not a listing."""
        parts = urlsplit(path_and_query)
        m = _LISTING.match((parts.path or "").lower())
        if m is None or int(m.group(1)) not in BY_ID:
            return None
        cat = BY_ID[int(m.group(1))]
        query = {k.lower(): v[0] for k, v in parse_qs(parts.query).items()}
        page = max(1, _int(query.get("page"), 1))
        positions, _, last = self._page(cat, page)
        items = []
        for pos in positions:
            spec = self._head_cache(pos)
            items.append(listing_page.item(spec, self.listing_href(spec), None, True))
        if invent and page > last:
            items = [
                '<div class="listnews_item"><div class="listnews_item_title">'
                f"<a href='/vn/tin-tuc/{n}/bai-moi-{n}.aspx'>Bài {n}</a></div></div>"
                for n in range(900_000 + page * 10, 900_000 + page * 10 + 10)
            ]
        action = "./" + parts.path.rsplit("/", 1)[-1] + f"?page={page}"
        return listing_page.render_listing(
            self.hosts, cat, items, page, page + 1, self.today, action
        ).encode("utf-8")

    def _listing(self, cat: Category, page: int, action: str) -> str:
        positions, current, last = self._page(cat, page)
        items = []
        for pos in positions:
            spec = self._head_cache(pos)
            thumb = listing_page.thumbnail(spec, self.index.variant(pos, "thumb", 5))
            show = self.index.variant(pos, "listing-date", 8, stride=2) != 0
            items.append(listing_page.item(spec, self.listing_href(spec), thumb, show))
        return listing_page.render_listing(
            self.hosts, cat, items, current, last, self.today, action
        )

    def _home(self) -> str:
        sections = [
            (c, [self._head_cache(p) for p in self.index.by_category[c.id][:5]]) for c in CATEGORIES
        ]
        return listing_page.render_home(self.hosts, sections, self.listing_href, self.today)

    def _related(self, spec: ArticleSpec) -> list[tuple[str, str, str]]:
        out = []
        for k, pos in enumerate(spec.related):
            other_id = self.index.ids[pos]
            other = self._head_cache(pos)
            form = self.hosts.form(other_id + k)
            if k % 3 == 0:
                href = form + feeds.legacy_path(other, spec.category_id)
            elif k % 3 == 1:
                slugs = variants(other.slug)
                href = f"{form}/vn/tin-tuc/{other_id}/{slugs[other_id % len(slugs)]}.aspx"
            else:
                href = form + other.path
            out.append((href, other.title_raw, f"{self.index.when(pos):%d/%m/%Y}"))
        return out

    def _article(self, site_id: int, action: str, headers: dict[str, str]) -> Response:
        spec = self.spec(site_id)
        out: Headers = {"Content-Type": HTML, "Cache-Control": "private, max-age=0"}
        valid = self.validator(site_id)
        if valid:
            etag, modified = valid
            out["ETag"] = etag
            out["Last-Modified"] = format_datetime(modified.replace(tzinfo=_UTC), usegmt=True)
            if _not_modified(headers, etag, modified):
                return 304, {k: v for k, v in out.items() if k != "Content-Type"}, b""
        html = article_page.render(spec, self.hosts, self.today, self._related(spec), action)
        return 200, out, html.encode("utf-8")

    def body_html(self, site_id: int) -> str:
        spec = self.spec(site_id)
        inner = article_page._Renderer(spec).body()
        return f'<div class="ExternalClass{spec.external_class}" style="padding:0px">{inner}</div>'

    def _asmx(self, method: str, query: dict[str, str], verb: str) -> Response:
        ids = self.index.ids
        if method == "getlistposts":
            specs = [self._head_cache(p) for p in range(len(ids) - 1, max(-1, len(ids) - 51), -1)]
            text = feeds.list_posts(self.hosts, specs)
        elif method == "getlistpostsbyyears":
            year = _int(query.get("year"), 0)
            specs = [
                self._head_cache(p)
                for p in range(len(ids) - 1, -1, -1)
                if self.index.when(p).year == year
            ]
            text = feeds.list_posts(self.hosts, specs)
        elif method == "getcategorys":
            text = feeds.categories()
        elif method == "getpostsbyid":
            site_id = _int(query.get("id"), 0)
            known = site_id in self.index.position
            text = feeds.post_by_id(
                self.spec(site_id) if known else None, self.body_html(site_id) if known else ""
            )
        elif method == "login":
            text = feeds.login()
        else:
            return (
                500,
                {"Content-Type": "text/plain; charset=utf-8"},
                (
                    f"Request format is unrecognized for URL unexpectedly ending in '/{method}'."
                ).encode(),
            )
        return 200, {"Content-Type": XML}, text.encode("utf-8")


_UTC = UTC


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default  # type: ignore[arg-type]
    except ValueError:
        return default


def _not_modified(headers: dict[str, str], etag: str, modified: datetime) -> bool:
    inm = headers.get("if-none-match")
    if inm is not None:
        tags = [t.strip() for t in inm.split(",")]
        return "*" in tags or etag in tags or f"W/{etag}" in tags
    ims = headers.get("if-modified-since")
    if ims:
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=_UTC)
        return modified.replace(tzinfo=_UTC) <= since
    return False
