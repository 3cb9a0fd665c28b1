"""The fault scenarios: one replica fault each, a crawl with it and a re-run without it.

:func:`run_scenario` checks every promise of docs/reliability.md against the replica's own log
of what it served: an article the server delivered completely and in time must be archived, one
it never delivered must be in ``fetch_errors`` with the scenario's reason, and after the re-run
the archive must equal a clean crawl's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.reliability.checks import (
    ARTICLE_COLUMNS,
    COUNTED_KINDS,
    article_id,
    counts,
    differences,
    problems,
    snapshot,
)
from benchmarks.reliability.running import TIMEOUT, crawl, page_hits, site_settings

ARTICLE_PAGES = r"^/vn/tin-tuc/"
STICKY = {"sticky_requests": 1000, "path_pattern": ARTICLE_PAGES}  # every request of the run


@dataclass(frozen=True)
class Scenario:
    """One row of the fault table: the replica's fault switches and what a failure must say."""

    name: str
    faults: dict[str, Any]
    reason: str = ""  # regex a recorded failure's reason must match
    settings: dict[str, Any] = field(default_factory=dict)  # extra crawl settings
    # a dripped answer slower than the timeout is a timeout, a faster one is only slow
    slow_is_clean: bool = False
    slow: bool = False  # too slow for `make test`: run by `make reliability` only
    portal: str = "most"  # the replica it runs on: "most" (SharePoint) or "mst" (mst.gov.vn)
    # faults of the mst replica's media host (images, attachments), besides the site's
    media_faults: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """A short id: ``"500/503 with Retry-After"`` → ``500-503-with-retry-after``."""
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")


# Fault runs fetch 8 pages at a time (the replica is threaded): faster, and more concurrent
# writes for the archive to get right. The crash loop keeps the crawl's polite defaults.
FAST = {"CONCURRENT_REQUESTS_PER_DOMAIN": 8}
SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        "500/503 with Retry-After", {"error_rate": 0.15, "retry_after_seconds": 1}, r"HTTP 50[03]"
    ),
    Scenario(
        "500/503 without Retry-After", {"error_rate": 0.3, "retry_after": False}, r"HTTP 50[03]"
    ),
    Scenario(
        "500/503 on articles, every try",
        {"error_rate": 0.25, "retry_after": False, **STICKY},
        r"HTTP 50[03]",
    ),
    Scenario(
        "500 on friendly article URLs (legacy URL works)",
        {"friendly_500_rate": 0.3, "retry_after": False},
        r"HTTP 500",
    ),
    Scenario(
        "timeouts (latency 0-4 s)",
        {"latency_jitter_ms": 4000},
        r"(?i)time",
        # every try may time out here: as many retries as for other errors (the default, one
        # retry of a timeout, is the hostile table's "a URL that hangs")
        {"ARCHIVE_FETCH_FILES": False, "ARCHIVE_TIMEOUT_RETRIES": 5},
        slow=True,
    ),
    Scenario("connection resets", {"reset_rate": 0.3}, r"(?i)connection|lost|reset|never"),
    Scenario(
        "resets on articles, every try",
        {"reset_rate": 0.2, **STICKY},
        r"(?i)connection|lost|reset|never",
    ),
    Scenario("truncated bodies", {"truncate_rate": 0.3}, r"(?i)loss|lost|truncat|incomplete"),
    Scenario(
        "truncated articles, every try",
        {"truncate_rate": 0.2, **STICKY},
        r"(?i)loss|lost|truncat|incomplete",
    ),
    Scenario("slow drip (0.5 s)", {"drip_rate": 0.2, "drip_seconds": 0.5}, r"(?i)time", {}, True),
    Scenario(
        "timeouts on articles (drip 4 s), every try",
        {"drip_rate": 0.2, "drip_seconds": 4.0, **STICKY},
        r"(?i)time",
        # no longer try for a transfer that makes progress: every try times out
        {"RETRY_TIMES": 1, "ARCHIVE_MAX_TRANSFER_SECONDS": TIMEOUT},
    ),
    Scenario(
        "slow transfers (drip 4 s), longer tries",
        {"drip_rate": 0.2, "drip_seconds": 4.0, **STICKY},
        r"(?i)time",
        {"RETRY_TIMES": 1},
        slow_is_clean=True,
    ),
    Scenario(
        "pages cut short, framed as whole, every try",
        {"cut_rate": 0.2, **STICKY},
        r"(?i)truncat",
    ),
    Scenario(
        "pages cut short, close-delimited, every try",
        {"cut_rate": 0.2, "cut_close_delimited": True, **STICKY},
        r"(?i)truncat",
    ),
    Scenario("wrong charset / content type", {"charset_rate": 0.5}, r"^$"),
    Scenario("PDF instead of an article", {"pdf_rate": 0.2}, r"(?i)not an article|pdf|content"),
    Scenario("redirect loops", {"redirect_loop_rate": 0.2, **STICKY}, r"(?i)redirect"),
    Scenario("offsite redirects", {"offsite_redirect_rate": 0.2}, r"(?i)offsite|redirect"),
    Scenario("404 pages", {"not_found_rate": 0.2, **STICKY}, r"HTTP 404"),
    Scenario(
        "bot challenges on articles, every try",
        {"challenge_rate": 0.2, **STICKY},
        r"bot challenge",
        slow=True,  # make test crawls through the challenge in tests/e2e/test_bot_challenge.py
    ),
    Scenario(
        "oversized (> limit)",
        {"oversize_rate": 0.2, "oversize_bytes": 3_000_000, **STICKY},
        r"(?i)too large|larger|size",
        {"ARCHIVE_MAX_RESPONSE_BYTES": 2_000_000},
    ),
)
QUICK = ("500/503 on articles, every try",)

# mst.gov.vn (issue 11): articles are /{slug}-{id}.htm, zone pages /tin-tuc-su-kien/{zone}.htm,
# their later pages /timelinelist/{zoneId}/{n}.htm or /{zone}/trang-{n}.htm; images and
# attachments come from the media host (mic.mediacdn.vn), a server of its own in the replica.
MST_ARTICLE_PAGES = r"^/[^/?]*-\d{6,}\.htm"
MST_ZONE_PAGES = r"^/(tin-tuc-su-kien/[^/?]+\.htm|timelinelist/|[^/?]+/trang-\d+\.htm)"
MST_STICKY = {"sticky_requests": 1000, "path_pattern": MST_ARTICLE_PAGES}
MEDIA_STICKY = {"sticky_requests": 1000}
_RESET = r"(?i)connection|lost|reset|never"
_TRUNCATED = r"(?i)loss|lost|truncat|incomplete"
MST_SCENARIOS: tuple[Scenario, ...] = tuple(
    Scenario(f"mst: {name}", faults, reason, settings, portal="mst", media_faults=media, slow=slow)
    for name, faults, media, reason, settings, slow in (
        (
            "500/503 on articles, every try",
            {"error_rate": 0.25, "retry_after": False, **MST_STICKY},
            {},
            r"HTTP 50[03]",
            {},
            False,
        ),
        (
            "500/503 on zone pages and timeline fragments",
            {"error_rate": 0.3, "retry_after_seconds": 1, "path_pattern": MST_ZONE_PAGES},
            {},
            r"HTTP 50[03]",
            {},
            False,
        ),
        ("resets on articles, every try", {"reset_rate": 0.2, **MST_STICKY}, {}, _RESET, {}, False),
        (
            "timeouts on articles (drip 4 s), every try",
            {"drip_rate": 0.2, "drip_seconds": 4.0, **MST_STICKY},
            {},
            r"(?i)time",
            {"RETRY_TIMES": 1, "ARCHIVE_MAX_TRANSFER_SECONDS": TIMEOUT},
            # `make reliability` only: `make test` runs the same fault on the other portal's
            # articles (the timeouts are the downloader's and the retry middleware's, shared)
            True,
        ),
        (
            "truncated articles, every try",
            {"truncate_rate": 0.2, **MST_STICKY},
            {},
            _TRUNCATED,
            {},
            False,
        ),
        (
            "truncated zone pages and timeline fragments",
            {"truncate_rate": 0.3, "path_pattern": MST_ZONE_PAGES},
            {},
            _TRUNCATED,
            {},
            False,
        ),
        (
            "bot challenges on articles, every try",
            {"challenge_rate": 0.2, **MST_STICKY},
            {},
            r"bot challenge",
            {},
            True,  # make test: tests/e2e/test_bot_challenge.py
        ),
        (
            "redirect loops",
            {"redirect_loop_rate": 0.2, **MST_STICKY},
            {},
            r"(?i)redirect",
            {},
            False,
        ),
        (
            "offsite redirects",
            {"offsite_redirect_rate": 0.2},
            {},
            r"(?i)offsite|redirect",
            {},
            False,
        ),
        ("wrong charset / content type", {"charset_rate": 0.5}, {}, r"^$", {}, False),
        (
            "500/503 on media files, every try",
            {},
            {"error_rate": 0.2, "retry_after": False, **MEDIA_STICKY},
            r"HTTP 50[03]",
            {},
            False,
        ),
        (
            "resets and truncated media files",
            {},
            {"reset_rate": 0.15, "truncate_rate": 0.15},
            _RESET + "|" + _TRUNCATED,
            {},
            False,
        ),
    )
)


@dataclass
class Outcome:
    """What one scenario did: the figures of the table, and every broken promise."""

    scenario: str
    portal: str = "most"
    requests: int = 0  # answers the replica served during the faulty run
    faulted: int = 0  # of which faulted
    retries: int = 0  # repeated requests of one URL during that run
    expected: int = 0  # articles on the site
    archived: int = 0  # archived by the faulty run
    recorded: int = 0  # permanent failures recorded in fetch_errors by the faulty run
    archived_after: int = 0  # archived after the re-run without the fault
    duplicates: int = 0
    lost: int = 0
    exit_codes: tuple[int, int] = (0, 0)
    violations: list[str] = field(default_factory=list)
    log_tail: str = ""  # the end of the faulty run's log, kept when a promise is broken

    def figure(self) -> str:
        return (
            f"{self.scenario}: {self.requests} requests, {self.faulted} faulted, "
            f"{self.retries} retries; articles {self.archived}/{self.expected} archived, "
            f"{self.recorded} failures recorded, exit {self.exit_codes[0]}; re-run: "
            f"{self.archived_after} archived, exit {self.exit_codes[1]}; duplicates "
            f"{self.duplicates}, lost {self.lost}"
        )


def _late(entry: dict[str, Any], scenario: Scenario) -> bool:
    """True when the replica's added latency for this answer passed the crawl's timeout."""
    from replica.faults import Faults, latency_seconds

    return latency_seconds(Faults.from_dict(scenario.faults), entry["path"], entry["n"]) >= TIMEOUT


def _delivery(entry: dict[str, Any], scenario: Scenario) -> bool | None:
    """True if the replica answered this request completely, in time and correctly; False if
    the answer was faulted; None if its latency was too close to the timeout to tell."""
    from replica.faults import Faults, latency_seconds

    if entry["status"] != 200:
        return False
    fault = entry.get("fault")
    if fault == "drip" and not scenario.slow_is_clean:
        return False
    if fault not in (None, "charset", "drip"):
        return False
    delay = latency_seconds(Faults.from_dict(scenario.faults), entry["path"], entry["n"])
    if abs(delay - TIMEOUT) < 0.6:
        return None
    return delay < TIMEOUT


def _check_first_run(
    scenario: Scenario,
    log: list[dict[str, Any]],
    ids: set[int],
    c: dict[str, Any],
    rc: int,
    out: Outcome,
) -> None:
    required: set[int] = set()
    maybe: set[int] = set()
    requested: set[int] = set()
    for entry in log:
        sid = article_id(entry["path"])
        if sid is None or sid not in ids:
            continue
        requested.add(sid)
        state = _delivery(entry, scenario)
        (required if state else maybe if state is None else set()).add(sid)
    archived = c["articles"]
    open_articles = {article_id(e["url"]): e for e in c["errors"] if e["kind"] == "article"}
    counted = [e for e in c["errors"] if e["kind"] in COUNTED_KINDS]
    v = out.violations
    if rc not in (0, 1) or c["outcome"] not in ("ok", "partial"):
        v.append(f"faulty run did not finish: exit {rc}, outcome {c['outcome']}")
    if rc != (1 if counted else 0):
        v.append(f"exit {rc} with {len(counted)} open errors (want {1 if counted else 0})")
    if required - archived:
        v.append(f"delivered cleanly but not archived: {sorted(required - archived)}")
    if archived & set(open_articles):
        v.append(f"archived and recorded as failed: {sorted(archived & set(open_articles))}")
    listing_failed = any(e["kind"] in ("listing", "discovery") for e in c["errors"])
    for sid in sorted(ids - archived - maybe):
        error = open_articles.get(sid)
        if error is None and not (sid not in requested and listing_failed):
            v.append(f"article {sid} neither archived nor recorded as failed")
        elif error is not None and not re.search(scenario.reason, error["reason"] or ""):
            v.append(
                f"article {sid} recorded with reason {error['reason']!r}, not /{scenario.reason}/"
            )
    out.archived, out.recorded = len(archived), len(counted)
    out.violations += _retry_after_ignored(scenario, log)


def _retry_after_ignored(scenario: Scenario, log: list[dict[str, Any]]) -> list[str]:
    """Retries that came sooner than the Retry-After the replica sent with a 500/503."""
    wait = scenario.faults.get("retry_after_seconds", 1)
    if not scenario.faults.get("error_rate") or not scenario.faults.get("retry_after", True):
        return []
    early: list[str] = []
    last: dict[str, dict[str, Any]] = {}
    for entry in sorted(log, key=lambda e: e["time"]):
        before = last.get(entry["path"])
        if before is not None and before.get("fault") == "error":
            gap = entry["time"] - before["time"]
            if gap < wait - 0.05:
                early.append(f"{entry['path']} retried {gap:.2f} s after a Retry-After: {wait}")
        last[entry["path"]] = entry
    return early[:5]


_URL = ARTICLE_COLUMNS.index("url")
_LEGACY = re.compile(r"/vn/pages/chitiettin\.aspx\?idnews=(\d+)$", re.IGNORECASE)


def _listing_urls(clean: dict[str, Any], shot: dict[str, Any]) -> dict[str, Any]:
    """``shot`` with legacy article URLs taken as the clean crawl's friendly ones.

    Like an article's categories, its friendly URL comes from a listing: an article reached only
    through a feed while its listing failed is stored under the feed's legacy URL
    (``chitiettin.aspx?IDNews=N``, which serves the same article) until a later run sees it
    listed. The re-run is compared in full, URL included.
    """
    articles = dict(shot["articles"])
    for site_id, row in articles.items():
        found = _LEGACY.search(row[_URL] or "")
        if found and int(found.group(1)) == site_id and site_id in clean["articles"]:
            fixed = list(row)
            fixed[_URL] = clean["articles"][site_id][_URL]
            articles[site_id] = tuple(fixed)
    return {**shot, "articles": articles}


def run_scenario(
    replica: Any, scenario: Scenario, workdir: Path, clean: dict[str, Any], trap_hits: list[str]
) -> Outcome:
    """Crawl ``replica`` with the scenario's faults, then without; check every promise."""
    ids = set(replica.site.article_ids())
    out = Outcome(scenario.name, scenario.portal, expected=len(ids))
    db = workdir / "archive.db"
    replica.set_faults({"seed": 7, **scenario.faults})
    if scenario.media_faults:
        replica.set_media_faults({"seed": 7, **scenario.media_faults})
    try:
        # the per-path counters too: which answers a fault hits depends on nothing run before
        # (a shared replica's earlier scenarios once left one row without a single fault)
        replica.reset_requests(counters=True)
        first = crawl(replica.base_url, db, {**site_settings(replica), **FAST, **scenario.settings})
        log = replica.requests()
        # the media host's answers count as the run's, not as articles (its paths are files)
        media_log = replica.media_requests() if scenario.media_faults else []
    finally:
        replica.set_faults(None)
        if scenario.media_faults:
            replica.set_media_faults(None)
    paths = [e["path"] for e in log] + ["media:" + e["path"] for e in media_log]
    out.requests = len(paths)
    out.faulted = sum(1 for e in log if e.get("fault") or _late(e, scenario))
    out.faulted += sum(1 for e in media_log if e.get("fault"))
    out.retries = len(paths) - len(set(paths))
    _check_first_run(scenario, log, ids, counts(db), first.returncode, out)
    out.violations += [f"after the faulty run: {p}" for p in problems(db)]
    out.violations += [
        f"faulty run stored something else: {d}"
        for d in differences(clean, _listing_urls(clean, snapshot(db)), only=counts(db)["articles"])
        if not d.startswith("categories")
    ]
    replica.reset_requests()
    second = crawl(replica.base_url, db, {**site_settings(replica), **FAST})
    c = counts(db)
    out.exit_codes = (first.returncode, second.returncode)
    out.archived_after, out.duplicates = len(c["articles"]), c["duplicates"]
    out.lost = len(ids - c["articles"])
    counted = [e for e in c["errors"] if e["kind"] in COUNTED_KINDS]
    if second.returncode != 0 or counted:
        out.violations.append(f"re-run exit {second.returncode}, open errors {counted[:3]}")
    out.violations += [f"after the re-run: {p}" for p in problems(db)]
    out.violations += [
        f"re-run differs from a clean crawl: {d}" for d in differences(clean, snapshot(db))
    ]
    if out.duplicates or out.lost:
        out.violations.append(f"{out.duplicates} duplicates, {out.lost} lost")
    offsite_pages = page_hits(trap_hits)  # images and attachments may come from anywhere
    if offsite_pages:
        out.violations.append(f"offsite requests: {offsite_pages[:5]}")
    if out.violations:
        out.log_tail = first.stderr[-1500:]
    return out
