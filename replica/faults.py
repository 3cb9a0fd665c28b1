"""Deterministic faults for the replica server (issue 2, issue 7).

Every fault is decided by hashing (seed, fault kind, request path, n), where n counts the
requests the server has seen for that exact path (query included), starting at 0. The same
seed therefore gives the same faults in the same order, and a retry (n + 1) draws again, so a
fault with rate < 1 lets retries succeed. With ``sticky_requests=K`` a path is picked once per
kind (the hash leaves n out) and faulted on its first K requests only: a fault that holds for one
crawl and is gone for the next.

The control endpoints under ``/__replica__/`` are never faulted.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, fields
from typing import Any

from replica.catalog import unit

# Checked in this order; the first that fires wins (one fault per request).
KINDS = (
    "friendly_500",
    "reset",
    "error",
    "throttle",
    "not_found",
    "soft_not_found",
    "challenge",
    "redirect_loop",
    "offsite_redirect",
    "home_redirect",
    "pdf",
    "endless_pager",
    "charset",
    "truncate",
    "cut",
    "oversize",
    "hang",
    "drip",
    "drift",
    "stale_304",
)
_FRIENDLY = re.compile(r"^/vn/tin-tuc/(\d+)/", re.IGNORECASE)
# article URLs of both portals (mst: /{slug}-{6+ digit id}.htm)
_ARTICLE = re.compile(
    r"^/vn/(tin-tuc/\d+/|pages/chitiettin\.aspx)|^/[^/?]*-\d{6,}\.htm(\?|$)", re.IGNORECASE
)
_LISTING = re.compile(r"^/vn/chuyen-muc/\d+/", re.IGNORECASE)
LOOP_MARK = "__loop=1"


# The longest wait a fault may hold an answer (a day), the largest oversize answer (1 GiB).
MAX_WAIT_SECONDS = 86400.0
MAX_OVERSIZE_BYTES = 2**30


def _check(name: str, value: Any, lo: float, hi: float, *, whole: bool = False) -> None:
    """ValueError unless ``value`` is a finite number (a whole one when ``whole``) in [lo, hi]."""
    kind = (int,) if whole else (int, float)
    if isinstance(value, bool) or not isinstance(value, kind):
        raise ValueError(f"{name}: {value!r} is not a {'whole ' if whole else ''}number")
    if not math.isfinite(value) or not lo <= value <= hi:
        raise ValueError(f"{name}: {value!r} is not in the range {lo:g} to {hi:.15g}")


@dataclass(frozen=True)
class Faults:
    """Fault switches. Rates are shares of requests in [0, 1]; 0 switches a fault off."""

    seed: int = 1
    error_rate: float = 0.0  # answer 500 or 503
    retry_after: bool = True  # send Retry-After with those 500/503 answers
    retry_after_seconds: int = 1
    latency_ms: int = 0  # added before every answer
    latency_jitter_ms: int = 0  # plus up to this much, deterministic per request
    truncate_rate: float = 0.0  # full Content-Length, half the body, connection closed
    # half the body sent as if it were whole: a Content-Length of the half (a backend that cut
    # the page), or with cut_close_delimited no Content-Length and the connection closed
    cut_rate: float = 0.0
    cut_close_delimited: bool = False
    reset_rate: float = 0.0  # connection reset (RST) before any byte is sent
    throttle_rate: float = 0.0  # answer 429 Too Many Requests (Retry-After as for errors)
    hang_rate: float = 0.0  # wait hang_seconds before answering (client timeouts)
    hang_seconds: float = 30.0
    drip_rate: float = 0.0  # body sent in small pieces over drip_seconds
    drip_seconds: float = 2.0
    charset_rate: float = 0.0  # wrong charset or content type in the headers
    pdf_rate: float = 0.0  # a PDF served where an article page should be (article URLs only)
    # listing pages only: the pager never ends (a next page always linked); past the last page
    # the last page's items again, or with endless_pager_invent ten new article ids per page
    endless_pager_rate: float = 0.0
    endless_pager_invent: bool = False
    redirect_loop_rate: float = 0.0  # 302 to path?__loop=1, which 302s back
    offsite_redirect_rate: float = 0.0  # 302 to the offsite base
    home_redirect_rate: float = 0.0  # 302 to "/" (the home page): how a site drops a page
    not_found_rate: float = 0.0  # the SharePoint 404 page
    # the same error page with status 200 (SITE.md 20: SharePoint answers so, "200 with an
    # HTML error body"), e.g. for an image or attachment the site no longer has
    soft_not_found_rate: float = 0.0
    # a firewall's bot challenge with status 200 instead of the page (robots.txt, pages, files
    # alike): a script that sets a cookie and reloads, as mod.gov.vn's "Cloudrity" front serves
    # (crawler.parsers.challenge); the crawler runs no scripts, so a retry is challenged again
    challenge_rate: float = 0.0
    oversize_rate: float = 0.0  # an answer of oversize_bytes
    oversize_bytes: int = 12 * 1024 * 1024
    friendly_500_rate: float = 0.0  # share of articles whose /vn/tin-tuc/ URL answers 500
    drift_rate: float = 0.0  # share of article answers whose body markup the parsers do not know
    # share of article URLs answered 304 Not Modified to every conditional request, whatever
    # changed: a server, or a cache before it, whose validators lie
    stale_304_rate: float = 0.0
    # a CDN's cookie check: a request without the cookie is answered 302 to its own URL,
    # setting it (en.qdnd.vn's "VEdge" front, 2026-10-06); with the cookie, the page
    cookie_check: bool = False
    sticky_requests: int | None = None  # see the module docstring
    path_pattern: str = ""  # a regex: only matching paths are faulted ("" = all)

    def __post_init__(self) -> None:
        """Refuse what no server can do: a rate outside [0, 1] or NaN (``--error-rate nan``
        served no fault at all), a wait that is not finite or longer than a day (``--hang-seconds
        inf`` held a connection for ever), a size or count out of range."""
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith("_rate"):
                _check(f.name, value, 0.0, 1.0)
            elif f.name.endswith("_seconds"):
                _check(f.name, value, 0.0, MAX_WAIT_SECONDS)
            elif f.name.endswith("_ms"):
                _check(f.name, value, 0, MAX_WAIT_SECONDS * 1000, whole=True)
            elif f.name == "oversize_bytes":
                _check(f.name, value, 1, MAX_OVERSIZE_BYTES, whole=True)
            elif f.name == "sticky_requests" and value is not None:
                _check(f.name, value, 1, 2**63 - 1, whole=True)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Faults:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        return cls(**data)

    def rate(self, kind: str) -> float:
        value: float = getattr(self, f"{kind}_rate")
        return value

    @property
    def active(self) -> bool:
        return self.latency_ms > 0 or self.cookie_check or any(self.rate(k) > 0 for k in KINDS)


@dataclass(frozen=True)
class Decision:
    kind: str
    status: int = 0
    retry_after: int | None = None


def _fires(faults: Faults, kind: str, key: str, n: int) -> bool:
    rate = faults.rate(kind)
    if rate <= 0:
        return False
    if faults.sticky_requests is not None:
        return n < faults.sticky_requests and unit(faults.seed, kind, key) < rate
    return unit(faults.seed, kind, key, n) < rate


def decide(faults: Faults, path: str, n: int) -> Decision | None:
    """The fault for the n-th request (0-based) of ``path`` (path and query), or None."""
    if path.startswith("/__replica__/"):
        return None
    if faults.path_pattern and not re.search(faults.path_pattern, path):
        return None
    if LOOP_MARK in path and faults.redirect_loop_rate > 0:
        return Decision("redirect_loop", 302)
    for kind in KINDS:
        if kind == "friendly_500":
            m = _FRIENDLY.match(path)
            # keyed by article id: every slug of that article fails, the legacy form works
            if m and _fires(
                faults, kind, f"article:{m.group(1)}", 0 if faults.sticky_requests is None else n
            ):
                return Decision(kind, 500)
            continue
        if kind in ("pdf", "drift", "stale_304") and not _ARTICLE.match(path):
            continue
        if kind == "endless_pager" and not _LISTING.match(path):
            continue
        if not _fires(faults, kind, path, n):
            continue
        if kind == "throttle":
            return Decision(kind, 429, faults.retry_after_seconds if faults.retry_after else None)
        if kind == "error":
            status = 503 if unit(faults.seed, "status", path, n) < 0.5 else 500
            return Decision(
                kind, status, faults.retry_after_seconds if faults.retry_after else None
            )
        statuses = {
            "not_found": 404,
            "soft_not_found": 200,
            "challenge": 200,
            "redirect_loop": 302,
            "offsite_redirect": 302,
            "home_redirect": 302,
            "reset": 0,
        }
        return Decision(kind, statuses.get(kind, 200))
    return None


# Markup drift: the article body's container renamed, as a new theme of either CMS would do;
# title, date and the rest keep their markup, so the fallback parser reads these pages.
DRIFT_RENAMES = (
    (b'id="divArticleDescription2"', b'id="divArticleBodyV2"'),  # SharePoint portal
    (b'class="Around_News_Content"', b'class="News_Content_V2"'),
    (b'class="ExternalClass', b'class="RichText'),
    (b"detail-content", b"detail-body-v2"),  # mst.gov.vn
    (b'data-role="content"', b'data-role="body-v2"'),
)


# The challenge byte for byte as captured (mod.gov.vn, 2026-10-06, 177 bytes).
CHALLENGE_PAGE = (
    b'<html><body><script>document.cookie="D1N=b250162e015ffd3d5ad599d968235626"+"; '
    b'expires=Fri, 31 Dec 2099 23:59:59 GMT; path=/";window.location.reload(true);</script>'
    b"</body></html>"
)
CHALLENGE_TYPE = "text/html; charset=utf-8,gbk"  # sic: the captured header
# The cookie check's cookie, as captured but for its value (redacted in the capture) and the
# Secure attribute (the replica is served over http, where a client would not send it back).
COOKIE_CHECK_NAME = "muid_mly"
COOKIE_CHECK_VALUE = "a1b2c3d4e5f60718"


def cookie_check_header(host: str) -> str:
    """The ``Set-Cookie`` of the cookie check for ``host`` (without its port)."""
    return (
        f"{COOKIE_CHECK_NAME}={COOKIE_CHECK_VALUE}; Domain={host}; Path=/; "
        "Expires=Wed, 03-Feb-27 01:44:51 GMT; HttpOnly; SameSite=None"
    )


def has_check_cookie(cookie_header: str | None) -> bool:
    """Whether a request's ``Cookie`` header carries the cookie check's cookie."""
    pairs = (p.strip().split("=", 1) for p in (cookie_header or "").split(";"))
    return any(len(p) == 2 and p == [COOKIE_CHECK_NAME, COOKIE_CHECK_VALUE] for p in pairs)


def drift_markup(body: bytes) -> bytes:
    """An article page as a template change would serve it: the body's markers renamed."""
    for old, new in DRIFT_RENAMES:
        body = body.replace(old, new)
    return body


def latency_seconds(faults: Faults, path: str, n: int) -> float:
    if faults.latency_ms <= 0 and faults.latency_jitter_ms <= 0:
        return 0.0
    jitter = unit(faults.seed, "jitter", path, n) * faults.latency_jitter_ms
    return (faults.latency_ms + jitter) / 1000


def loop_target(path: str) -> str:
    """Where a redirect-loop answer points: adds the loop mark, or removes it again."""
    if LOOP_MARK in path:
        target = path.replace("?" + LOOP_MARK + "&", "?").replace("&" + LOOP_MARK, "")
        return target.replace("?" + LOOP_MARK, "")
    return path + ("&" if "?" in path else "?") + LOOP_MARK
