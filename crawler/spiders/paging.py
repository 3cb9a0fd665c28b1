"""When a category's paging stops for a limit or a loop: one owner for every portal's walk.

A walk asks :meth:`PagingGuard.stop` after each listing page with the keys (article ids) of
the page's items. The guard stops a category's walk when

- the page lists only items already seen in this category's walk during this run: a pager that
  never ends with the same items (``?page=N+1`` repeating page N) is walked once, not forever;
- the page limit the user set is reached (``--max-pages`` / ``ARCHIVE_MAX_PAGES``): the run is
  ``limited``;
- no user limit is set and the safety bound is reached (``ARCHIVE_MAX_PAGES_BOUND``, thousands
  of pages, far above the real sites' depth): a pager that keeps inventing new items ends; the
  run is ``limited`` with exit 1 (crawler.outcome), and the bound is logged as a warning.

Limits and loops are counted in the crawl's stats (``archive/categories_limited``,
``archive/categories_bounded``, ``archive/categories_looping``), which the run's outcome and
the next run's walk read. It also caps the article links taken from one listing page
(``ARCHIVE_MAX_LINKS_PER_PAGE``). No Scrapy import: the spider passes its stats collector in.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from crawler import outcome

logger = logging.getLogger(__name__)


class Stats(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


LOOPING = "categories_looping"
T = TypeVar("T")


@dataclass
class PagingGuard:
    """Per-run paging limits: the user's page limit, the safety bound, repeated pages."""

    user_limit: int = 0  # listing pages per category the user allows (0 = none)
    bound: int = 0  # the safety bound when the user set no limit (0 = none)
    links: int = 0  # article links taken from one listing page (0 = all)
    stats: Stats | None = None
    seen: dict[Hashable, set[Hashable]] = field(default_factory=dict)

    @property
    def cap(self) -> int:
        """The last page number a category's walk may fetch (0 = none)."""
        return self.user_limit or self.bound

    def may_fetch(self, page: int) -> bool:
        """Whether page number ``page`` (1-based) of a category is within the limits."""
        return not self.cap or page <= self.cap

    def take(self, category: Hashable, page: int, items: Sequence[T]) -> Sequence[T]:
        """The items of one listing page the walk follows: at most ``links`` of them (a listing
        of 100,000 links is bounded in time and memory), the rest left out with a warning."""
        if not self.links or len(items) <= self.links:
            return items
        self._count("listing_links_capped")
        logger.warning(
            "category %s: page %d lists %d articles; only the first %d are followed "
            "(ARCHIVE_MAX_LINKS_PER_PAGE)",
            category,
            page,
            len(items),
            self.links,
        )
        return items[: self.links]

    def stop(self, category: Hashable, page: int, items: Iterable[Hashable]) -> str | None:
        """Why the walk of ``category`` ends after its page ``page`` (listing ``items``), or
        None to go on to the next page. Records the page's items as seen."""
        keys = set(items)
        seen = self.seen.setdefault(category, set())
        repeated = bool(keys) and keys <= seen
        seen |= keys
        if repeated:
            self._count(LOOPING)
            # INFO: a site may serve its last page again past the end (mst.gov.vn does)
            logger.info(
                "category %s: page %d lists only articles already seen on its earlier pages "
                "(a pager that repeats itself): its walk ends here",
                category,
                page,
            )
            return "page repeats earlier items"
        if self.user_limit and page >= self.user_limit:
            self._count(outcome.CATEGORIES_LIMITED)
            return f"page limit {self.user_limit} (--max-pages)"
        if not self.user_limit and self.bound and page >= self.bound:
            self._count(outcome.CATEGORIES_BOUNDED)
            logger.warning(
                "category %s: safety bound of %d listing pages reached (ARCHIVE_MAX_PAGES_BOUND): "
                "its walk ends here; the run is 'limited' (exit 1)",
                category,
                self.bound,
            )
            return f"safety bound {self.bound}"
        return None

    def _count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"archive/{key}")
