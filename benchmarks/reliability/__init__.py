"""``make reliability``: every fault of the replica, then a kill -9 loop; writes the docs page.

    python -m benchmarks.reliability --out docs/reliability.md [--kills 20] [--quick]

For each fault scenario a replica runs with the fault on (a trap server sits at its
``offsite_base``); ``most-archive crawl`` runs once with the fault and once without. Then the
crawl is killed with SIGKILL at seeded random moments (at least ``--kills`` times), re-run after
each kill, and the final archive is compared with a clean crawl of the same replica. The same is
done on an mst.gov.vn replica (``MST_SCENARIOS``, ``--mst-kills``; ``--portals`` picks them).
Each row of the table is measured, and the command exits 1 if anything was lost, duplicated or
inconsistent.

Modules: ``running`` (the crawl subprocess, the trap server), ``checks`` (integrity, orphans,
snapshots), ``faults`` (the scenarios), ``crashloop`` (kill -9), ``report`` (table and page),
``__main__`` (the command). ``tests/reliability`` asserts with the same checks and scenarios,
imported from here.
"""

from __future__ import annotations

from benchmarks.reliability.checks import (
    ARTICLE_COLUMNS,
    connect,
    counts,
    differences,
    problems,
    snapshot,
)
from benchmarks.reliability.crashloop import CrashOutcome, crash_loop
from benchmarks.reliability.faults import (
    MST_SCENARIOS,
    QUICK,
    SCENARIOS,
    STICKY,
    Outcome,
    Scenario,
    run_scenario,
)
from benchmarks.reliability.report import HEADER, report, table
from benchmarks.reliability.running import (
    MOST_ARCHIVE,
    ROOT,
    Run,
    crawl,
    crawl_args,
    env,
    page_hits,
    site_settings,
    trap_server,
)

__all__ = [
    "ARTICLE_COLUMNS",
    "HEADER",
    "MOST_ARCHIVE",
    "MST_SCENARIOS",
    "QUICK",
    "ROOT",
    "SCENARIOS",
    "STICKY",
    "CrashOutcome",
    "Outcome",
    "Run",
    "Scenario",
    "connect",
    "counts",
    "crash_loop",
    "crawl",
    "crawl_args",
    "differences",
    "env",
    "page_hits",
    "problems",
    "report",
    "run_scenario",
    "site_settings",
    "snapshot",
    "table",
    "trap_server",
]
