"""What the spider hands the pipeline: one dataclass per kind of event of a crawl.

``crawler/items.py`` holds the parsed records (Article, Listing); these wrap them with what the
archive needs besides (the raw response, the listings an article was seen in, validators, a
failure's reason). Plain dataclasses, no Scrapy import: the spider yields them as items.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from crawler.items import Article

# A signal (Scrapy's signal manager), sent by the spider of ``scrapy crawl most`` without a site
# when one site of its set is done and the next begins (keyword ``site``: the next site's base
# URL): the pipeline closes the finished site's run and opens the next one's.
NEXT_SITE = object()


@dataclass(frozen=True)
class RawPage:
    """One response as received, kept so articles can be re-parsed and exported as WARC."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str | None


@dataclass(frozen=True)
class CategorySeen:
    """A category of the site's menu (``categories`` row)."""

    category_id: int
    name: str | None
    url: str
    portal: str = "most"  # the portal the category belongs to ("most", "mst")


@dataclass(frozen=True)
class ListingPage:
    """A listing page fetched (its raw response is archived; its links are followed)."""

    raw: RawPage
    category_id: int | None
    page: int
    # The portal whose site was walked: its raw-page dictionary compresses the page (None: the
    # archive tells it by the URL, archive.rawpages.portal_of; a replica's 127.0.0.1 says
    # nothing).
    portal: str | None = None


@dataclass
class ArticlePage:
    """An article page fetched: its raw response and what the parser made of it.

    ``article`` is None when the parser found no article; the pipeline then records an error.
    ``categories`` are the ids of the listings the article was seen in during this run.
    """

    site_id: int
    url: str  # canonical URL the record gets (the listing's form, not a legacy fallback's)
    raw: RawPage
    article: Article | None
    categories: list[int] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    portal: str = "most"  # the site's portal (crawler.portals), whatever the parser made of it


@dataclass(frozen=True)
class ArticleGone:
    """A re-check found an archived article gone from the site: HTTP 404 or 410, or a
    redirect to the home page (``status``: that answer's code). Recorded as withdrawn, not as
    an error: the archived copy is kept and the article is re-checked on its schedule."""

    site_id: int
    url: str
    status: int | None
    portal: str = "most"  # the article is (portal, site_id)


@dataclass(frozen=True)
class CategoryLink:
    """An archived article seen in a listing without being re-fetched."""

    site_id: int
    category_id: int
    url: str | None = None  # the article's URL as the listing links it (canonicalised)
    portal: str = "most"  # the portal of the article and the listing


@dataclass(frozen=True)
class NotModified:
    """A conditional re-check answered 304: the article is unchanged."""

    site_id: int
    url: str
    portal: str = "most"  # the article is (portal, site_id)


@dataclass(frozen=True)
class FileDownload:
    """An image or attachment downloaded (same hosts only)."""

    url: str  # the URL as the article gives it, on the base scheme+host
    body: bytes
    content_type: str | None
    site_id: int | None = None
    status: int = 200  # the response's status and headers, kept for the WARC export
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FetchFailure:
    """A page the crawl needed and could not get (``kind``: listing, article, file, discovery)."""

    url: str
    kind: str
    reason: str
    status: int | None = None
    counted: bool = True  # False: recorded, but the run is not "partial" because of it


@dataclass(frozen=True)
class FetchSuccess:
    """A URL that failed in an earlier run was fetched fine: its open errors are resolved."""

    url: str
