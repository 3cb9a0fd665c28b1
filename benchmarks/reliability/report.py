"""The table and the page (docs/reliability.md): measured figures only, never typed in."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.reliability.crashloop import CrashOutcome
from benchmarks.reliability.faults import Outcome
from benchmarks.reliability.hostile import Observed, hostile_table
from benchmarks.reliability.hostile import broken as hostile_broken
from benchmarks.reliability.running import ROOT

HEADER = (
    "fault",
    "count",
    "articles expected",
    "archived (faulty run)",
    "failures recorded",
    "archived after re-run",
    "duplicates",
    "lost",
    "promises broken",
)


def table(outcomes: list[Outcome], crash: CrashOutcome | Sequence[CrashOutcome] | None) -> str:
    """The fault table (markdown): per portal, its fault rows, then its kill loop's row."""
    crashes = [] if crash is None else [crash] if isinstance(crash, CrashOutcome) else list(crash)
    rows: list[list[object]] = []
    for portal in dict.fromkeys([o.portal for o in outcomes] + [c.portal for c in crashes]):
        rows += [
            [
                o.scenario,
                f"{o.faulted} answers",
                o.expected,
                o.archived,
                o.recorded,
                o.archived_after,
                o.duplicates,
                o.lost,
                len(o.violations),
            ]
            for o in outcomes
            if o.portal == portal
        ]
        rows += [
            [
                c.label,
                f"{c.kills} kills",
                c.expected,
                "—",
                "—",
                c.archived,
                c.duplicates,
                c.lost,
                len(c.violations),
            ]
            for c in crashes
            if c.portal == portal
        ]
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


PROMISES = """\
What `most-archive crawl` promises, and what this page measures:

- **Faults never lose or duplicate an article.** Whatever the server does (500/503 with or
  without Retry-After, timeouts, connection resets, truncated or dripping bodies, wrong charset
  or content type, a PDF instead of a page, redirect loops, offsite redirects, 404s, oversized
  answers), the crawl finishes; every article the server delivered is archived exactly once and
  exactly as a clean crawl archives it; every page it could not get is in `fetch_errors` with its
  reason; the exit code is 1 when something failed and 0 otherwise; the next run without the
  fault archives the rest.
- **Killing the crawl never corrupts the archive.** After `kill -9` at any moment the database
  passes `PRAGMA integrity_check`, holds no orphan rows and no half-written article (an article
  always has every image and attachment row of its revision), and the next run resumes; the
  final archive equals a clean crawl's: same articles, same content, same files, no files
  without rows nor rows without files.
- **Nothing leaves the site.** A trap server at the replica's offsite address is never requested.
- **A hostile server or machine is always seen, never loops, never hangs** (issue 13): every
  attack of the hostile-server table below ends with the outcome it names.
"""


MST_ROWS = """\
Rows named `mst: …` run on the mst.gov.vn replica (`replica --portal mst`, issue 11): its zone
pages, timeline fragments (`/timelinelist/…`), articles (`/{slug}-{id}.htm`) and, in the media
rows, the files of its separate media host (the stand-in for mic.mediacdn.vn). Its kill loop
kills fewer times than the SharePoint one (`--mst-kills`, 8 by default): it exercises the same
write path, and its share of `make reliability` stays a few minutes."""


HOSTILE = """\
Each row is an attack of a hostile server or machine (issue 13, and the ones that held before
it), staged for real by the tests named: a replica or page server on 127.0.0.1, the real
command in a subprocess, the real archive. *observed* is what those tests found in this run."""


def report(
    outcomes: list[Outcome],
    crash: CrashOutcome | Sequence[CrashOutcome] | None,
    argv: list[str],
    hostile: list[Observed] | None = None,
    hostile_seconds: float = 0.0,
) -> str:
    from benchmarks.machine import describe

    m = describe(ROOT)
    crashes = [] if crash is None else [crash] if isinstance(crash, CrashOutcome) else list(crash)
    parts = [
        "# Reliability",
        "",
        PROMISES,
        "## Measured",
        "",
        "Each fault row: the replica served that fault during a first crawl, then a second crawl "
        "ran without it. *count* is the number of faulted answers served.",
        "",
        MST_ROWS,
        "",
        table(outcomes, crashes),
        "",
    ]
    for c in crashes:
        which = "Kill loop" if c.portal == "most" else f"Kill loop of the {c.portal} replica"
        parts += [
            f"{which}: {c.kills} kills at {c.points} s after start (runs that "
            f"finished first: {c.completed}); runs marked `died` by the next run: "
            f"{c.died_runs}; a clean crawl took {c.clean_seconds:.1f} s.",
            "",
        ]
    if hostile is not None:
        took = f"The hostile table's tests took {hostile_seconds:.0f} s in all."
        parts += ["## Hostile server", "", HOSTILE, "", hostile_table(hostile), "", took, ""]
    broken = [v for o in outcomes for v in o.violations]
    broken += [v for c in crashes for v in c.violations]
    broken += hostile_broken(hostile or [])
    parts += ["## Broken promises", ""]
    parts += [f"- {v.splitlines()[0]}" for v in broken] or ["None."]
    parts += [
        "",
        "## How this was produced",
        "",
        f"    python -m benchmarks.reliability {' '.join(argv)}",
        "",
        f"- date: {m.date}; commit {m.commit}",
        f"- machine: {m.cpu_model}, {m.cores_usable} of {m.cores} cores usable, "
        f"{m.memory_gib:.1f} GiB, {m.system}",
        f"- software: {m.python}, SQLite {m.sqlite}, "
        + ", ".join(f"{k} {v}" for k, v in m.packages.items()),
        "",
    ]
    return "\n".join(parts)
