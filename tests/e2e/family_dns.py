"""A test-only DNS resolver: the host names of both portals' families resolve to 127.0.0.1.

Passed to a crawl subprocess with ``-s TWISTED_DNS_RESOLVER=tests.e2e.family_dns.FamilyResolver``
(and ``PYTHONPATH`` set to the project root), so that a crawl of ``http://www.most.gov.vn:PORT``
reaches a server on loopback: the crawl sees real family host names, as it would on the web.
Every other name is resolved as usual (Scrapy's caching resolver).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer

from crawler.portals import most, mst

LOOPBACK_NAMES = most.HOST_FAMILY | mst.HOST_FAMILY


class FamilyResolver(CachingThreadedResolver):
    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Any:
        if name.lower().rstrip(".") in LOOPBACK_NAMES:
            return defer.succeed("127.0.0.1")
        return super().getHostByName(name, timeout)
