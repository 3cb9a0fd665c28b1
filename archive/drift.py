"""Markup drift: how well each portal's pages parsed lately, and when that is an alarm.

The replicas are built from research, not from saved pages, and the ministry may change its
templates any day: an article page whose markup the portal's parser no longer knows is parsed
by the generic fallback (``fallback-trafilatura/1``) or yields an article without a title, a
date or a body. Each article page a crawl parses leaves one row in ``parse_samples`` (written
by :mod:`archive.store` in the transaction that stores the article, or with the fetch error
that records why it was not stored). The alarm looks at the last ``window`` samples of each
portal, across runs, so that hourly runs of a few articles neither flap (one odd page is not
an alarm) nor miss slow drift (a share that grows over days is):

    a portal drifted when, among its last ``window`` samples (default 50), at least
    ``min_samples`` (default 20) exist and at least ``threshold`` (default 20 %) of them are
    degraded (parsed by the fallback, or missing a title, a date or a body).

The defaults live here (one owner); the crawl's settings ``ARCHIVE_DRIFT_WINDOW``,
``ARCHIVE_DRIFT_THRESHOLD`` and ``ARCHIVE_DRIFT_MIN_SAMPLES`` override them for a run
(docs/settings.md). The alarm clears by itself once enough well-parsed articles follow (a fixed
parser, or the site back to its old markup). Pure: SQL on a given connection, no Scrapy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable

    import sqlite_utils

FALLBACK_PARSER = "fallback-trafilatura/1"  # crawler.parsers.fallback.PARSER_NAME
REQUIRED_FIELDS = ("title", "date", "body")

DEFAULT_WINDOW = 50  # the last this many parsed articles of a portal, across runs
DEFAULT_THRESHOLD = 0.2  # this share of them degraded, or more, is drift
DEFAULT_MIN_SAMPLES = 20  # fewer samples than this never alarm (a new archive, a new portal)
EXAMPLES = 5  # example URLs named per drifted portal
KEEP_PER_PORTAL = 1000  # older samples are pruned (the window never needs them)


def is_markup(content_type: str | None) -> bool:
    """Whether a page with this Content-Type says anything about a portal's markup: an HTML (or
    unlabelled) page does; a PDF or an image served for an article is a fault, not drift."""
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in {"", "text/html", "application/xhtml+xml"} or kind.endswith("+html")


@dataclass(frozen=True)
class DriftRule:
    """When a portal's recent parse quality is an alarm."""

    window: int = DEFAULT_WINDOW
    threshold: float = DEFAULT_THRESHOLD
    min_samples: int = DEFAULT_MIN_SAMPLES

    def __post_init__(self) -> None:
        if self.window < 1:
            raise ValueError(f"drift window must be at least 1, not {self.window}")
        if not 0 < self.threshold <= 1:
            raise ValueError(f"drift threshold must be in (0, 1], not {self.threshold}")
        if self.min_samples < 1:
            raise ValueError(f"drift min samples must be at least 1, not {self.min_samples}")

    def describe(self) -> str:
        return (
            f">= {self.threshold:.0%} of the last {self.window} articles parsed "
            f"(at least {self.min_samples} samples)"
        )


def degraded_reason(parser: str | None, missing: Iterable[str]) -> str | None:
    """Why a parse counts against its portal (``None`` when it is a good one)."""
    reasons = [f"no {f}" for f in REQUIRED_FIELDS if f in set(missing)]
    if parser == FALLBACK_PARSER:
        reasons.insert(0, "fallback parser")
    elif not parser:
        reasons.insert(0, "no parser matched")
    return ", ".join(reasons) or None


@dataclass(frozen=True)
class Example:
    url: str
    reason: str
    parsed_at: str

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "reason": self.reason, "parsed_at": self.parsed_at}


@dataclass(frozen=True)
class PortalQuality:
    """One portal's last ``samples`` parses (at most the rule's window)."""

    portal: str
    samples: int
    degraded: int
    fallback: int
    drifted: bool
    examples: tuple[Example, ...] = field(default=())

    @property
    def share(self) -> float:
        return self.degraded / self.samples if self.samples else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "portal": self.portal,
            "samples": self.samples,
            "degraded": self.degraded,
            "fallback": self.fallback,
            "share": round(self.share, 4),
            "drifted": self.drifted,
            "examples": [e.to_dict() for e in self.examples],
        }

    def message(self, rule: DriftRule) -> str:
        """One line for the log and the summary."""
        urls = "; ".join(f"{e.url} ({e.reason})" for e in self.examples)
        return (
            f"markup drift on portal {self.portal}: {self.degraded} of the last {self.samples} "
            f"articles parsed were degraded ({self.share:.0%}; alarm at {rule.describe()}); "
            f"e.g. {urls}"
        )


# The last :window samples of each portal, newest first.
WINDOW_SQL = """
SELECT portal, url, parser, missing, degraded, parsed_at FROM (
    SELECT portal, url, parser, missing, degraded, parsed_at,
           row_number() OVER (PARTITION BY portal ORDER BY id DESC) AS n
    FROM parse_samples
) WHERE n <= :window ORDER BY portal, n
"""


def has_samples_table(db: sqlite_utils.Database) -> bool:
    return "parse_samples" in db.table_names()


def portal_quality(
    db: sqlite_utils.Database, rule: DriftRule | None = None, *, portals: Iterable[str] = ()
) -> list[PortalQuality]:
    """The parse quality of every portal with samples (or only of ``portals``), by name."""
    rule = rule or DriftRule()
    wanted = set(portals)
    if not has_samples_table(db):
        return []
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in db.query(WINDOW_SQL, {"window": rule.window}):
        if not wanted or row["portal"] in wanted:
            rows.setdefault(str(row["portal"]), []).append(row)
    result = []
    for portal, samples in sorted(rows.items()):
        bad = [r for r in samples if r["degraded"]]
        drifted = len(samples) >= rule.min_samples and len(bad) >= rule.threshold * len(samples)
        examples = tuple(
            Example(
                str(r["url"]),
                degraded_reason(r["parser"], (r["missing"] or "").split(",")) or "degraded",
                str(r["parsed_at"]),
            )
            for r in bad[:EXAMPLES]
        )
        result.append(
            PortalQuality(
                portal=portal,
                samples=len(samples),
                degraded=len(bad),
                fallback=sum(1 for r in samples if r["parser"] == FALLBACK_PARSER),
                drifted=drifted,
                examples=examples,
            )
        )
    return result


def drifted_portals(
    db: sqlite_utils.Database, rule: DriftRule | None = None, *, portals: Iterable[str] = ()
) -> list[PortalQuality]:
    """The portals (of ``portals``, or all) whose recent parses are an alarm under ``rule``."""
    return [q for q in portal_quality(db, rule, portals=portals) if q.drifted]


def portals_sampled_by(db: sqlite_utils.Database, run_id: int) -> set[str]:
    """The portals whose article pages run ``run_id`` parsed."""
    if not has_samples_table(db):
        return set()
    return {
        str(r["portal"])
        for r in db.query("SELECT DISTINCT portal FROM parse_samples WHERE run_id = ?", [run_id])
    }
