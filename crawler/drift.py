"""Markup drift: a portal's pages no longer look like what its parser knows (issue 11).

Both portals' parsers are built from research, not from saved pages, so the real markup may
differ, or change one day. Each run counts, per portal, the article pages it parsed
(``parsed_<portal>`` in the run's counts) and those that *drifted*: parsed by the generic
fallback extractor, or left without a title, a date or a body (``drifted_<portal>``), with a few
example URLs. After a run, :func:`assess` looks at the last :data:`WINDOW` articles parsed for
each portal across runs, newest run first (so hourly runs of a few articles neither flap nor
miss a slow drift); when at least :data:`MIN_ARTICLES` were parsed and :data:`THRESHOLD` or
more of them drifted, the portal has drifted: the summary, the log and the run's counts say so
with example URLs, and the run exits 1 (:func:`crawler.outcome.with_drift`).

Pure: no Scrapy, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

WINDOW = 50  # the last articles parsed for a portal, across runs
MIN_ARTICLES = 10  # fewer than this in the window: no verdict yet
THRESHOLD = 0.2  # the share of drifted articles that raises the alarm
EXAMPLES = 5  # example URLs kept per portal and run
EXAMPLES_KEY = "drift_examples"  # counts key: {portal: [url, ...]}


def parsed_key(portal: str) -> str:
    return f"parsed_{portal}"


def drifted_key(portal: str) -> str:
    return f"drifted_{portal}"


def is_drifted(parser: str | None, missing: Iterable[str]) -> bool:
    """An article page drifted when no portal parser read it (the generic fallback did, or
    nothing did) or it lacks a title, a date or a body."""
    return parser is None or parser.startswith("fallback") or any(True for _ in missing)


@dataclass
class Drift:
    portal: str
    drifted: int
    parsed: int
    examples: list[str] = field(default_factory=list)

    def message(self) -> str:
        shown = ", ".join(self.examples[:3])
        return (
            f"markup drift on portal {self.portal}: {self.drifted} of the last {self.parsed} "
            f"articles parsed by the fallback or missing a title, date or body"
            + (f" (e.g. {shown})" if shown else "")
        )


def _int(value: object) -> int:
    return int(value) if isinstance(value, int | float) else 0


def portals_in(counts: Mapping[str, object]) -> list[str]:
    """The portals a run parsed articles of."""
    return sorted(k.removeprefix("parsed_") for k in counts if k.startswith("parsed_"))


def assess(portal: str, runs: Iterable[Mapping[str, object]]) -> Drift | None:
    """The drift of ``portal`` over its last :data:`WINDOW` parsed articles, from the runs'
    counts (newest first, the current run included), or None when there is none."""
    parsed = drifted = 0
    examples: list[str] = []
    for counts in runs:
        n = _int(counts.get(parsed_key(portal)))
        if not n:
            continue
        parsed += n
        drifted += _int(counts.get(drifted_key(portal)))
        found = counts.get(EXAMPLES_KEY)
        if isinstance(found, Mapping):
            examples += [str(u) for u in found.get(portal) or []]
        if parsed >= WINDOW:
            break
    if parsed < MIN_ARTICLES or drifted < THRESHOLD * parsed:
        return None
    return Drift(portal, drifted, parsed, examples[:EXAMPLES])
