"""The shape every portal module follows: :class:`Portal` and its :class:`EntryPoint` s.

Kept apart from the registry (``crawler/portals/__init__.py``) so that portal modules can
import it without importing each other. Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

# The most digits a number read from a URL or a page may have (an id, a page number): any
# 18-digit number fits SQLite's 64-bit INTEGER (mst.gov.vn's ids have 18); a longer one may not.
MAX_DIGITS = 18


def to_int(digits: str | None) -> int | None:
    """``digits`` as a number an archive can hold: ASCII digits, at most :data:`MAX_DIGITS`;
    else None. A page or URL that writes a longer number (or "²", which ``str.isdigit`` takes
    and ``int`` refuses) writes no id and no page number: one such link made every run fail
    storing it."""
    if not digits or len(digits) > MAX_DIGITS or not (digits.isascii() and digits.isdigit()):
        return None
    return int(digits)


@dataclass(frozen=True)
class EntryPoint:
    """A discovery source of a portal: where to start reading for article links.

    ``kind`` names what the spider does with the page: ``"home"`` (the menu of sections),
    ``"rss"`` (an RSS feed), ``"sitemap"`` (a sitemap or sitemap index), or a kind a single
    portal defines (``"webservice"``: the SharePoint portal's post list). ``path`` is
    root-relative (starts with ``/``, may hold a query) and is joined onto the site's base.
    ``optional`` sources may be missing or failing without the run being partial.
    """

    kind: str
    path: str
    optional: bool = True

    def url(self, base: str) -> str:
        """The entry point on ``base`` (scheme + host[:port], no trailing slash)."""
        return base.rstrip("/") + self.path


@runtime_checkable
class Portal(Protocol):
    """What every portal module's ``PORTAL`` object provides.

    Attributes (all immutable):

    - ``name``: the portal's key, stored in the archive's ``portal`` column (``"most"``).
    - ``host_family``: every host, lower case, that the portal's pages are written with.
    - ``default_sites``: base URLs (scheme + host) a crawl without ``--site`` tries, in order.
    - ``media_hosts``: hosts (lower case) its images and attachments are served from, besides
      the site itself (empty when they are on the site's own hosts).
    - ``home_path``: the root-relative path of the home page (the walk's start).
    - ``entry_points``: every discovery source, the home page first.
    - ``parser_versions``: the ``parser`` values its page parser(s) write, newest first.

    Methods (pure functions of strings; the host of a URL is never looked at):

    - ``article_id(url)``: the article id a URL names (any form the portal writes), else None.
    - ``canonical_article_url(url, base=None)``: the one URL an article is recorded under
      (query and fragment dropped unless the form needs them); moved onto ``base`` when given.
    - ``legacy_article_url(base, article_id)``: a second URL form of the article to try when
      the canonical one fails, else None.
    - ``is_legacy_article_url(url)``: True for a form that a better URL of the same article
      (seen in a listing) replaces.
    """

    @property
    def name(self) -> str: ...

    @property
    def host_family(self) -> frozenset[str]: ...

    @property
    def default_sites(self) -> tuple[str, ...]: ...

    @property
    def media_hosts(self) -> frozenset[str]: ...

    @property
    def home_path(self) -> str: ...

    @property
    def entry_points(self) -> tuple[EntryPoint, ...]: ...

    @property
    def parser_versions(self) -> tuple[str, ...]: ...

    def article_id(self, url: str) -> int | None: ...

    def canonical_article_url(self, url: str, base: str | None = None) -> str: ...

    def legacy_article_url(self, base: str, article_id: int) -> str | None: ...

    def is_legacy_article_url(self, url: str) -> bool: ...
