"""The inputs the benchmarks share: replica pages rendered in-process, and parsed articles.

The pages come from `replica.site.Site.render` (pure, no server), so parsing and storing are
measured on exactly the bytes the crawler would fetch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from benchmarks.results import BenchmarkError
from crawler.items import Article

Listed = tuple[int, str | None, str | None]  # (category id, name, listing URL)

REPLICA_BASE = "http://127.0.0.1:8765"


@dataclass(frozen=True)
class Page:
    url: str
    html: bytes
    site_id: int = 0
    listed_in: list[Listed] = field(default_factory=list)  # every listing that lists it


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def replica_pages(count: int, *, seed: int = 1) -> list[Page]:
    """The first `count` article pages of a `count`-article replica, rendered in-process."""
    from replica.site import Site

    site = Site(articles=count, seed=seed, base_url=REPLICA_BASE)
    by_name = {str(c["name"]): c for c in site.categories()}
    pages: list[Page] = []
    for site_id in site.article_ids()[:count]:
        truth = site.truth(site_id)
        url = str(truth["url"])
        status, _headers, body = site.render("GET", path_of(url), {})
        if status != 200:
            raise BenchmarkError(f"replica answered {status} for its own article {url}")
        listed: list[Listed] = [
            (int(by_name[name]["id"]), name, str(by_name[name]["url"]))
            for name in truth.get("categories", [])
            if name in by_name
        ]
        pages.append(Page(url=url, html=bytes(body), site_id=site_id, listed_in=listed))
    if len(pages) < count:
        raise BenchmarkError(f"replica has {len(pages)} articles, {count} were asked for")
    return pages


def mst_replica_pages(count: int, *, seed: int = 1) -> list[Page]:
    """The first `count` article pages of a `count`-article mst.gov.vn replica, rendered
    in-process (the second portal; its images live on a separate media host)."""
    from replica.mst.site import MstSite

    site = MstSite(articles=count, seed=seed, base_url=REPLICA_BASE)
    pages: list[Page] = []
    for site_id in site.article_ids()[:count]:
        url = str(site.truth(site_id)["url"])
        status, _headers, body = site.render("GET", path_of(url), {})
        if status != 200:
            raise BenchmarkError(f"mst replica answered {status} for its own article {url}")
        pages.append(Page(url=url, html=bytes(body), site_id=site_id))
    if len(pages) < count:
        raise BenchmarkError(f"mst replica has {len(pages)} articles, {count} were asked for")
    return pages


def parsed_articles(pages: list[Page]) -> list[tuple[Article, list[Listed]]]:
    """(Article, listed_in) for each page, parsed by `crawler.parsers.parse_article`."""
    from crawler.parsers import parse_article

    out: list[tuple[Article, list[Listed]]] = []
    for page in pages:
        article = parse_article(page.html, page.url)
        if article is None:
            raise BenchmarkError(f"parse_article found no article at {page.url}")
        out.append((article, page.listed_in))
    return out
