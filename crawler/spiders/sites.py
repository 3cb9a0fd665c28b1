"""How the ``most`` spider starts on a site: which portal it is, and which host serves it.

Mixed into the spider. The first request of a site is its root page ``/``: its markup says
which portal the site is (``crawler.parsers.portal_pages``, never the host name), and the
spider follows that portal's walk (the SharePoint portal's home → categories, or mst.gov.vn's
zones: ``crawler.spiders.mst_walk``). A root that does not answer at all, or that redirects out
of the portal's hosts, makes the spider try the next fallback host (the default sites only:
``ARCHIVE_FALLBACK_SITES``), else the run records what happened. ``scrapy crawl most`` without
a site crawls a set of sites, one after the other (:meth:`SiteStart.next_site`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.exceptions import IgnoreRequest

from crawler import outcome, parsers
from crawler.middlewares import robots_forbade
from crawler.portals import mst, portal_named, portal_of_host
from crawler.records import NEXT_SITE, FetchFailure, FetchSuccess
from crawler.spiders.state import ArchiveView, failure_reason
from crawler.urls import SiteScope

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

    from archive.crawlstate import Snapshot

logger = logging.getLogger(__name__)

PRIO_HOME = 100


def other_hosts(site: str) -> list[str]:
    """The other default hosts of the portal whose family holds ``site``'s host, in order."""
    owner = portal_of_host(site)
    if owner is None:
        return []
    return [b for b in (SiteScope.of(d).base for d in owner.default_sites) if b != site]


class SiteStart:
    """The start of a site's walk. Uses the spider's state and its portal walks."""

    # provided by the spider
    crawler: Crawler
    scope: SiteScope
    fallbacks: list[str]
    pending_sites: list[str]
    default_set: bool
    snapshot: Snapshot | None

    def _reset_walk(self) -> None:
        raise NotImplementedError

    def _apply_view(self, view: ArchiveView) -> None:
        raise NotImplementedError

    def _portal_requests(self) -> Iterator[scrapy.Request]:
        raise NotImplementedError

    def _home_request(self) -> scrapy.Request:
        raise NotImplementedError

    def parse_home(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    def mst_start(self, response: Response) -> Iterator[Any]:
        raise NotImplementedError

    # ------------------------------------------------------------------ the root page

    def root_request(self) -> scrapy.Request:
        return scrapy.Request(
            self.scope.base + "/",
            callback=self.parse_root,
            errback=self.root_failed,
            priority=PRIO_HOME,
            meta={"kind": "listing"},
            dont_filter=True,
        )

    def parse_root(self, response: Response) -> Iterator[Any]:
        """The site's root page: which portal it is, then that portal's walk."""
        name = parsers.portal_of_page(response.body, response.url)
        if name is not None and name != self.scope.portal.name:
            self.scope = replace(self.scope, portal=portal_named(name))
        logger.info(
            "%s: %s portal",
            self.scope.base,
            self.scope.portal.name
            if name
            else f"no known portal's markup; trying the {self.scope.portal.name}",
        )
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("archive/portal", self.scope.portal.name)
        # the root answered: its failure of an earlier run (unreachable, redirected out) is over
        yield FetchSuccess((response.meta.get("redirect_urls") or [response.url])[0])
        yield from self._portal_requests()
        if self.scope.portal.name == mst.NAME:
            yield from self.mst_start(response)
        elif name is not None and parsers.parse_home(response.body, response.url):
            yield from self.parse_home(response)  # the root is (or redirected to) the home page
        else:
            yield self._home_request()

    def root_failed(self, failure: Failure) -> Iterator[Any]:
        """No root page. An HTTP error: the portal's own home page is tried (the SharePoint
        portal's by default). No answer at all, or a redirect out of the portal's hosts: the
        next fallback host is tried (default sites only), else the run says what happened."""
        request = failure.request  # type: ignore[attr-defined]
        reason, status = failure_reason(failure)
        redirected = bool(request.meta.get("redirect_urls"))
        problem = None
        unreachable = status is None and not isinstance(failure.value, IgnoreRequest)
        if robots_forbade(failure):
            # obeyed; the portal's home page is tried next (a run that fetches nothing else
            # is "forbidden": crawler.outcome)
            logger.warning("robots.txt of %s forbids its root page", self.scope.base)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(f"archive/{outcome.ROBOTS_FORBIDDEN}")
        elif isinstance(failure.value, IgnoreRequest) and redirected and "offsite" in reason:
            problem = f"redirects out of its portal's hosts, to {request.url}"
        elif unreachable:
            problem = f"is unreachable ({reason})"
        if problem is not None:
            stats = self.crawler.stats
            assert stats is not None
            if self.fallbacks:
                following = self.fallbacks.pop(0)
                logger.warning("%s %s: trying %s", self.scope.base, problem, following)
                stats.inc_value("archive/hosts_tried")
                self.scope = replace(self.scope, base=following)
                yield self.root_request()
                return
            first_url = (request.meta.get("redirect_urls") or [request.url])[0]
            if unreachable:
                # one clear line; nothing answered: the run is "unreachable" (crawler.outcome)
                stats.inc_value(f"archive/{outcome.SITE_UNREACHABLE}")
                logger.warning("site %s is unreachable: %s", self.scope.base, reason)
                yield FetchFailure(first_url, "listing", reason, status)
                return
            logger.error("%s %s: nothing archived from it", self.scope.base, problem)
            yield FetchFailure(first_url, "listing", f"the site {problem}")
            return
        logger.info(
            "root page of %s did not answer (%s); trying %s",
            self.scope.base,
            reason,
            self.scope.home_url,
        )
        yield from self._portal_requests()
        yield self._home_request()

    # ------------------------------------------------------------------ several sites

    def next_site(self) -> None:
        """``scrapy crawl most`` without a site: the next site of the set."""
        site = self.pending_sites.pop(0)
        # the finished site's run is closed while the spider is still on it (its served host)
        self.crawler.signals.send_catch_log(signal=NEXT_SITE, site=site)
        self.scope = SiteScope.of(site)
        if self.default_set and not self.crawler.settings.getlist("ARCHIVE_SITES"):
            self.fallbacks = other_hosts(site)
        if self.snapshot is not None:  # its own last run and frontier, not the first site's
            self._apply_view(ArchiveView.of(self.snapshot, self.scope, site=site))
        self._reset_walk()
        logger.info("next site: %s", site)
        assert self.crawler.engine is not None
        self.crawler.engine.crawl(self.root_request())
