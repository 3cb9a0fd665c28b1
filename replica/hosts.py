"""The replica's own base URL, the forms the real site writes it in, and the offsite base.

The real site links to itself as ``https://www.most.gov.vn``, ``http://www.most.gov.vn``,
``https://most.gov.vn`` and ``http://most.gov.vn`` (SITE.md §10.1). The replica writes the same
four forms of *its own* base URL (scheme swapped, ``www.`` added or dropped); a crawler must
rewrite them onto the site it was given before fetching.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit


def _bare(host: str) -> str:
    return host[4:] if host.lower().startswith("www.") else host


@dataclass(frozen=True)
class Hosts:
    base_url: str
    offsite_base: str

    @property
    def base(self) -> str:
        return self.base_url.rstrip("/")

    @property
    def offsite(self) -> str:
        return self.offsite_base.rstrip("/")

    def forms(self) -> list[str]:
        """The four spellings of the site's own origin: https+www, http+www, https, http."""
        parts = urlsplit(self.base)
        bare = _bare(parts.netloc)
        return [f"https://www.{bare}", f"http://www.{bare}", f"https://{bare}", f"http://{bare}"]

    def form(self, k: int) -> str:
        return self.forms()[k % 4]

    def is_site(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        return _bare(parts.netloc).lower() == _bare(urlsplit(self.base).netloc).lower()

    def absolute(self, written: str) -> str:
        """A link as written -> the URL the brief's rules give (same site -> onto the base)."""
        if written.startswith("/"):
            return self.base + written
        if self.is_site(written):
            parts = urlsplit(written)
            return self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return written


class NoArticles:
    """A served host that holds no articles (a media host, a third party): no generations, no
    ground truth. A subclass renders its paths."""

    portal = "none"

    def __init__(self, base_url: str, offsite_base: str) -> None:
        self.hosts = Hosts(base_url, offsite_base)
        self.articles = 0
        self.seed = 0
        self.generation = 0

    def with_generation(self, generation: int) -> Self:
        return self

    def article_ids(self) -> list[int]:
        return []

    def truth(self, site_id: int) -> dict[str, Any]:
        raise KeyError(site_id)
