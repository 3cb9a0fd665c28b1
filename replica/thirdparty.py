"""The rest of the web, as the replica's pages link to it: one host that answers 404 at once.

Both portals' pages point at "external" sites: a government portal, an English site, a video
embed, and images hot-linked from a third party's host (``Hosts.offsite``); the fault
``offsite_redirect`` sends a page there too. The replica serves that host itself, on a second
loopback port (``replica.server.make_server``), so that

- a crawler's request there gets an answer at once, as it would from a real host, instead of a
  refused connection (which Scrapy reports only after its 0.3 s connection-attempt delay, and which
  held the site's own download slot, both being on 127.0.0.1);
- every request that reaches it is logged (``/__replica__/requests``), so a test can prove that no
  *page* was ever fetched off the site, not merely that nothing failed.

It answers 404 to everything: the replica's ground truth holds no third party's file, so a crawl
archives none (a best-effort requisite that is not there), exactly as with no host at all. Pass an
``offsite_base`` of your own (a trap server, ``--offsite-base``) to put something else there.
"""

from __future__ import annotations

from replica.hosts import NoArticles

Response = tuple[int, dict[str, str], bytes]

NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"


class ThirdPartySite(NoArticles):
    """Every path: ``404 Not Found`` (HEAD: no body). No articles, no generations."""

    portal = "third-party"

    def __init__(self, base_url: str) -> None:
        super().__init__(base_url, base_url)

    def render(
        self, method: str, path_and_query: str, headers: dict[str, str] | None = None
    ) -> Response:
        out = {
            "Server": "nginx",
            "Content-Type": "text/html",
            "Content-Length": str(len(NOT_FOUND)),
        }
        return 404, out, b"" if method.upper() == "HEAD" else NOT_FOUND
