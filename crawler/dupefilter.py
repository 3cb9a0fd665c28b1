"""The scheduler's duplicate filter: Scrapy's own, except for where a listing page redirected.

A listing page's redirect is asked for even when its target was fetched already, so that the
spider sees where the page landed and says so. A site that sends listing pages it will not
serve to its home page (a 302 to ``/``) otherwise had every redirect after the first dropped
as a duplicate of the home page, without a word: those categories' walks ended there, the run
recorded nothing for them, and the next run, finding their first pages archived, never walked
past them again. Redirect chains stay bounded by ``REDIRECT_MAX_TIMES``.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter


class ListingRedirectsDupeFilter(RFPDupeFilter):
    """``RFPDupeFilter`` that lets a listing page's redirect through (``DUPEFILTER_CLASS``)."""

    def request_seen(self, request: Request) -> bool:
        if request.meta.get("kind") == "listing" and request.meta.get("redirect_urls"):
            return False
        return super().request_seen(request)
