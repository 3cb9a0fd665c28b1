"""The mst.gov.vn replica as a pure function (``MstSite.render``) and its media host
(``MediaSite``, the stand-in for mic.mediacdn.vn).

Construction builds only the compact index; pages are rendered on demand from each article's
spec and the ground truth (``MstSite.truth``) is read from the same spec.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cached_property, lru_cache
from math import ceil
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from replica import files
from replica.catalog import digest
from replica.hosts import Hosts, NoArticles
from replica.mst import article_page, feeds, pages
from replica.mst import blocks as B
from replica.mst.article_page import Link
from replica.mst.catalog import (
    ALIAS_HOSTS,
    BY_SLUG,
    BY_ZONE_ID,
    FAMILY,
    PARENT,
    STATIC_ID,
    ZONES,
    Zone,
)
from replica.mst.chrome import Ctx, error_page
from replica.mst.index import MstIndex
from replica.mst.slugs import variants as slug_variants
from replica.mst.spec import Head, MstSpec, build, canonical_form, head, modified_at, truth
from replica.site import _not_modified

Headers = dict[str, str]
Response = tuple[int, Headers, bytes]

HTML = "text/html; charset=utf-8"
XML = "text/xml; charset=utf-8"
SERVER_HEADERS = {"Server": "nginx", "X-Powered-By": "VCCorp CMS"}
PAGING = ("both", "timelinelist", "trang", "timeline")
ROBOTS = ("allow", "disallow-search")
UTC7 = timedelta(hours=7)

_ARTICLE = re.compile(r"^/([a-z0-9-]*?)-?(\d{6,})\.htm$")
_ZONE = re.compile(r"^/tin-tuc-su-kien/([a-z0-9-]+)\.htm$")
_TRANG = re.compile(r"^/(?:tin-tuc-su-kien/)?([a-z0-9-]+)/trang-(\d+)\.htm$")
_PARENT_TRANG = re.compile(r"^/tin-tuc-su-kien/trang-(\d+)\.htm$")
_TIMELINE = re.compile(r"^/timelinelist/(\d+)/(\d+)\.htm$")
# Tuổi Trẻ's form of the fragment (paging="timeline"; docs/replica.md)
_TIMELINE_TRANG = re.compile(r"^/timeline/(\d+)/trang-(\d+)\.htm$")
_DAY = re.compile(r"^/tin-tuc-su-kien/xem-theo-ngay-(\d{2})-(\d{2})-(\d{4})\.htm$")
_LEGAL = re.compile(r"^/van-ban-phap-luat/(du-thao/)?(\d+)\.htm$")
_ZONE_RSS = re.compile(r"^/rss/tin-tuc-su-kien/([a-z0-9-]+)\.rss$")
_SHARD = re.compile(r"^/sitemaps/sitemaps-(\d{4})-(\d{1,2})-(\d{1,2})-(\d{1,2})\.xml$")
_TAG = re.compile(r"^/tag/([a-z0-9-]+)\.htm$")
_PRINT = re.compile(r"^/print/([a-z0-9-]*?)-?(\d{6,})\.htm$")


class MstSite:
    """A deterministic replica of mst.gov.vn's news (see docs/replica.md)."""

    portal = "mst"

    def __init__(
        self,
        articles: int = 200,
        seed: int = 1,
        generation: int = 0,
        base_url: str = "http://127.0.0.1:8765",
        offsite_base: str = "http://127.0.0.1:9",
        media_url: str = "http://127.0.0.1:8766",
        *,
        validators: bool = True,
        robots: str = "allow",
        paging: str = "both",
        rss_dates: str = "both",
        alias_redirect: bool = False,
        alias_hosts: tuple[str, ...] = (),
        timeline_referer: bool = False,
    ) -> None:
        if robots not in ROBOTS:
            raise ValueError(f"robots must be one of {ROBOTS}")
        if paging not in PAGING:
            raise ValueError(f"paging must be one of {PAGING}")
        if rss_dates not in feeds.RSS_DATE_FORMS:
            raise ValueError(f"rss_dates must be one of {feeds.RSS_DATE_FORMS}")
        self.articles = articles
        self.seed = seed
        self.generation = generation
        self.hosts = Hosts(base_url, offsite_base)
        self.media_url = media_url.rstrip("/")
        self.validators = validators
        self.robots = robots
        self.paging = paging
        self.rss_dates = rss_dates
        self.alias_redirect = alias_redirect
        self.alias_hosts = tuple(h.lower() for h in alias_hosts)
        self.timeline_referer = timeline_referer
        self.index = MstIndex(articles, seed, generation)
        self.ctx = Ctx(self.hosts.base, self.media_url, self.hosts.offsite)
        self._spec_cache = lru_cache(maxsize=2048)(self._build)
        self._head_cache = lru_cache(maxsize=65536)(self._head)

    # -- public API ------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return self.hosts.base

    def options(self) -> dict[str, Any]:
        return {
            "validators": self.validators,
            "robots": self.robots,
            "paging": self.paging,
            "rss_dates": self.rss_dates,
            "alias_redirect": self.alias_redirect,
            "alias_hosts": self.alias_hosts,
            "timeline_referer": self.timeline_referer,
        }

    def with_generation(self, generation: int) -> MstSite:
        return MstSite(
            self.articles,
            self.seed,
            generation,
            self.hosts.base_url,
            self.hosts.offsite_base,
            self.media_url,
            **self.options(),
        )

    def article_ids(self) -> list[int]:
        """Every article id of this generation, oldest first."""
        return list(self.index.ids)

    def spec(self, site_id: int) -> MstSpec:
        return self._spec_cache(self.index.position[site_id])

    def truth(self, site_id: int) -> dict[str, Any]:
        """The contract's fields a perfect parser returns for the page at ``truth["url"]``."""
        return truth(self.spec(site_id), self.hosts.base, self.media_url)

    def zones(self) -> list[dict[str, Any]]:
        return [
            {
                "id": z.id,
                "name": z.name,
                "slug": z.slug,
                "url": self.hosts.base + z.path,
                "rss": self.hosts.base + z.rss_path,
                "page_size": z.page_size,
                "last_page": self.last_page(z.slug),
                "timeline_past_end": z.timeline_past_end,
                "trang_past_end": z.trang_past_end,
                "fragment": z.fragment,
                "layout": z.layout,
            }
            for z in ZONES
        ]

    def last_page(self, zone_slug: str) -> int:
        zone = self._zone(zone_slug)
        return max(1, ceil(len(self._positions(zone)) / zone.page_size))

    def listing_ids(self, zone_slug: str, page: int = 1) -> list[int]:
        """Ids on a zone's page ``page`` (newest first; [] past the last page)."""
        zone = self._zone(zone_slug)
        return [self.index.ids[p] for p in self._slice(zone, page)]

    def validator(self, site_id: int) -> tuple[str, datetime] | None:
        """(ETag, Last-Modified in UTC) of an article, or None when it sends no validators."""
        spec = self.spec(site_id)
        if not (self.validators and spec.validators):
            return None
        etag = f'"{digest(json.dumps(self.truth(site_id), sort_keys=True)):x}:mst"'
        return etag, ((spec.last_modified or spec.published) - UTC7).replace(microsecond=0)

    def variants(self, site_id: int) -> set[str]:
        """Names of the markup variants the article's page shows (docs/replica.md lists them)."""
        spec = self.spec(site_id)
        out = {
            f"id:{self.index.id_form[spec.pos]}",
            f"sapo:{spec.sapo_form}",
            f"time:{spec.time_form}",
            f"byline:{spec.byline_form}",
            f"tags:{spec.tags_form}",
            f"cate:{spec.cate_form}",
            f"canonical:{spec.canonical_form}",
        }
        shift = self.index.hour_shift[spec.pos]
        out |= {"hour-shift"} if shift else set()
        out |= {"sapo-prefix"} if spec.lead.startswith("MST - ") else set()
        out |= {"source:nguon"} if spec.source_line.startswith("Nguồn") else set()
        out |= {"source:theo"} if spec.source_line.startswith("Theo") else set()
        out |= {"source:box"} if spec.source_box else set()
        out |= {f"end:{spec.body_end}"} if spec.body_end else set()
        out |= (
            {"dot-slash"} if any(t.endswith("./.") for t in self.truth(site_id)["body"]) else set()
        )
        out |= {"nbsp"} if spec.nbsp else set()
        out |= {"no-validators"} if not spec.validators else set()
        out |= {"two-zones"} if len(spec.zone_ids) > 1 else set()
        for b in spec.blocks:
            if isinstance(b, B.Photo):
                out.add(f"photo:{b.form}")
                out.add(f"caption:{b.form}:{b.caption_form}")
                if b.ad:
                    out.add("ad:in-figure")
                if b.form == "figure" and not b.data_original:
                    out.add("photo:no-data-original")
                if b.form == "old" and not b.link:
                    out.add("photo:old-unlinked")
                if b.path.startswith("/Upload"):
                    out.add("media:upload")
                if b.alt.endswith("."):
                    out.add("alt:auto")
            elif isinstance(b, B.P):
                if not b.text.strip():
                    out.add("empty-paragraph")
                if b.cls == "MsoNormal":
                    out.add("attachment:msonormal")
                for s in b.segs:
                    if s.cls:
                        out.add(f"inline:{s.cls}")
                    elif s.href:
                        out.add("attachment:inline")
                        if s.href.startswith("/Upload"):
                            out.add("media:upload")
            else:
                name = type(b).__name__.lower()
                form = getattr(b, "form", None)
                out.add(f"{name}:{form}" if form else name)
        return out

    def noise_paths(self) -> list[str]:
        """Pages that are not articles (some have article-like URLs: /gioi-thieu-19797875.htm)."""
        return [
            "/van-ban-phap-luat.htm",
            *(f"/van-ban-phap-luat/{d[0]}.htm" for d in _legal()),
            "/van-ban-phap-luat/du-thao/2256.htm",
            "/tim-kiem.htm?keywords=chuy%E1%BB%83n+%C4%91%E1%BB%95i+s%E1%BB%91",
            f"/tin-tuc-su-kien/xem-theo-ngay-{self.index.when(self.index.newest_first[0]):%d-%m-%Y}.htm",
            f"/gioi-thieu-{STATIC_ID}.htm",
        ]

    # -- rendering ---------------------------------------------------------------------------
    def render(
        self, method: str, path_and_query: str, headers: dict[str, str] | None = None
    ) -> Response:
        """(status, headers, body) for a request; pure and deterministic."""
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        parts = urlsplit(path_and_query)
        path = parts.path or "/"
        if self.alias_redirect and self._is_alias(headers.get("host", "")):
            status, out, body = (
                301,
                {"Location": self.hosts.base + path_and_query, "Content-Type": HTML},
                b"",
            )
        else:
            query = {
                k.lower(): v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()
            }
            status, out, body = self._route(path, path.lower(), query, headers)
        out = {**SERVER_HEADERS, **out, "Content-Length": str(len(body))}
        if method.upper() == "HEAD":
            body = b""
        return status, out, body

    def _is_alias(self, host: str) -> bool:
        name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else host.lower()
        return name in ALIAS_HOSTS or name in self.alias_hosts

    def _route(self, path: str, key: str, query: dict[str, str], headers: Headers) -> Response:
        if key in ("/", "/trang-chu.htm", "/index.htm"):
            return self._html(self._home())
        if key == "/robots.txt":
            text = feeds.robots(self.ctx, self.robots == "disallow-search")
            return 200, {"Content-Type": "text/plain; charset=utf-8"}, text.encode()
        if key == "/sitemap.xml":
            return self._xml(feeds.sitemap_index(self.ctx, self._shard_list()))
        m = _SHARD.match(key)
        if m:
            y, mo, d1, d2 = (int(x) for x in m.groups())
            entries = self._shard_map.get((y, mo, d1, d2))
            if entries:
                specs = [(self._head_cache(p), modified_at(self.index, p)) for p in entries]
                return self._xml(feeds.sitemap_shard(self.ctx, specs))
            return self._not_found()
        if key.startswith("/rss/"):
            return self._rss(key)
        m = _TIMELINE.match(key) if self.paging in ("both", "timelinelist") else None
        if self.paging == "timeline":
            m = _TIMELINE_TRANG.match(key)
        if m:
            zone_id = int(m.group(1))
            zone = PARENT if zone_id == PARENT.id else BY_ZONE_ID.get(zone_id)
            if zone is not None:
                if self.timeline_referer and zone.stem not in headers.get("referer", ""):
                    return 200, {"Content-Type": HTML}, b""  # silently empty, as AJAX ends do
                return self._timeline(zone, int(m.group(2)))
        if key == PARENT.path:
            return self._html(self._zone_page(PARENT, 1))
        m = _PARENT_TRANG.match(key)
        if m:
            return self._trang(PARENT, int(m.group(1)))
        m = _DAY.match(key)
        if m:
            return self._day(*(int(x) for x in m.groups()))
        m = _ZONE.match(key)
        if m and m.group(1) in BY_SLUG:
            return self._html(self._zone_page(BY_SLUG[m.group(1)], 1))
        m = _TRANG.match(key)
        if m and (m.group(1) in BY_SLUG or m.group(1) == PARENT.slug):
            return self._trang(self._zone(m.group(1)), int(m.group(2)))
        m = _LEGAL.match(key)
        if m:
            doc = pages.legal_doc(self.ctx, int(m.group(2)), draft=bool(m.group(1)))
            return self._html(doc) if doc else self._not_found()
        if key == "/rss.htm":
            return self._html(pages.rss_page(self.ctx))
        if key == "/tac-gia.htm":
            return self._html(pages.tag_page(self.ctx, "Tác giả", []))
        if key == "/van-ban-phap-luat.htm":
            return self._html(pages.legal_list(self.ctx))
        if key == "/tim-kiem.htm":
            return self._search(query.get("keywords", ""))
        m = _TAG.match(key)
        if m:
            return self._html(
                pages.tag_page(
                    self.ctx,
                    m.group(1).replace("-", " "),
                    self._entries(self.index.newest_first[:10]),
                )
            )
        m = _ARTICLE.match(key)
        if m:
            site_id = int(m.group(2))
            if site_id in self.index.position:
                return self._article(site_id, headers)
            if site_id == STATIC_ID:
                return self._html(pages.static_page(self.ctx))
        m = _PRINT.match(key)
        if m and int(m.group(2)) in self.index.position:
            return self._html(article_page.render_print(self.spec(int(m.group(2))), self.ctx))
        if key.endswith(".css"):
            return 200, {"Content-Type": "text/css"}, b"body{font-family:Arial}\n"
        if key.startswith("/images/"):
            found = files.file_for(path)
            if found:
                return 200, {"Content-Type": found[1]}, found[0]
        return self._not_found()

    # -- helpers ---------------------------------------------------------------------------------
    def _html(self, text: str) -> Response:
        return 200, {"Content-Type": HTML, "Cache-Control": "public, max-age=60"}, text.encode()

    def _xml(self, text: str) -> Response:
        return 200, {"Content-Type": XML}, text.encode()

    def _not_found(self) -> Response:
        return 404, {"Content-Type": HTML}, error_page(self.ctx).encode()

    def _build(self, pos: int) -> MstSpec:
        return build(self.index, pos)

    def _head(self, pos: int) -> Head:
        return head(self.index, pos)

    def _zone(self, slug: str) -> Zone:
        if slug == PARENT.slug:
            return PARENT
        return BY_SLUG[slug]

    def _positions(self, zone: Zone) -> list[int]:
        return self.index.newest_first if zone is PARENT else self.index.by_zone[zone.id]

    def _slice(self, zone: Zone, page: int) -> list[int]:
        page = max(1, page)
        start = (page - 1) * zone.page_size
        return self._positions(zone)[start : start + zone.page_size]

    def link(self, pos: int, k: int = 0, *, family: bool = False) -> Link:
        """An article as a list or a related box shows it; ``family``: absolute with an old host."""
        h = self._head_cache(pos)
        href = h.path
        if family:
            host = FAMILY[(h.site_id + k) % len(FAMILY)]
            slugs = slug_variants(h.slug)
            # another slug only where the page names its own in link[rel=canonical]
            other = k % 3 == 0 and canonical_form(self.index, pos) != "missing"
            slug = slugs[h.site_id % len(slugs)] if other else h.slug
            href = f"{host}/{slug}-{h.site_id}.htm" if k % 4 != 3 else h.path
        return Link(h.site_id, href, h.title, h.lead, f"{h.published:%d/%m/%Y %H:%M}", h.avatar)

    def _entries(self, positions: list[int]) -> list[pages.Entry]:
        return [(self.link(p), self.index.primary[p], self.index.when(p)) for p in positions]

    def _home(self) -> str:
        focus = self._entries(self.index.newest_first[:5])
        sections = [(z, self._entries(self.index.by_zone[z.id][:4])) for z in ZONES]
        return pages.home(self.ctx, focus, sections)

    def _zone_page(self, zone: Zone, page: int, positions: list[int] | None = None) -> str:
        last = max(1, ceil(len(self._positions(zone)) / zone.page_size))
        shown = self._slice(zone, page) if positions is None else positions
        return pages.zone_page(
            self.ctx,
            zone,
            self._entries(shown),
            page,
            last,
            trang=self.paging in ("both", "trang"),
            timeline=self.paging != "trang",
            newest=self._entries(self.index.newest_first[:5]),
        )

    def _trang(self, zone: Zone, page: int) -> Response:
        if self.paging not in ("both", "trang"):
            return self._not_found()
        last = max(1, ceil(len(self._positions(zone)) / zone.page_size))
        if page <= last:
            return self._html(self._zone_page(zone, max(1, page)))
        if zone.trang_past_end == "404":
            return self._not_found()
        if zone.trang_past_end == "last":
            return self._html(self._zone_page(zone, last))
        return self._html(self._zone_page(zone, page, []))

    def _timeline(self, zone: Zone, page: int) -> Response:
        positions = self._slice(zone, page)
        if not positions and zone.timeline_past_end == "404":
            return self._not_found()
        text = pages.timeline_fragment(self.ctx, zone, self._entries(positions))
        return 200, {"Content-Type": HTML, "Cache-Control": "public, max-age=60"}, text.encode()

    def _rss(self, key: str) -> Response:
        dotnet_zone = self.rss_dates in ("dotnet", "both")
        dotnet_main = self.rss_dates == "dotnet"
        if key == "/rss/home.rss":
            heads = [self._head_cache(p) for p in self.index.newest_first[:50]]
            return self._xml(feeds.rss(self.ctx, "Trang chủ", "/", heads, dotnet_main))
        if key == "/rss/tin-tuc-su-kien.rss":
            heads = [self._head_cache(p) for p in self.index.newest_first[:50]]
            return self._xml(feeds.rss(self.ctx, PARENT.name, PARENT.path, heads, dotnet_main))
        m = _ZONE_RSS.match(key)
        if m and m.group(1) in BY_SLUG:
            zone = BY_SLUG[m.group(1)]
            heads = [self._head_cache(p) for p in self.index.by_zone[zone.id][:20]]
            return self._xml(feeds.rss(self.ctx, zone.name, zone.path, heads, dotnet_zone))
        return self._not_found()

    @cached_property
    def _shard_map(self) -> dict[feeds.Shard, list[int]]:
        out: dict[feeds.Shard, list[int]] = defaultdict(list)
        for pos in self.index.newest_first:
            out[feeds.shard_of(self.index.when(pos))].append(pos)
        return dict(out)

    def _shard_list(self) -> list[tuple[feeds.Shard, datetime]]:
        return [
            (shard, max(modified_at(self.index, p) for p in positions))
            for shard, positions in self._shard_map.items()
        ]

    @cached_property
    def _by_day(self) -> dict[tuple[int, int, int], list[int]]:
        out: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        for pos in self.index.newest_first:
            t = self.index.when(pos)
            out[(t.year, t.month, t.day)].append(pos)
        return dict(out)

    def _day(self, d: int, m: int, y: int) -> Response:
        positions = self._by_day.get((y, m, d), [])
        return self._html(
            pages.day_archive(self.ctx, f"{d:02d}/{m:02d}/{y}", self._entries(positions))
        )

    def _search(self, keywords: str) -> Response:
        q = unquote_plus(keywords).strip().casefold()
        found = []
        if q:
            for pos in self.index.newest_first[:2000]:
                if q in self._head_cache(pos).title.casefold():
                    found.append(pos)
                    if len(found) == 20:
                        break
        return self._html(pages.search(self.ctx, keywords, self._entries(found)))

    def _related(self, spec: MstSpec) -> list[Link]:
        return [self.link(p, k, family=True) for k, p in enumerate(spec.related)]

    def _article(self, site_id: int, headers: Headers) -> Response:
        spec = self.spec(site_id)
        out: Headers = {"Content-Type": HTML, "Cache-Control": "public, max-age=60"}
        valid = self.validator(site_id)
        if valid:
            etag, modified = valid
            out["ETag"] = etag
            out["Last-Modified"] = format_datetime(modified.replace(tzinfo=UTC), usegmt=True)
            if _not_modified(headers, etag, modified):
                return 304, {k: v for k, v in out.items() if k != "Content-Type"}, b""
        html = article_page.render(spec, self.ctx, self._related(spec))
        return 200, out, html.encode("utf-8")


def _legal() -> tuple[tuple[int, str, str, str], ...]:
    from replica.mst.catalog import LEGAL_DOCS

    return LEGAL_DOCS


_MEDIA = re.compile(
    r"^/(?:(?:thumb_w/\d+|zoom/\d+_\d+)/)?(?:\d{10,}|document|upload|upload_moi|video)/[^?#]+$",
    re.IGNORECASE,
)
MEDIA_TYPES = {**files.CONTENT_TYPES, "mp4": "video/mp4"}


class MediaSite(NoArticles):
    """The stand-in for https://mic.mediacdn.vn: small valid files for every media path.

    Paths: ``/{siteId}/{yyyy}/{m}/{d}/{name}.{ext}``, ``/document/...``, ``/Upload/...``,
    ``/Upload_Moi/...``, ``/video/...``, each also under ``/thumb_w/{w}/`` and ``/zoom/{w}_{h}/``.
    Files are a function of the path, so every generation of the site finds them.
    """

    portal = "media"

    def __init__(self, base_url: str, offsite_base: str = "http://127.0.0.1:9") -> None:
        super().__init__(base_url, offsite_base)

    def render(
        self, method: str, path_and_query: str, headers: dict[str, str] | None = None
    ) -> Response:
        headers = {k.lower(): v for k, v in (headers or {}).items()}
        path = urlsplit(path_and_query).path
        ext = path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""
        found: tuple[bytes, str] | None = None
        if _MEDIA.match(path) and ext in MEDIA_TYPES:
            found = (
                files.file_for(path)
                if ext != "mp4"
                else (b"\x00\x00\x00\x18ftypmp42" + path.encode(), "video/mp4")
            )
        if found is None:
            body = b"<html><body><h1>404 Not Found</h1></body></html>"
            return (
                404,
                {"Server": "nginx", "Content-Type": "text/html", "Content-Length": str(len(body))},
                body,
            )
        data, ctype = found
        etag = f'"{digest("media", path):x}"'
        modified = datetime(2025, 1, 1, tzinfo=UTC)
        out = {
            "Server": "nginx",
            "Content-Type": ctype,
            "ETag": etag,
            "Last-Modified": format_datetime(modified, usegmt=True),
            "Cache-Control": "public, max-age=31536000",
            "Access-Control-Allow-Origin": "*",
        }
        if _not_modified(headers, etag, modified.replace(tzinfo=None)):
            return 304, {k: v for k, v in out.items() if k != "Content-Type"}, b""
        out["Content-Length"] = str(len(data))
        return 200, out, b"" if method.upper() == "HEAD" else data
